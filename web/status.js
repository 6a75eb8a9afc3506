// dutybot's own state (admins): readiness checks (database, chat adapters, webhooks), open alerts,
// outbox messages stuck past due, and how many consoles are watching live.
import { get } from './api.js';
import { fill, h } from './dom.js';
import { t } from './i18n.js';

export async function statusPage(main) {
  const s = await get('/status');
  const x = t().status;
  fill(
    main,
    h('h1', {}, x.title),
    h('p', { 'data-ready': String(s.ready.ok) }, h(`span.badge.${s.ready.ok ? 'state-resolved' : 'sev-critical'}`, {}, s.ready.ok ? x.ready : x.notReady)),
    h('h2', {}, x.checks),
    h('table.alerts.checks', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, x.check), h('th', { scope: 'col' }, x.state), h('th', { scope: 'col' }, x.detail))),
      h('tbody', {}, s.ready.checks.map((c) => h('tr', { 'data-check': c.name, 'data-ok': String(c.ok) }, h('td', {}, c.name), h('td', {}, c.ok ? x.ok : x.failing), h('td', {}, c.detail ?? ''))))),
    h('h2', {}, x.figures),
    h('dl.fields', {},
      h('dt', {}, t().state.triggered), h('dd', { 'data-figure': 'triggered' }, String(s.openAlerts.triggered)),
      h('dt', {}, t().state.acknowledged), h('dd', { 'data-figure': 'acknowledged' }, String(s.openAlerts.acknowledged)),
      h('dt', {}, x.outboxStuck), h('dd', { 'data-figure': 'outbox-stuck' }, s.outboxStuck ? Object.entries(s.outboxStuck).map(([m, n]) => `${m}: ${n}`).join(', ') || '0' : '—'),
      h('dt', {}, x.database), h('dd', {}, s.database),
      h('dt', {}, x.consoles), h('dd', {}, String(s.consoles)),
      h('dt', {}, x.uptime), h('dd', {}, `${Math.round(s.uptimeSeconds / 60)} min`),
    ),
  );
}
