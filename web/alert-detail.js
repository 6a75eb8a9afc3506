// One alert: its fields, the actions the viewer may take, and its timeline. Reloaded whenever the
// stream says this alert changed, wherever the change came from.
import { ApiError, get, post } from './api.js';
import { fill, h } from './dom.js';
import { errorText, formatTime, formatTimeWithTeam, t } from './i18n.js';
import { onLive } from './live.js';
import { runsSection } from './runs.js';

export async function alertDetailPage(main, ref) {
  const dir = await get('/directory');
  let current = null;
  // Redraws may overlap (a push while an action's redraw is loading): only the newest may draw.
  let latest = 0;
  const render = async () => {
    const mine = ++latest;
    let r;
    try {
      r = await get(`/alerts/${encodeURIComponent(ref)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return void fill(main, h('h1', {}, t().notFound), h('p', {}, errorText(err)), h('a', { href: '/' }, t().backToAlerts));
      throw err;
    }
    const runs = r.alert.mayAct && r.alert.state !== 'resolved' ? await runsSection(r.alert, render) : null;
    if (mine !== latest) return;
    current = r.alert;
    fill(main, h('p', {}, h('a', { href: '/' }, `← ${t().backToAlerts}`)), details(r.alert, dir), actions(r.alert, dir, render), runs, timeline(r.timeline));
  };
  onLive((m) => {
    if (m.type === 'reconnected' || (current && m.event.alert.id === current.id)) void render();
  });
  await render();
}

function details(a, dir) {
  const dl = h('dl.fields');
  const add = (k, v) => v !== undefined && v !== null && v !== '' && dl.append(h('dt', {}, k), h('dd', {}, v));
  add(t().col.state, h(`span.badge.state-${a.state}`, { 'data-state': a.state }, t().state[a.state] ?? a.state));
  add(t().col.severity, h(`span.badge.sev-${a.severity}`, {}, t().severity[a.severity] ?? a.severity));
  add(t().team, dir.teams.find((x) => x.id === a.team)?.name ?? a.team);
  add(t().owner, a.owner?.name);
  add(t().count, String(a.count));
  add(t().col.since, h('time', { datetime: a.firstSeenAt }, formatTimeWithTeam(a.firstSeenAt, a.teamTimeZone)));
  add(t().host, a.host);
  add(t().service, a.service);
  if (a.muted) add(t().mutedUntil, formatTimeWithTeam(a.mutedUntil, a.teamTimeZone));
  if (a.labels?.length) add(t().labels, h('ul.labels', {}, a.labels.map((l) => h('li', {}, `${l.name}=${l.value}`))));
  // Only http(s) links become links: a `javascript:` URL from a payload stays text.
  if (a.links?.length) add(t().links, h('ul.links', {}, a.links.map((l) => h('li', {}, /^https?:\/\//i.test(l.href) ? h('a', { href: l.href, rel: 'noopener noreferrer', target: '_blank' }, l.text || l.href) : `${l.text} ${l.href}`))));
  add(t().description, a.description ? h('pre.description', {}, a.description) : undefined);
  return h('section', {}, h('h1', { id: 'alert-title' }, `#${a.shortId} `, h('span.title', {}, a.title)), dl);
}

/** What the last action did, per alert: the page is redrawn after it, and must still say so. */
const done = new Map();

function actions(a, dir, reload) {
  const box = h('section.actions', { 'aria-labelledby': 'actions-h' }, h('h2', { id: 'actions-h' }, t().actions));
  if (!a.mayAct) return box.append(h('p.notice', {}, t().mayNotAct)), box;
  // Kept until the next action: a push from the stream may redraw the page more than once.
  const msg = h('p.status', { role: 'status', 'data-role': 'action-status' }, done.get(a.id) ?? '');
  const run = async (name, body, form) => {
    msg.textContent = '';
    done.delete(a.id);
    msg.className = 'status';
    for (const old of form.querySelectorAll('.field-error')) old.remove();
    for (const f of form.querySelectorAll('[aria-invalid]')) f.removeAttribute('aria-invalid');
    for (const b of form.querySelectorAll('button')) b.disabled = true;
    try {
      await post(`/alerts/${a.id}/${name}`, body);
      done.set(a.id, `${t().action[name]}: ${t().done}`);
      await reload();
    } catch (err) {
      msg.textContent = errorText(err);
      msg.className = 'status error';
      // A wrong field gets its reason next to it, tied to it for screen readers.
      const field = err.field && form.querySelector(`[name="${CSS.escape(err.field)}"]`);
      if (field) {
        const id = `err-${form.dataset.action}-${err.field}`;
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', id);
        field.closest('label').after(h('span.field-error', { id, role: 'alert' }, err.message));
        msg.textContent = '';
      }
      for (const b of form.querySelectorAll('button')) b.disabled = false;
    }
  };
  // One small form per action; every input is optional except where the server says otherwise.
  const form = (name, ...inputs) =>
    h('form.action', {
      'data-action': name,
      onsubmit: (e) => {
        e.preventDefault();
        const body = {};
        for (const [k, v] of new FormData(e.target)) if (String(v).trim()) body[k] = String(v).trim();
        void run(name, body, e.target);
      },
    }, ...inputs, h('button', { type: 'submit', name: 'do' }, t().action[name]));
  const text = (name, label) => h('label', {}, label, ' ', h('input', { name, type: 'text', maxlength: '2000' }));
  const open = a.state !== 'resolved';
  if (open && a.state === 'triggered') box.append(form('claim'));
  if (open) {
    box.append(
      form('resolve', text('note', t().note)),
      form('escalate', text('reason', t().reason)),
      form('reassign', h('label', {}, t().to, ' ', h('select', { name: 'to' }, dir.members.map((m) => h('option', { value: m.id }, m.name)))), text('reason', t().reason)),
      a.muted ? form('unmute') : form('mute', text('duration', t().duration)),
    );
    if (a.state === 'acknowledged') box.append(form('snooze', text('duration', t().duration)));
  }
  box.append(msg);
  return box;
}

function timeline(entries) {
  return h('section', { 'aria-labelledby': 'timeline-h' },
    h('h2', { id: 'timeline-h' }, t().timeline),
    h('ol.timeline', {}, entries.map((e) =>
      h('li', { 'data-kind': e.kind, 'data-via': e.actor?.via ?? '' },
        h('time', { datetime: e.at }, formatTime(e.at)), ' ',
        h('strong', {}, t().kind[e.kind] ?? e.kind), ' ',
        e.actor?.name ?? '', e.actor?.via ? ` (${t().via} ${e.actor.via})` : '',
        e.text ? h('span.note', {}, ` — ${e.text}`) : null,
      ))),
  );
}
