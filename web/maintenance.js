// Maintenance windows: those open or scheduled, the last week's ended ones, and (admins) a form
// that previews, as you type, which open alerts the window would hold.
import { get, post } from './api.js';
import { fill, h } from './dom.js';
import { errorText, formatTime, t } from './i18n.js';

export async function maintenancePage(main, viewer) {
  const x = t().maint;
  const isAdmin = viewer.role === 'admin';
  const draw = async () => {
    const { windows, ended } = await get('/maintenance');
    const table = (rows, open) =>
      rows.length
        ? h('table.alerts.windows', {},
            h('thead', {}, h('tr', {}, [x.id, x.what, x.from, x.to, x.reason, x.by, ...(open && isAdmin ? [''] : [])].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, rows.map((w) =>
              h('tr', { 'data-window': w._id, 'data-state': w.state },
                h('td', {}, w._id), h('td', {}, w.describe), h('td', {}, formatTime(w.startsAt)), h('td', {}, formatTime(w.endedAt ?? w.endsAt)),
                h('td', {}, w.reason ?? ''), h('td', {}, w.createdBy?.name ?? ''),
                open && isAdmin ? h('td', {}, h('button', { type: 'button', 'data-end': w._id, onclick: () => end(w._id) }, x.end)) : null))))
        : h('p.notice', {}, x.none);
    fill(main, h('h1', {}, x.title), isAdmin ? form() : null, h('h2', {}, x.open), table(windows, true), h('h2', {}, x.ended), table(ended, false), status);
  };
  const status = h('p.status', { role: 'status', 'data-role': 'maint-status' });
  const end = async (id) => {
    try {
      await post(`/maintenance/${encodeURIComponent(id)}/end`);
      status.textContent = x.endedOk(id);
      await draw();
    } catch (err) {
      status.textContent = errorText(err);
    }
  };

  function form() {
    const matchers = h('input', { name: 'matchers', type: 'text', placeholder: 'host=web-1 service=nginx', maxlength: '1000', 'aria-describedby': 'preview' });
    const all = h('input', { name: 'all', type: 'checkbox' });
    const duration = h('input', { name: 'duration', type: 'text', value: '1h', maxlength: '20' });
    const reason = h('input', { name: 'reason', type: 'text', maxlength: '500' });
    const preview = h('div.preview', { id: 'preview', 'aria-live': 'polite' });
    let timer;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const r = await post('/maintenance/preview', { matchers: matchers.value, all: all.checked });
          fill(preview, r.needsMatcher ? x.needsMatcher : h('p', {}, x.wouldHold(r.alerts.length)),
            h('ul', {}, r.alerts.map((a) => h('li', { 'data-ref': a.shortId }, `#${a.shortId} ${a.title}${a.host ? ` (${a.host})` : ''}`))));
        } catch (err) {
          fill(preview, h('p.error', {}, errorText(err)));
        }
      }, 250);
    };
    matchers.addEventListener('input', refresh);
    all.addEventListener('change', refresh);
    return h('section', {},
      h('h2', {}, x.create),
      h('form.action.maint', {
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            const r = await post('/maintenance', { matchers: matchers.value || undefined, all: all.checked, duration: duration.value, reason: reason.value || undefined });
            status.textContent = x.created(r.window._id);
            await draw();
          } catch (err) {
            status.textContent = errorText(err);
          }
        },
      },
        h('label', {}, x.matchers, ' ', matchers), h('label', {}, all, ' ', x.all), h('label', {}, x.duration, ' ', duration), h('label', {}, x.reason, ' ', reason),
        h('button', { type: 'submit' }, x.submit)),
      preview);
  }
  await draw();
}
