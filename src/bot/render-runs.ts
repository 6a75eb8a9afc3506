import type { Alert } from '../core/alert.js';
import type { CardField, CardRun, Locale } from './card.js';

/**
 * The remediation part of an alert card, pure: a button per action the alert matches, and the
 * lines that say what is going on — approvals still wanted ("waiting for 1 more approval (张三)")
 * and the last run's result ("▶️ Restart nginx · 张三 · 09:41 · HTTP 200 {…}"). Rendered from the
 * alert itself (`alert.remediation`), so every copy of the card, on every platform, says the same.
 */

/** What the card needs of an `actions:` entry. */
export interface CardRemediationAction {
  name: string;
  label?: string;
  labelZh?: string;
  confirm: boolean;
  approval: number;
}

export interface RenderedRuns {
  runs: CardRun[];
  fields: CardField[];
  /** `执行 restart-nginx 12`, for the command hint. */
  hints: string[];
  /** The last result's line, when there is one. */
  result?: string;
}

const say = (l: Locale, zh: string, en: string): string => (l === 'en' ? en : zh);
const LABEL_MAX = 75;
const EXCERPT_ON_CARD = 100;

/** The button text: `labelZh` on Chinese cards, else `label`, else the name; `{host}`/`{service}` filled in. */
export function runLabel(a: Pick<CardRemediationAction, 'name' | 'label' | 'labelZh'>, alert: Pick<Alert, 'host' | 'service'>, locale: Locale): string {
  const raw = (locale === 'zh' ? (a.labelZh ?? a.label) : a.label) ?? a.name;
  const filled = raw
    .replace(/\{host\}/g, alert.host ?? '')
    .replace(/\{service\}/g, alert.service ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const points = Array.from(filled || a.name);
  return points.length <= LABEL_MAX ? points.join('') : `${points.slice(0, LABEL_MAX - 1).join('')}…`;
}

/** The command verb in the card's language. */
export const runVerb = (l: Locale): string => say(l, '执行', 'run');

export function renderRuns(
  alert: Alert,
  actions: readonly CardRemediationAction[],
  locale: Locale,
  formatTime: (d: Date) => string,
): RenderedRuns {
  const out: RenderedRuns = { runs: [], fields: [], hints: [] };
  const shortId = String(alert.shortId);
  const byName = new Map(actions.map((a) => [a.name, a]));
  const labelOf = (name: string): string => {
    const a = byName.get(name);
    return a ? runLabel(a, alert, locale) : name;
  };
  if (alert.state !== 'resolved') {
    for (const a of actions) {
      const label = runLabel(a, alert, locale);
      const command = `${runVerb(locale)} ${a.name} ${shortId}`;
      const run: CardRun = { name: a.name, label, command };
      if (a.confirm) {
        run.confirm = {
          title: say(locale, '确认执行？', 'Run this action?'),
          text: say(locale, `${label}（#${shortId}）`, `${label} (#${shortId})`),
          ok: say(locale, '执行', 'Run'),
          cancel: say(locale, '取消', 'Cancel'),
        };
        run.style = 'danger';
      }
      if (a.approval > 1) run.approval = a.approval;
      out.runs.push(run);
      out.hints.push(command);
    }
    const pending = alert.remediation?.pending ?? [];
    if (pending.length) {
      const lines = pending.map((p) => {
        const more = Math.max(1, p.needed - p.by.length);
        const names = p.by.map((b) => b.name).join(say(locale, '、', ', '));
        return say(locale, `${labelOf(p.action)}：还需 ${more} 人批准（${names}）`, `${labelOf(p.action)}: waiting for ${more} more approval${more > 1 ? 's' : ''} (${names})`);
      });
      out.fields.push({ label: say(locale, '待批准', 'Awaiting approval'), value: lines.join(say(locale, '；', '; ')) });
    }
  }
  const last = alert.remediation?.last;
  if (last) {
    const good = last.status !== undefined && last.status >= 200 && last.status < 300;
    const excerpt = Array.from(last.excerpt ?? '').slice(0, EXCERPT_ON_CARD).join('');
    const answer =
      last.status !== undefined
        ? `HTTP ${last.status}${excerpt ? ` ${excerpt}` : ''}`
        : say(locale, `无响应（${last.error ?? ''}）`, `no answer (${last.error ?? ''})`);
    const when = formatTime(last.at);
    const value = [`${good ? '▶️' : '⚠️'} ${labelOf(last.action)}`, last.by.join(say(locale, '、', ', ')), when, answer].filter(Boolean).join(' · ');
    out.fields.push({ label: say(locale, '动作结果', 'Action result'), value });
    out.result = value;
  }
  return out;
}
