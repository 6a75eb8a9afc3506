import type { Logger } from '../log.js';
import type { ChatAdapter, MessageRef, PlatformId, QuestionMessage } from './chat-adapter.js';

/**
 * Asks questions with buttons where the channel's adapter can (`ChatAdapter.ask`), and rewrites
 * them once answered. A platform without `ask` gets `null`: the caller answers with words that say
 * what to type. Sent at once, like a reply to the command that caused it (not through a card queue:
 * a question answers one person's command, as a reply does).
 */
export interface QuestionPort {
  /** The posted question, or null where this channel cannot show one (or the post failed). */
  ask(platform: PlatformId, channel: string, question: QuestionMessage): Promise<MessageRef | null>;
  /** Best effort: the answer itself is already recorded; a failed rewrite is logged. */
  update(ref: MessageRef, question: QuestionMessage): Promise<void>;
}

export function chatQuestions(adapters: ReadonlyMap<PlatformId, ChatAdapter>, log: Logger): QuestionPort {
  return {
    async ask(platform, channel, question) {
      const adapter = adapters.get(platform);
      if (!adapter?.ask) return null;
      const r = await adapter.ask(channel, question);
      if (r.kind === 'sent') return r.value;
      log.warn({ platform, channel, result: r.kind, error: r.error }, 'question not posted; answering with words');
      return null;
    },
    async update(ref, question) {
      const r = await adapters.get(ref.platform)?.updateQuestion?.(ref, question);
      if (r && r.kind !== 'sent') log.warn({ platform: ref.platform, channel: ref.channel, result: r.kind, error: r.error }, 'question not updated');
    },
  };
}
