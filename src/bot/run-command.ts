import type { Member } from '../config/schema.js';
import { CONFIRM_MS, type RemediationActions, type RunRequestOutcome } from '../notify/webhooks/remediation.js';
import type { Locale } from './card.js';
import type { ActionRequest, BotReply, InboundRequest } from './chat-adapter.js';
import { identityPlatform } from './chat-service.js';
import { OTHER_VERBS } from './commands.js';
import { runLabel, runVerb } from './render-runs.js';

/**
 * The remediation command and buttons, in both languages:
 *
 *   run|执行 <action> <id>     run a configured action on an alert (`run restart-nginx 42`)
 *   run|执行                   list the actions
 *   a card's action button     the same, as the clicker
 *
 * The id may be left out when the message quotes a card. Answers `null` for any other text.
 * Refusals (unknown action, not allowed, the action does not apply to the alert, a second
 * approval by the same person) are private and change nothing. `confirm: true` asks first: send
 * the command (or click) again within two minutes (Slack's button asks in its own dialog).
 * `approval: n` records approvals on the alert (its cards show who) until the n-th member's runs it.
 * A typed run's result is posted in the channel; a click's shows on the card, for everyone.
 */
// The verbs live with every other command's, so help lists them (src/bot/commands.ts).
const VERBS = new Set(OTHER_VERBS.run);
const MENTIONS = /^(\s*(?:[@＠]\S+|<@[^>]+>))*\s*/;
const say = (l: Locale, zh: string, en: string): string => (l === 'en' ? en : zh);

/**
 * Whether a text is a `run` command (`执行 restart-nginx 12`), for platforms that pass only
 * commands to the core and leave chatter alone (a WeChat group): the verb, then an action name
 * in the config's spelling, so "执行 一下" stays chatter.
 */
export function isRunCommand(text: string): boolean {
  const words = text.replace(MENTIONS, '').trim().split(/\s+/);
  return VERBS.has(words[0]?.normalize('NFKC').toLowerCase() ?? '') && /^[A-Za-z0-9_.-]{1,64}$/.test(words[1] ?? '') && words.length <= 3;
}

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
    const r = await this.actions.request(name, ref, member, via, { channel: req.channel });
    return this.answer(r, name, ref, member, l, false);
  }

  /** A click on a card's action button (`value` is the action's name). */
  async click(req: ActionRequest, member: Member | undefined, l: Locale): Promise<BotReply | null> {
    const name = req.value ?? '';
    if (!member) return { text: say(l, '只有已登记的成员可以执行动作', 'only known members can run actions'), private: true };
    const via = identityPlatform(req.platform) ?? req.platform;
    const r = await this.actions.request(name, req.alertRef, member, via, { channel: req.channel, confirmed: req.confirmed === true });
    return this.answer(r, name, req.alertRef, member, l, true);
  }

  private answer(r: RunRequestOutcome, name: string, ref: string, member: Member, l: Locale, click: boolean): BotReply | null {
    const list = this.actions.names().join(', ');
    if (r.ok === false) {
      const who = r.action ? [...r.action.teams.map((t) => say(l, `团队 ${t}`, `team ${t}`)), ...r.action.members].join(', ') : '';
      const text = {
        'unknown-action': say(l, `没有名为 "${name}" 的动作；可用：${list}`, `no action named "${name}"; actions: ${list}`),
        'not-found': say(l, `找不到告警 #${ref}`, `alert #${ref} not found`),
        'not-allowed': say(l, `你不能执行 ${name}（允许：${who}）`, `you may not run ${name} (allowed: ${who})`),
        'no-match': say(l, `动作 ${name} 不适用于告警 #${r.alert?.shortId ?? ref}`, `action ${name} does not apply to alert #${r.alert?.shortId ?? ref}`),
        resolved: say(l, `告警 #${r.alert?.shortId ?? ref} 已关闭`, `alert #${r.alert?.shortId ?? ref} is already resolved`),
        running: say(l, `${r.by ?? ''} 正在对 #${r.alert?.shortId ?? ref} 执行 ${name}，结果会显示在卡片上`, `${r.by ?? 'someone'} is running ${name} on #${r.alert?.shortId ?? ref}; the result will show on the card`),
      }[r.reason];
      return { text, private: true };
    }
    const label = runLabel(r.action, r.alert, l);
    const id = r.alert.shortId;
    const command = `${runVerb(l)} ${name} ${id}`;
    if (r.ok === 'confirm') {
      const minutes = Math.round(CONFIRM_MS / 60_000);
      const text = click
        ? say(l, `⚠️ 确认执行「${label}」（#${id}）？请在 ${minutes} 分钟内再次点击该按钮确认（或发送：${command}）`, `⚠️ Run "${label}" on #${id}? Click the button again within ${minutes} minutes to confirm (or send: ${command})`)
        : say(l, `⚠️ 确认执行「${label}」（#${id}）？请在 ${minutes} 分钟内再次发送：${command}`, `⚠️ Run "${label}" on #${id}? Send "${command}" again within ${minutes} minutes to confirm`);
      return { text, private: true };
    }
    if (r.ok === 'approval') {
      const more = Math.max(1, r.pending.needed - r.pending.by.length);
      const names = r.pending.by.map((b) => b.name).join(say(l, '、', ', '));
      if (r.already) {
        return {
          text: say(l, `你已批准过「${label}」（#${id}），还需 ${more} 位其他成员批准（已批准：${names}）`, `You have already approved "${label}" on #${id}; it needs ${more} more approval${more > 1 ? 's' : ''} from someone else (approved: ${names})`),
          private: true,
        };
      }
      const text = say(
        l,
        `🗳 ${member.name} 批准了「${label}」（#${id}），还需 ${more} 人批准（已批准：${names}）；其他成员发送「${command}」或点击按钮批准`,
        `🗳 ${member.name} approved "${label}" on #${id}; waiting for ${more} more approval${more > 1 ? 's' : ''} (${names}). Another member sends "${command}" or clicks the button to approve`,
      );
      // A typed approval is said in the channel (a WeChat group sees no card change); a click shows on the card.
      return { text, private: click };
    }
    if (click) return null; // the result is on every copy of the card
    const result = r.status !== undefined ? `HTTP ${r.status}${r.excerpt ? ` ${r.excerpt}` : ''}` : say(l, `无响应（${r.error}）`, `no answer (${r.error})`);
    const icon = r.status !== undefined && r.status >= 200 && r.status < 300 ? '▶️' : '⚠️';
    const shown = r.action.label ? ` (${r.action.label})` : '';
    return {
      text: say(l, `${icon} ${member.name} 在 #${id} 执行了 ${name}${shown}：${result}`, `${icon} ${member.name} ran ${name}${shown} on #${id}: ${result}`),
      private: false,
    };
  }
}
