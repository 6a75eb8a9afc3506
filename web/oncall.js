// Who is on call now on each team's schedules, and who takes over next (the chat's `oncall`).
import { get } from './api.js';
import { fill, h } from './dom.js';
import { formatTime, t } from './i18n.js';

export async function onCallPage(main) {
  const { teams } = await get('/oncall');
  const x = t().oncall;
  fill(main, h('h1', {}, x.title));
  if (!teams.length) return void main.append(h('p.notice', {}, x.none));
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
  }
}
