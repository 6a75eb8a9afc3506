import type { TestBot } from './bot.js';

/**
 * Moves the bot's fake clock to `to` and runs what is due then, as the timers would: what earlier
 * events started settles first (at its own time), then the escalation engine's tick and its work.
 */
export async function escalationAt(bot: TestBot, to: Date): Promise<void> {
  await bot.escalation.idle();
  bot.clock.set(to);
  await bot.escalation.idle();
  await bot.escalation.tick();
  await bot.escalation.idle();
}
