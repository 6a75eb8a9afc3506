// One event stream per page (server-sent events, /console/api/events). Views subscribe to alert
// changes; after a reconnect they are told to reload, since changes made while away were missed.

const listeners = new Set();
let source = null;

/** `fn({ type: 'alert', event })` for each change, `fn({ type: 'reconnected' })` after a gap. */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function startLive(indicator, texts) {
  if (source) return;
  let wasDown = false;
  source = new EventSource('/console/api/events');
  const show = (up) => {
    indicator.hidden = false;
    indicator.textContent = up ? texts().live : texts().offline;
    indicator.className = up ? 'live up' : 'live down';
    indicator.dataset.state = up ? 'up' : 'down';
  };
  source.addEventListener('open', () => {
    show(true);
    if (wasDown) for (const fn of listeners) fn({ type: 'reconnected' });
    wasDown = false;
  });
  source.addEventListener('error', () => {
    wasDown = true;
    show(false);
  });
  source.addEventListener('alert', (m) => {
    const event = JSON.parse(m.data);
    for (const fn of listeners) fn({ type: 'alert', event });
  });
}
