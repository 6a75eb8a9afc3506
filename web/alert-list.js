// The live list of alerts: filters by state and team, pages with "load more", and changes rows in
// place as events arrive from the stream.
import { get } from './api.js';
import { fill, h } from './dom.js';
import { errorText, formatTime, t } from './i18n.js';
import { onLive } from './live.js';

const STATES = ['open', 'triggered', 'acknowledged', 'resolved', 'all'];

export async function alertListPage(main) {
  const params = new URLSearchParams(location.search);
  const filter = { state: STATES.includes(params.get('state')) ? params.get('state') : 'open', team: params.get('team') ?? '' };
  const dir = await get('/directory');
  const teamName = (id) => dir.teams.find((x) => x.id === id)?.name ?? id;
  const tbody = h('tbody');
  const status = h('p.status', { role: 'status' });
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(more.dataset.cursor) }, t().more);

  const reload = () => {
    const q = new URLSearchParams();
    if (filter.state !== 'open') q.set('state', filter.state);
    if (filter.team) q.set('team', filter.team);
    history.replaceState(null, '', q.size ? `/?${q}` : '/');
    fill(tbody);
    return load();
  };

  async function load(cursor) {
    const q = new URLSearchParams({ limit: '50' });
    if (filter.state !== 'all') q.set('status', filter.state);
    if (filter.team) q.set('team', filter.team);
    if (cursor) q.set('cursor', cursor);
    try {
      const r = await get(`/alerts?${q}`);
      for (const a of r.alerts) tbody.append(row(a, teamName));
      more.hidden = !r.nextCursor;
      more.dataset.cursor = r.nextCursor ?? '';
      status.textContent = tbody.children.length ? '' : t().none;
    } catch (err) {
      status.textContent = errorText(err);
    }
  }

  const select = (label, name, value, options, onchange) =>
    h('label', {}, label, ' ', h('select', { name, onchange: (e) => onchange(e.target.value) }, options.map(([v, text]) => h('option', { value: v, ...(v === value ? { selected: true } : {}) }, text))));

  fill(
    main,
    h('h1', {}, t().alerts),
    h('form.filters', { onsubmit: (e) => e.preventDefault() },
      select(t().filterState, 'state', filter.state, STATES.map((s) => [s, t().state[s]]), (v) => { filter.state = v; void reload(); }),
      select(t().filterTeam, 'team', filter.team, [['', t().anyTeam], ...dir.teams.map((x) => [x.id, x.name])], (v) => { filter.team = v; void reload(); }),
    ),
    h('table.alerts', {},
      h('thead', {}, h('tr', {}, ['id', 'title', 'severity', 'state', 'team', 'owner', 'since'].map((c) => h('th', { scope: 'col' }, t().col[c])))),
      tbody,
    ),
    status,
    more,
  );

  const matches = (a) =>
    (filter.state === 'all' || (filter.state === 'open' ? a.state !== 'resolved' : a.state === filter.state)) &&
    (!filter.team || a.team === filter.team || (a.route?.teams ?? []).includes(filter.team));

  onLive((m) => {
    if (m.type === 'reconnected') return void reload();
    const a = m.event.alert;
    const old = tbody.querySelector(`tr[data-id="${CSS.escape(a.id)}"]`);
    if (!matches(a)) return void old?.remove();
    if (old) old.replaceWith(row(a, teamName));
    else if (m.event.type === 'opened') tbody.prepend(row(a, teamName));
    status.textContent = tbody.children.length ? '' : t().none;
  });

  await load();
}

function row(a, teamName) {
  return h(`tr.sev-${a.severity}`, { 'data-id': a.id, 'data-ref': a.shortId, 'data-state': a.state },
    h('td', {}, h('a', { href: `/alerts/${a.shortId}` }, `#${a.shortId}`)),
    h('td.title', {}, h('a', { href: `/alerts/${a.shortId}` }, a.title)),
    h('td', {}, h(`span.badge.sev-${a.severity}`, {}, t().severity[a.severity] ?? a.severity)),
    h('td.state', {}, h(`span.badge.state-${a.state}`, {}, t().state[a.state] ?? a.state)),
    h('td', {}, teamName(a.team)),
    h('td.owner', {}, a.owner?.name ?? ''),
    h('td', {}, h('time', { datetime: a.firstSeenAt }, formatTime(a.firstSeenAt))),
  );
}
