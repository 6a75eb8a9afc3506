// Remediation actions on an alert's page: the same actions its card offers, with the console's
// own confirmation (a checkbox) and the approvals so far.
import { get, post } from './api.js';
import { h } from './dom.js';
import { errorText, locale, t } from './i18n.js';

/** The outcome of the last run per alert: the page is redrawn after a run, and it must still say so. */
const outcomes = new Map();

export async function runsSection(a, reload) {
  const { actions, last } = await get(`/alerts/${a.id}/actions`);
  if (!actions.length) return null;
  const x = t().runs;
  // Kept until the next run: a push from the stream may redraw the page more than once.
  const status = h('p.status', { role: 'status', 'data-role': 'run-status' }, outcomes.get(a.id) ?? '');
  const forms = actions.map((act) => {
    const confirm = act.confirm ? h('label', {}, h('input', { type: 'checkbox', name: 'confirmed' }), ' ', x.confirm) : null;
    const approvals = act.approval > 1 ? h('span.note', {}, ` ${x.approvals(act.approvedBy.length, act.approval, act.approvedBy)}`) : null;
    return h('form.action.run', {
      'data-run': act.name,
      onsubmit: async (e) => {
        e.preventDefault();
        status.className = 'status';
        status.textContent = x.running;
        outcomes.delete(a.id);
        try {
          const r = await post(`/alerts/${a.id}/run`, { action: act.name, ...(act.confirm ? { confirmed: e.target.confirmed.checked } : {}) });
          outcomes.set(a.id, r.ran ? r.ran.line : x.approved(r.approval.by.length, r.approval.needed));
          await reload();
        } catch (err) {
          status.className = 'status error';
          status.textContent = errorText(err);
        }
      },
    }, h('strong', {}, act.label[locale()] ?? act.name), approvals, confirm, h('button', { type: 'submit', disabled: !act.mayRun }, x.run));
  });
  const lastRun = last ? h('p.note', { 'data-role': 'last-run' }, `${x.last}: ${last.action} — ${(last.by ?? []).join(', ')} — ${last.status ?? ''} ${last.error ?? last.excerpt ?? ''}`) : null;
  return h('section.actions', { 'aria-labelledby': 'runs-h' }, h('h2', { id: 'runs-h' }, x.title), ...forms, lastRun, status);
}
