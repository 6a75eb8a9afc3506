// Who is on call now and next per team, each schedule's next two weeks, its covers (overrides)
// with "Remove" where the viewer may, and a cover for those who may make one: the calendar changes
// as soon as it is stored.
import { get, post } from './api.js';
import { fill, h } from './dom.js';
import { errorText, formatTime, t } from './i18n.js';

export async function onCallPage(main) {
  const x = t().oncall;
  const { teams } = await get('/oncall');
  fill(main, h('h1', {}, x.title));
  if (!teams.length) return void main.append(h('p.notice', {}, x.none));
  const seen = new Set();
  for (const team of teams) {
    main.append(
      h('h2', {}, team.team.name),
      h('table.alerts.oncall', { 'data-team': team.team.id },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, x.schedule), h('th', { scope: 'col' }, x.now), h('th', { scope: 'col' }, x.next))),
        h('tbody', {}, team.schedules.map((s) =>
          h('tr', { 'data-schedule': s.id },
            h('td', {}, s.name),
            h('td.now', {}, s.now ? `${s.now.name}${s.now.cover ? ` (${x.cover})` : ''}` : x.nobody),
            h('td.next', {}, s.next ? `${s.next.name ?? x.nobody} · ${formatTime(s.next.at)}` : '—'),
          ))),
      ),
    );
    for (const s of team.schedules) if (!seen.has(s.id)) seen.add(s.id);
  }
  for (const id of seen) main.append(await calendarSection(id));
}

async function calendarSection(id) {
  const x = t().oncall;
  const box = h('section.calendar', { 'data-calendar': id });
  const draw = async (message) => {
    const c = await get(`/oncall/${encodeURIComponent(id)}/calendar?days=14`);
    fill(box,
      h('h2', {}, x.calendar(c.schedule.name)),
      h('table.alerts.spans', {},
        h('thead', {}, h('tr', {}, [x.from, x.to, x.who].map((col) => h('th', { scope: 'col' }, col)))),
        h('tbody', {}, c.spans.map((sp) =>
          h('tr', { 'data-member': sp.member ?? '', 'data-cover': String(sp.cover) },
            h('td', {}, formatTime(sp.from)), h('td', {}, formatTime(sp.to)),
            h('td', {}, sp.name ? `${sp.name}${sp.cover ? ` (${x.cover})` : ''}` : x.nobody))))),
      coverList(c, draw),
      c.mayCover ? coverForm(c, draw) : null,
      message ? h('p.status', { role: 'status' }, message) : null);
  };
  await draw();
  return box;
}

/** The covers not over yet: who, from, until, made by; "Remove" on those this viewer may remove. */
function coverList(c, redraw) {
  const x = t().oncall;
  const covers = c.covers ?? [];
  if (!covers.length) return h('p.covers-none', {}, x.noCovers);
  const status = h('p.status', { role: 'status' });
  const remove = async (cover) => {
    try {
      await post(`/oncall/${encodeURIComponent(c.schedule.id)}/covers/${encodeURIComponent(cover.id)}/remove`);
      await redraw(x.removed);
    } catch (err) {
      status.className = 'status error';
      status.textContent = errorText(err);
    }
  };
  return h('div.covers', {},
    h('h3', {}, x.covers),
    h('table.alerts.covers', {},
      h('thead', {}, h('tr', {}, [x.who, x.from, x.to, x.madeBy, x.actions].map((col) => h('th', { scope: 'col' }, col)))),
      h('tbody', {}, covers.map((o) =>
        h('tr', { 'data-cover-id': o.id, 'data-member': o.member },
          h('td', {}, o.name), h('td', {}, formatTime(o.from)), h('td', {}, formatTime(o.to)), h('td', {}, o.byName ?? '—'),
          h('td', {}, o.mayRemove ? h('button', { type: 'button', onclick: () => remove(o), 'aria-label': `${x.remove} ${o.name}` }, x.remove) : null))))),
    status);
}

function coverForm(c, redraw) {
  const x = t().oncall;
  const status = h('p.status', { role: 'status' });
  return h('form.action.cover', {
    onsubmit: async (e) => {
      e.preventDefault();
      const f = e.target;
      try {
        const from = f.from.value ? new Date(f.from.value).toISOString() : undefined;
        await post(`/oncall/${encodeURIComponent(c.schedule.id)}/cover`, { member: f.member.value, duration: f.duration.value, ...(from ? { from } : {}) });
        await redraw(x.covered);
      } catch (err) {
        status.className = 'status error';
        status.textContent = errorText(err);
      }
    },
  },
    h('label', {}, x.coverBy, ' ', h('select', { name: 'member' }, c.members.map((m) => h('option', { value: m.id }, m.name)))),
    h('label', {}, x.fromLabel, ' ', h('input', { name: 'from', type: 'datetime-local' })),
    h('label', {}, x.duration, ' ', h('input', { name: 'duration', type: 'text', value: '8h', maxlength: '20' })),
    h('button', { type: 'submit' }, x.addCover),
    status);
}
