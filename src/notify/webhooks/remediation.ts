import type { Member, RemediationAction } from '../../config/schema.js';
import type { Alert } from '../../core/alert.js';
import { parseConfigDuration } from '../../core/duration.js';
import { compileMatchContext, compileMatchers, matchAlert, type CompiledMatchers } from '../../core/matchers.js';
import type { Runtime } from '../../runtime.js';
import { signedPostAnswer } from '../signed-post.js';
import { webhookAlert, type ActionRunBodyV1 } from './body.js';
import { subjectOfAlert } from './outgoing.js';

/** Why a run was refused (nothing was sent), or what the receiver answered. */
export type RunOutcome =
  | { ok: false; reason: 'unknown-action' | 'not-found' | 'not-allowed' | 'no-match' | 'resolved'; action?: RemediationAction; alert?: Alert }
  | { ok: true; action: RemediationAction; alert: Alert; status?: number; excerpt: string; error?: string; line: string };

const EXCERPT = 200;

/**
 * Remediation actions (`actions:` in the config): a member runs one on an alert it matches; the
 * signed POST (src/notify/signed-post.ts, the webhooks' signer) goes out at once, and its HTTP
 * status and a short excerpt of the answer (or the timeout) are written on the alert's
 * timeline. Not retried: a person ran it and sees the result, and may run it again.
 */
export class RemediationActions {
  private readonly actions = new Map<string, { cfg: RemediationAction; matchers: CompiledMatchers; timeoutMs: number }>();

  constructor(private readonly rt: Pick<Runtime, 'config' | 'alerts' | 'clock' | 'directory' | 'log'>) {
    const ctx = compileMatchContext(rt.config);
    for (const cfg of rt.config.actions) {
      this.actions.set(cfg.name, { cfg, matchers: compileMatchers(cfg.match, ctx), timeoutMs: parseConfigDuration(cfg.timeout) ?? 10_000 });
    }
  }

  get size(): number {
    return this.actions.size;
  }

  names(): string[] {
    return [...this.actions.keys()];
  }

  /** The actions an alert matches (what a card or `show` could offer). */
  forAlert(alert: Alert): RemediationAction[] {
    return [...this.actions.values()].filter((a) => matchAlert(a.matchers, subjectOfAlert(alert), alert.firstSeenAt).matched).map((a) => a.cfg);
  }

  mayRun(action: RemediationAction, member: Member): boolean {
    return action.members.includes(member.id) || action.teams.some((t) => this.rt.directory.team(t)?.members.includes(member.id));
  }

  async run(name: string, ref: string, member: Member, via: string, channel?: string): Promise<RunOutcome> {
    const a = this.actions.get(name);
    if (!a) return { ok: false, reason: 'unknown-action' };
    const alert = await this.rt.alerts.get(ref);
    if (!alert) return { ok: false, reason: 'not-found', action: a.cfg };
    if (!this.mayRun(a.cfg, member)) return { ok: false, reason: 'not-allowed', action: a.cfg, alert };
    if (!matchAlert(a.matchers, subjectOfAlert(alert), alert.firstSeenAt).matched) return { ok: false, reason: 'no-match', action: a.cfg, alert };
    if (alert.state === 'resolved') return { ok: false, reason: 'resolved', action: a.cfg, alert };
    const now = this.rt.clock.now();
    const id = `run:${name}:${alert.id}:${member.id}:${now.getTime()}`;
    const body: ActionRunBodyV1 = { version: 1, id, action: name, at: now.toISOString(), by: { memberId: member.id, name: member.name, via }, alert: webhookAlert(alert) };
    const answer = await signedPostAnswer(a.cfg.url, body, {
      secret: a.cfg.secret,
      idempotencyKey: id,
      timestamp: Math.floor(now.getTime() / 1000),
      timeoutMs: a.timeoutMs,
      maxBodyBytes: 4_096,
    });
    const excerpt = (answer.body ?? '').replace(/\s+/g, ' ').trim().slice(0, EXCERPT);
    const error = answer.result.kind === 'sent' ? undefined : answer.result.error;
    const outcome = answer.status !== undefined ? `http ${answer.status}${excerpt ? ` ${excerpt}` : ''}` : `no answer (${error})`;
    const line = `ran action "${name}": ${outcome}`.slice(0, 500);
    await this.rt.alerts.addTimeline([
      { alertId: alert.id, at: this.rt.clock.now(), kind: 'note', actor: { kind: 'member', memberId: member.id, name: member.name, via, channel }, text: line },
    ]);
    this.rt.log.info({ action: name, alertId: alert.id, member: member.id, status: answer.status, error }, 'remediation action run');
    return { ok: true, action: a.cfg, alert, status: answer.status, excerpt, error, line };
  }
}
