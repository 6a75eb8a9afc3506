// Analytics for team leads: the figures of a period per team, application or member, alerts per
// day, time to detect/claim/resolve per day, and the noisiest alerts. Every number comes from the
// server (the REST API's own handler, src/console/analytics-api.ts): nothing is computed here but
// the drawing. The period is a plain GET form, so a period is a link that can be shared.
import { get } from './api.js';
import { barChart, lineChart } from './chart.js';
import { fill, h } from './dom.js';
import { errorText, formatDuration, locale, t } from './i18n.js';

const BY = ['team', 'application', 'member'];
/** A period's bound with its date, in the zone its days are counted in. */
const when = (iso, timeZone) => new Intl.DateTimeFormat(locale() === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
const PERIODS = ['7d', '30d', 'custom'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The day after a `YYYY-MM-DD` (the API's `to` is exclusive; the form's "until" includes its day). */
const nextDay = (ymd) => new Date(Date.parse(`${ymd}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export async function analyticsPage(main) {
  const x = t().analytics;
  const p = new URLSearchParams(location.search);
  const f = {
    by: BY.includes(p.get('by')) ? p.get('by') : 'team',
    period: PERIODS.includes(p.get('period')) ? p.get('period') : '7d',
    from: DATE.test(p.get('from') ?? '') ? p.get('from') : '',
    until: DATE.test(p.get('until') ?? '') ? p.get('until') : '',
    team: p.get('team') ?? '',
  };
  const q = new URLSearchParams({ by: f.by });
  if (f.team) q.set('team', f.team);
  if (f.period === 'custom' && f.from && f.until) {
    q.set('from', f.from);
    q.set('to', nextDay(f.until));
  } else {
    q.set('days', f.period === '30d' ? '30' : '7');
  }
  const dir = await get('/directory');
  let r;
  try {
    r = await get(`/analytics?${q}`);
  } catch (err) {
    // A period the server refuses (until before from, over a year): say why under the form, to fix there.
    if (err.status !== 400) throw err;
    return void fill(main, h('h1', {}, x.title), periodForm(f, dir), h('p.error', { role: 'alert' }, errorText(err)));
  }
  const teamName = (id) => dir.teams.find((tm) => tm.id === id)?.name ?? id;
  const csv = new URLSearchParams(q);
  csv.set('format', 'csv');

  fill(main,
    h('h1', {}, x.title),
    periodForm(f, dir),
    h('p.period', { 'data-role': 'period' }, x.period(when(r.from, r.timeZone), when(r.to, r.timeZone), r.timeZone, r.team ? teamName(r.team) : x.allTeams)),
    h('p', {}, h('a.button', { href: `/console/api/analytics?${csv}`, download: '', 'data-role': 'csv' }, x.csv)),
    h('h2', {}, x.figures[f.by]),
    r.rows.length ? figuresTable(r, teamName) : h('p.notice', {}, x.noAlerts),
    h('p.notice', {}, x.definitions),
    h('h2', {}, x.perDay),
    charts(r),
    h('h2', {}, x.noisiest),
    noisiest(r.noisiest.alerts),
  );
}

function periodForm(f, dir) {
  const x = t().analytics;
  const select = (name, options, value) => h('select', { name }, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  const period = select('period', PERIODS.map((v) => [v, x.periods[v]]), f.period);
  // Picking a date means picking one's own period.
  const custom = () => void (period.value = 'custom');
  return h('form.filters.analytics-period', { method: 'get', action: '/analytics' },
    h('label', {}, x.periodLabel, ' ', period),
    h('label', {}, x.from, ' ', h('input', { type: 'date', name: 'from', value: f.from, onchange: custom })),
    h('label', {}, x.until, ' ', h('input', { type: 'date', name: 'until', value: f.until, onchange: custom })),
    h('label', {}, t().filterTeam, ' ', select('team', [['', t().anyTeam], ...dir.teams.map((tm) => [tm.id, tm.name])], f.team)),
    h('label', {}, x.byLabel, ' ', select('by', BY.map((v) => [v, x.by[v]]), f.by)),
    h('button', { type: 'submit' }, x.show));
}

const secs = (v) => h('td.num', { 'data-seconds': v === null ? '' : String(v) }, formatDuration(v));
const num = (v) => h('td.num', {}, String(v));

function figuresTable(r, teamName) {
  const x = t().analytics;
  const c = x.col;
  if (r.by === 'member') {
    return h('table.alerts.figures', { 'data-by': 'member' },
      h('thead', {}, h('tr', {}, [c.member, c.claims, c.mtta, c.mttaP90, c.resolves, c.mttr, c.mttrP90, c.offHoursClaims, c.pages, c.nightPages, c.hoursOnCall].map((col) => h('th', { scope: 'col' }, col)))),
      h('tbody', {}, r.rows.map((m) => h('tr', { 'data-key': m.key },
        h('th', { scope: 'row' }, m.name), num(m.claims), secs(m.mttaSeconds), secs(m.mttaP90Seconds), num(m.resolves), secs(m.mttrSeconds), secs(m.mttrP90Seconds), num(m.offHoursClaims), num(m.pages), num(m.nightPages), num(m.hoursOnCall)))));
  }
  const head = r.by === 'team' ? c.team : c.application;
  return h('table.alerts.figures', { 'data-by': r.by },
    h('thead', {}, h('tr', {}, [head, c.opened, c.claimed, c.resolved, c.openAtEnd, c.escalated, c.offHours, c.mttd, c.mttdP90, c.mtta, c.mttaP90, c.mttr, c.mttrP90].map((col) => h('th', { scope: 'col' }, col)))),
    h('tbody', {}, r.rows.map((g) => h('tr', { 'data-key': g.key },
      h('th', { scope: 'row' }, r.by === 'team' ? teamName(g.key) : g.key),
      num(g.opened), num(g.claimed), num(g.resolved), num(g.openAtEnd), num(g.escalated), num(g.offHours),
      secs(g.mttdSeconds), secs(g.mttdP90Seconds), secs(g.mttaSeconds), secs(g.mttaP90Seconds), secs(g.mttrSeconds), secs(g.mttrP90Seconds)))));
}

function charts(r) {
  const x = t().analytics;
  const labels = r.days.map((d) => d.day.slice(5));
  const minutes = (v) => (v === null ? null : Math.round((v / 60) * 10) / 10);
  const times = [
    { name: x.col.mttd, cls: 'mttd', values: r.days.map((d) => minutes(d.mttdSeconds)) },
    { name: x.col.mtta, cls: 'mtta', values: r.days.map((d) => minutes(d.mttaSeconds)) },
    { name: x.col.mttr, cls: 'mttr', values: r.days.map((d) => minutes(d.mttrSeconds)) },
  ];
  const c = x.col;
  return h('div.charts', {},
    barChart({ id: 'chart-alerts', caption: x.alertsPerDay(r.timeZone), labels, values: r.days.map((d) => d.opened) }),
    lineChart({ id: 'chart-times', caption: x.timesPerDay, labels, series: times, format: (v) => x.minutes(Math.round(v * 10) / 10) }),
    // The charts' numbers as a table: their text alternative, and the exact values.
    h('details.per-day', {},
      h('summary', {}, x.perDayTable),
      h('table.alerts.days', {},
        h('caption', {}, x.perDay),
        h('thead', {}, h('tr', {}, [c.day, c.opened, c.claimed, c.resolved, c.mttd, c.mtta, c.mttr].map((col) => h('th', { scope: 'col' }, col)))),
        h('tbody', {}, r.days.map((d) => h('tr', { 'data-day': d.day },
          h('th', { scope: 'row' }, d.day), num(d.opened), num(d.claimed), num(d.resolved), secs(d.mttdSeconds), secs(d.mttaSeconds), secs(d.mttrSeconds)))))));
}

function noisiest(rows) {
  const x = t().analytics;
  if (!rows.length) return h('p.notice', {}, x.noAlerts);
  return h('table.alerts.noisiest', {},
    h('thead', {}, h('tr', {}, [x.col.title, x.col.integration, x.col.alerts, x.col.events].map((col) => h('th', { scope: 'col' }, col)))),
    h('tbody', {}, rows.map((n) => h('tr', { 'data-dedup': n.dedupKey },
      h('td.title', {}, n.title), h('td', {}, n.integration), num(n.alerts), num(n.events)))));
}
