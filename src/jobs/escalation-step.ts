import type { Agenda } from 'agenda';
import type { StepRef } from '../core/escalation.js';
import type { EscalationEngine } from './escalation-engine.js';

export const ESCALATION_STEP_JOB = 'escalation-step';

/**
 * The durable backstop of one escalation step (alertId + run token + cycle + level). The engine's
 * timer normally fires the step first; this job then finds it no longer matching the alert's plan
 * and does nothing. After a crash, it is what fires the step (or re-arms it, if it woke early).
 */
export function defineEscalationStep(agenda: Agenda, engine: EscalationEngine): void {
  agenda.define(ESCALATION_STEP_JOB, async (job: { attrs: { data?: unknown } }) => {
    const ref = job.attrs.data as StepRef;
    if (!ref?.alertId || !ref.token) return;
    await engine.runStep({ alertId: ref.alertId, token: ref.token, cycle: ref.cycle, level: ref.level, ...(ref.ack ? { ack: ref.ack } : {}) });
  });
}

export async function scheduleEscalationStep(agenda: Agenda, ref: StepRef, at: Date): Promise<void> {
  await agenda.schedule(at, ESCALATION_STEP_JOB, { alertId: ref.alertId, token: ref.token, cycle: ref.cycle, level: ref.level, ...(ref.ack ? { ack: ref.ack } : {}) } satisfies StepRef);
}
