import type { Member } from '../config/schema.js';
import type { RemediationActions } from '../notify/webhooks/remediation.js';
import type { Locale } from './card.js';
import type { BotReply, InboundRequest } from './chat-adapter.js';
import { identityPlatform } from './chat-service.js';
import { OTHER_VERBS } from './commands.js';

/**
 * The remediation command, in both languages:
 *
 *   run|执行 <action> <id>     run a configured action on an alert (`run restart-nginx 42`)
 *   run|执行                   list the actions
 *
 * The id may be left out when the message quotes a card. Answers `null` for any other text.
 * Refusals (unknown action, not allowed, the action does not apply to the alert) are private and
 * change nothing; a run's result is posted in the channel and written on the alert's timeline.
 */
// The verbs live with every other command's, so help lists them (src/bot/commands.ts).
const VERBS = new Set(OTHER_VERBS.run);
const MENTIONS = /^(\s*(?:[@＠]\S+|<@[^>]+>))*\s*/;
const say = (l: Locale, zh: string, en: string): string => (l === 'en' ? en : zh);

export class RunCommand {
  constructor(private readonly actions: RemediationActions) {}

  async handle(req: InboundRequest, member: Member | undefined, l: Locale): Promise<BotReply | null> {
    if (req.kind !== 'command' || typeof req.text !== 'string') return null;
    const words = req.text.replace(MENTIONS, '').trim().split(/\s+/).filter(Boolean);
    const verb = words[0]?.normalize('NFKC').toLowerCase() ?? '';
    if (!VERBS.has(verb)) return null;
    const usage = say(l, '用法：执行 <动作> <编号>（run <action> <id>）', 'usage: run <action> <id> (执行 <动作> <编号>)');
    const names = this.actions.names();
    const list = names.length ? names.join(', ') : say(l, '（未配置 actions:）', '(no actions: configured)');
    const [name, rawRef, ...extra] = words.slice(1);
    if (!name) return { text: `${usage}\n${say(l, '可用动作：', 'actions: ')}${list}`, private: true };
    const ref = (rawRef ?? req.quotedAlertRef)?.replace(/^[#＃]/, '');
    if (!ref || extra.length) return { text: usage, private: true };
    if (!member) return { text: say(l, '只有已登记的成员可以执行动作', 'only known members can run actions'), private: true };
    const via = identityPlatform(req.platform) ?? req.platform;
    const r = await this.actions.run(name, ref, member, via, req.channel);
    if (!r.ok) {
      const who = r.action ? [...r.action.teams.map((t) => say(l, `团队 ${t}`, `team ${t}`)), ...r.action.members].join(', ') : '';
      const text = {
        'unknown-action': say(l, `没有名为 "${name}" 的动作；可用：${list}`, `no action named "${name}"; actions: ${list}`),
        'not-found': say(l, `找不到告警 #${ref}`, `alert #${ref} not found`),
        'not-allowed': say(l, `你不能执行 ${name}（允许：${who}）`, `you may not run ${name} (allowed: ${who})`),
        'no-match': say(l, `动作 ${name} 不适用于告警 #${r.alert?.shortId ?? ref}`, `action ${name} does not apply to alert #${r.alert?.shortId ?? ref}`),
        resolved: say(l, `告警 #${r.alert?.shortId ?? ref} 已关闭`, `alert #${r.alert?.shortId ?? ref} is already resolved`),
      }[r.reason];
      return { text, private: true };
    }
    const label = r.action.label ? ` (${r.action.label})` : '';
    const result = r.status !== undefined ? `HTTP ${r.status}${r.excerpt ? ` ${r.excerpt}` : ''}` : say(l, `无响应（${r.error}）`, `no answer (${r.error})`);
    const icon = r.status !== undefined && r.status >= 200 && r.status < 300 ? '▶️' : '⚠️';
    return {
      text: say(l, `${icon} ${member.name} 在 #${r.alert.shortId} 执行了 ${name}${label}：${result}`, `${icon} ${member.name} ran ${name}${label} on #${r.alert.shortId}: ${result}`),
      private: false,
    };
  }
}
