import type { Agenda } from 'agenda';

export const ONCALL_NOTICES_JOB = 'oncall-notices';

/**
 * The durable backstop of the handoff notices' timer (src/oncall/handoffs.ts), as escalation steps
 * have one: should the in-process timer be lost, this pass still finds what is due (each notice
 * once, by its recorded `_id`).
 */
export async function scheduleOnCallNotices(agenda: Agenda, tick: () => Promise<unknown>): Promise<void> {
  agenda.define(ONCALL_NOTICES_JOB, async () => {
    await tick();
  });
  await agenda.every('5 minutes', ONCALL_NOTICES_JOB);
}
