// Integrations (admins): address, key (hidden until asked), copy-paste set-up for the tool, and a
// test alert through the same ingestion path the tool's events take.
import { post, get } from './api.js';
import { fill, h } from './dom.js';
import { errorText, formatTime, t } from './i18n.js';

/** The set-up text for each kind of tool, as the README gives it. */
function snippet(i, key) {
  switch (i.type) {
    case 'alertmanager':
      return `receivers:\n  - name: dutybot\n    webhook_configs:\n      - url: ${i.url}\n        http_config:\n          authorization: { type: Bearer, credentials: ${key} }\n        send_resolved: true`;
    case 'grafana':
      return `Contact point: Webhook\nURL: ${i.url}\nAuthorization header: scheme Bearer, credentials ${key}`;
    case 'graylog':
      return `Alerts → Notifications → HTTP Notification\nURL: ${i.url}?key=${key}`;
    case 'zabbix':
      return `Media type: Webhook (docs/zabbix-media-type.md)\nURL: ${i.url}?key=${key}`;
    default:
      return `curl -sS -X POST ${i.url} -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\\n  -d '{"eventType":"trigger","dedupKey":"disk-web-1","title":"Disk almost full on web-1","severity":"warning","host":"web-1"}'`;
  }
}

export async function integrationsPage(main) {
  const x = t().integ;
  const { integrations } = await get('/integrations');
  fill(main, h('h1', {}, x.title), ...integrations.map((i) => card(i, x)));
}

function card(i, x) {
  let shown = false;
  const masked = `••••${i.key.slice(-4)}`;
  const keyText = h('code.key', {}, masked);
  // Focusable: a long line scrolls sideways, and a keyboard user must be able to scroll it too.
  const code = h('pre.snippet', { tabindex: '0' }, snippet(i, '<key>'));
  const status = h('p.status', { role: 'status' });
  const toggle = h('button', {
    type: 'button',
    onclick: () => {
      shown = !shown;
      keyText.textContent = shown ? i.key : masked;
      code.textContent = snippet(i, shown ? i.key : '<key>');
      toggle.textContent = shown ? x.hideKey : x.showKey;
    },
  }, x.showKey);
  const test = h('button', {
    type: 'button',
    'data-test': i.name,
    onclick: async () => {
      status.className = 'status';
      try {
        const r = await post(`/integrations/${encodeURIComponent(i.name)}/test`);
        fill(status, x.sent, ' ', h('a', { href: `/alerts/${r.shortId}` }, `#${r.shortId}`));
      } catch (err) {
        status.className = 'status error';
        status.textContent = errorText(err);
      }
    },
  }, x.test);
  return h('section.integration', { 'data-integration': i.name },
    h('h2', {}, `${i.name} `, h('span.badge', {}, i.type)),
    h('dl.fields', {},
      h('dt', {}, x.team), h('dd', {}, i.team),
      h('dt', {}, x.url), h('dd', {}, h('code', {}, i.url)),
      h('dt', {}, x.key), h('dd', {}, keyText, ' ', toggle),
      h('dt', {}, x.counts), h('dd.counts', {}, x.countsText(i.activity.accepted, i.activity.rejected)),
      h('dt', {}, x.lastEvent), h('dd.last-event', {}, i.activity.lastAcceptedAt ? formatTime(i.activity.lastAcceptedAt) : x.never),
      ...(i.activity.lastRejectedAt
        ? [h('dt', {}, x.lastRejected), h('dd.last-rejected', {}, `${formatTime(i.activity.lastRejectedAt)} · `, h('code', {}, i.activity.lastRejection ?? ''))]
        : [])),
    code, test, status);
}
