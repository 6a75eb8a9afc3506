// The route tester: paste a payload as the tool sends it, see which rule takes it and why every
// rule did or did not. Nothing is stored or sent.
import { get, post } from './api.js';
import { fill, h } from './dom.js';
import { errorText, t } from './i18n.js';

export async function routeTestPage(main) {
  const x = t().routes;
  const { integrations } = await get('/routes/integrations');
  const result = h('div.route-result', { 'aria-live': 'polite' });
  const payload = h('textarea', { name: 'payload', rows: '10', cols: '80', spellcheck: 'false' },
    '{"eventType":"trigger","dedupKey":"disk-web-1","title":"Disk almost full on web-1","severity":"critical","host":"web-1"}');
  const form = h('form.route-test', {
    onsubmit: async (e) => {
      e.preventDefault();
      payload.removeAttribute('aria-invalid');
      let parsed;
      try {
        parsed = JSON.parse(payload.value);
      } catch (err) {
        payload.setAttribute('aria-invalid', 'true');
        return void fill(result, h('p.error', { role: 'alert' }, `${x.badJson}: ${err.message}`));
      }
      try {
        const r = await post('/routes/test', { integration: e.target.integration.value, payload: parsed });
        fill(result, r.events.map(eventResult));
      } catch (err) {
        fill(result, h('p.error', { role: 'alert' }, errorText(err)));
      }
    },
  },
    h('label', {}, x.integration, ' ', h('select', { name: 'integration' }, integrations.map((i) => h('option', { value: i.name }, `${i.name} (${i.type})`)))),
    h('label.block', {}, x.payload, payload),
    h('button', { type: 'submit' }, x.test));
  fill(main, h('h1', {}, x.title), form, result);
}

function eventResult(ev) {
  const x = t().routes;
  return h('section.route-event', { 'data-dedup': ev.dedupKey },
    h('h2', {}, ev.title),
    h('dl.fields', {},
      h('dt', {}, x.team), h('dd', { 'data-role': 'teams' }, ev.teams.join(', ')),
      h('dt', {}, x.rules), h('dd', { 'data-role': 'matched' }, ev.fallback ? x.fallback : ev.matchedRules.join(', ')),
      h('dt', {}, x.policy), h('dd', {}, ev.escalationPolicy ?? '—'),
      h('dt', {}, x.channels), h('dd', {}, ev.channels.map((c) => `${c.platform}:${c.channel}`).join(', ') || '—')),
    ev.rules.length
      ? h('table.alerts.rules', {},
          h('thead', {}, h('tr', {}, [x.rule, x.matchedCol, x.why].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ev.rules.map((r) => h('tr', { 'data-rule': r.rule, 'data-matched': String(r.matched) },
            h('td', {}, r.rule), h('td', {}, r.matched ? '✓' : r.reached ? '✗' : '—'), h('td', {}, r.why)))))
      : h('p.notice', {}, x.noRules));
}
