// Heartbeats (dead man's switches): state, last ping, interval, and a pause for those the viewer may.
import { get, post } from './api.js';
import { fill, h } from './dom.js';
import { errorText, formatTime, t } from './i18n.js';

export async function heartbeatsPage(main) {
  const x = t().hb;
  const status = h('p.status', { role: 'status', 'data-role': 'hb-status' });
  const draw = async () => {
    const { heartbeats } = await get('/heartbeats');
    if (!heartbeats.length) return void fill(main, h('h1', {}, x.title), h('p.notice', {}, x.none));
    fill(main, h('h1', {}, x.title),
      h('table.alerts.heartbeats', {},
        h('thead', {}, h('tr', {}, [x.name, x.team, x.state, x.last, x.every, ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, heartbeats.map((b) =>
          h('tr', { 'data-heartbeat': b.name, 'data-state': b.state },
            h('td', {}, b.name), h('td', {}, b.team),
            h('td.state', {}, x.states[b.state] ?? b.state, b.pausedUntil ? ` · ${x.until(formatTime(b.pausedUntil), b.pausedBy ?? '')}` : '', b.downAt ? ` · ${x.since(formatTime(b.downAt))}` : ''),
            h('td', {}, b.lastPingAt ? formatTime(b.lastPingAt) : x.never),
            h('td', {}, `${Math.round(b.intervalMs / 60_000)} min`),
            h('td', {}, b.mayPause ? pauseForm(b.name) : null))))),
      status);
  };
  const pauseForm = (name) => {
    const duration = h('input', { name: 'duration', type: 'text', value: '1h', maxlength: '20', 'aria-label': `${x.pause} ${name}` });
    return h('form.action', {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await post(`/heartbeats/${encodeURIComponent(name)}/pause`, { duration: duration.value });
          status.className = 'status';
          status.textContent = x.paused(name);
          await draw();
        } catch (err) {
          status.className = 'status error';
          status.textContent = errorText(err);
        }
      },
    }, duration, h('button', { type: 'submit' }, x.pause));
  };
  await draw();
}
