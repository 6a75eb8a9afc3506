import type { Member, RemediationAction } from '../../config/schema.js';
import type { Alert, RemediationApproval, RemediationResult } from '../../core/alert.js';
import { parseConfigDuration } from '../../core/duration.js';
import { compileMatchContext, compileMatchers, matchAlert, type CompiledMatchers } from '../../core/matchers.js';
import type { Runtime } from '../../runtime.js';
import type { RemediationState } from '../../store/remediation-state.js';
import { signedPostAnswer } from '../signed-post.js';
import { webhookAlert, type ActionRunBodyV1 } from './body.js';
import { subjectOfAlert } from './outgoing.js';

type Refusal = 'unknown-action' | 'not-found' | 'not-allowed' | 'no-match' | 'resolved' | 'running';

/** Why a run was refused (nothing was sent), or what the receiver answered. */
export type RunOutcome =
  | { ok: false; reason: Refusal; action?: RemediationAction; alert?: Alert; /** `running`: who started the run in flight. */ by?: string }
  | { ok: true; action: RemediationAction; alert: Alert; status?: number; excerpt: string; error?: string; line: string };

/** What asking for a run did: refused, waits for a confirmation or for approvals, or ran. */
export type RunRequestOutcome =
  | Extract<RunOutcome, { ok: false }>
  /** `confirm: true` and not confirmed yet: nothing happened; the same request within `CONFIRM_MS` confirms. */
  | { ok: 'confirm'; action: RemediationAction; alert: Alert; expiresAt: Date }
  /** `approval: n`: this member's approval is recorded (`already`: it was before; nothing changed). */
  | { ok: 'approval'; action: RemediationAction; alert: Alert; pending: RemediationApproval; already: boolean }
  | Extract<RunOutcome, { ok: true }>;

/** How long a "click again to confirm" stays open. */
export const CONFIRM_MS = 2 * 60_000;
const EXCERPT = 200;
const MAX_CONFIRMS = 10_000;

/**
 * Remediation actions (`actions:` in the config): a member runs one on an alert it matches; the
 * signed POST (src/notify/signed-post.ts, the webhooks' signer) goes out at once, and its HTTP
 * status and a short excerpt of the answer (or the timeout) are written on the alert's
 * timeline and on the alert itself (`remediation.last`), which every copy of its card shows.
 * Not retried: a person ran it and sees the result, and may run it again.
 *
 * `confirm: true`: the first request only asks (Slack's button asks in its own dialog and comes
 * `confirmed`); the same member asking again within two minutes confirms. The open confirmations
 * live in this process only: a restart asks again, which is the safe side.
 * `approval: n`: approvals are stored on the alert (MongoDB), so they survive a restart; the
 * n-th different member's approval runs it.
 */
export class RemediationActions {
  /** Runs in flight, by action and alert id: who started each. */
  private readonly running = new Map<string, string>();
  private readonly actions = new Map<string, { cfg: RemediationAction; matchers: CompiledMatchers; timeoutMs: number }>();
  /** `member|action|alertId` → when the confirmation request expires (epoch ms). */
  private readonly confirms = new Map<string, number>();

  constructor(
    private readonly rt: Pick<Runtime, 'config' | 'alerts' | 'clock' | 'directory' | 'log'>,
    private readonly state: RemediationState,
    /** Re-renders every copy of the alert's card (CardSync.refresh); not a domain event, since no lifecycle changed. */
    private readonly onChanged: (alert: Alert) => void = () => {},
  ) {
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

  /** The actions an alert matches (what a card offers). */
  forAlert(alert: Alert): RemediationAction[] {
    return [...this.actions.values()].filter((a) => matchAlert(a.matchers, subjectOfAlert(alert), alert.firstSeenAt).matched).map((a) => a.cfg);
  }

  mayRun(action: RemediationAction, member: Member): boolean {
    return action.members.includes(member.id) || action.teams.some((t) => this.rt.directory.team(t)?.members.includes(member.id));
  }

  /** The checks every request passes first: the action exists, the alert too, the member may, it matches, it is open. */
  private async check(name: string, ref: string, member: Member): Promise<Extract<RunOutcome, { ok: false }> | { ok: true; entry: { cfg: RemediationAction; timeoutMs: number }; alert: Alert }> {
    const a = this.actions.get(name);
    if (!a) return { ok: false, reason: 'unknown-action' };
    const alert = await this.rt.alerts.get(ref);
    if (!alert) return { ok: false, reason: 'not-found', action: a.cfg };
    if (!this.mayRun(a.cfg, member)) return { ok: false, reason: 'not-allowed', action: a.cfg, alert };
    if (!matchAlert(a.matchers, subjectOfAlert(alert), alert.firstSeenAt).matched) return { ok: false, reason: 'no-match', action: a.cfg, alert };
    if (alert.state === 'resolved') return { ok: false, reason: 'resolved', action: a.cfg, alert };
    return { ok: true, entry: a, alert };
  }

  /**
   * A person asks to run an action (a click or `run`): checks, then the confirmation step, then
   * the approvals, then the POST. `confirmed`: the platform already asked them (Slack's dialog).
   */
  async request(name: string, ref: string, member: Member, via: string, opts: { channel?: string; confirmed?: boolean } = {}): Promise<RunRequestOutcome> {
    const c = await this.check(name, ref, member);
    if (!c.ok) return c;
    const { cfg } = c.entry;
    const alert = c.alert;
    const already = alert.remediation?.pending?.find((p) => p.action === name);
    if (cfg.approval > 1 && already?.by.some((b) => b.memberId === member.id)) {
      return { ok: 'approval', action: cfg, alert, pending: already, already: true };
    }
    if (cfg.confirm && !opts.confirmed && !this.takeConfirmation(member.id, name, alert.id)) {
      const expiresAt = new Date(this.rt.clock.now().getTime() + CONFIRM_MS);
      this.rememberConfirmation(member.id, name, alert.id, expiresAt.getTime());
      return { ok: 'confirm', action: cfg, alert, expiresAt };
    }
    let approvers: RemediationApproval['by'] | undefined;
    if (cfg.approval > 1) {
      const who = { memberId: member.id, name: member.name };
      const a = await this.state.approve(alert, name, cfg.approval, who, this.rt.clock.now());
      if (a.kind === 'gone') return { ok: false, reason: 'not-found', action: cfg };
      if (a.kind === 'already' || a.kind === 'waiting') {
        if (a.kind === 'waiting') await this.changed(a.alert, alert, member, via, opts.channel, `approved action "${name}" (${a.pending.by.length}/${a.pending.needed})`);
        return { ok: 'approval', action: cfg, alert: a.alert, pending: a.pending, already: a.kind === 'already' };
      }
      // The last approver runs it: the POST names them (`by`) and everyone (`approvedBy`).
      approvers = a.approvers;
    }
    // One run of an action on an alert at a time: two people clicking "restart" at the same moment
    // restart it once (the second hears who is running it). In this process only: a second
    // dutybot on MongoDB does not see it, and a finished run may be run again.
    const key = `${name}:${alert.id}`;
    const inFlight = this.running.get(key);
    if (inFlight) return { ok: false, reason: 'running', action: cfg, alert, by: inFlight };
    this.running.set(key, member.name);
    try {
      return await this.execute(c.entry, alert, member, via, opts.channel, approvers);
    } finally {
      this.running.delete(key);
    }
  }

  private async execute(
    a: { cfg: RemediationAction; timeoutMs: number },
    alert: Alert,
    member: Member,
    via: string,
    channel: string | undefined,
    approvers?: RemediationApproval['by'],
  ): Promise<Extract<RunOutcome, { ok: true }>> {
    const name = a.cfg.name;
    const now = this.rt.clock.now();
    const id = `run:${name}:${alert.id}:${member.id}:${now.getTime()}`;
    const body: ActionRunBodyV1 = { version: 1, id, action: name, at: now.toISOString(), by: { memberId: member.id, name: member.name, via }, alert: webhookAlert(alert) };
    if (approvers) body.approvedBy = approvers.map((p) => ({ memberId: p.memberId, name: p.name, at: new Date(p.at).toISOString() }));
    const by = approvers ? approvers.map((p) => p.name) : [member.name];
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
    const result: RemediationResult = { action: name, at: this.rt.clock.now(), by, excerpt };
    if (answer.status !== undefined) result.status = answer.status;
    if (error) result.error = error;
    const after = await this.state.recordResult(alert, result);
    await this.changed(after, alert, member, via, channel, line);
    this.rt.log.info({ action: name, alertId: alert.id, member: member.id, status: answer.status, error }, 'remediation action run');
    return { ok: true, action: a.cfg, alert: after ?? alert, status: answer.status, excerpt, error, line };
  }

  /** Writes the timeline note and, when the alert changed, has its cards re-rendered. */
  private async changed(after: Alert | null, before: Alert, member: Member, via: string, channel: string | undefined, text: string): Promise<void> {
    const actor = { kind: 'member' as const, memberId: member.id, name: member.name, via, channel };
    await this.rt.alerts.addTimeline([{ alertId: before.id, at: this.rt.clock.now(), kind: 'note', actor, text }]);
    if (after) this.onChanged(after);
  }

  private takeConfirmation(memberId: string, name: string, alertId: string): boolean {
    const key = `${memberId}|${name}|${alertId}`;
    const until = this.confirms.get(key);
    if (until === undefined) return false;
    this.confirms.delete(key);
    return until > this.rt.clock.now().getTime();
  }

  private rememberConfirmation(memberId: string, name: string, alertId: string, until: number): void {
    if (this.confirms.size >= MAX_CONFIRMS) {
      const now = this.rt.clock.now().getTime();
      for (const [k, t] of this.confirms) if (t <= now) this.confirms.delete(k);
      if (this.confirms.size >= MAX_CONFIRMS) this.confirms.clear();
    }
    this.confirms.set(`${memberId}|${name}|${alertId}`, until);
  }
}
