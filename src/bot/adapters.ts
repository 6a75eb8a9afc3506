import type { ChatAdapter, PlatformId } from './chat-adapter.js';

/** The one place adapters are registered. Two adapters for one platform is a start-up error. */
export function registerAdapters(list: readonly ChatAdapter[]): Map<PlatformId, ChatAdapter> {
  const map = new Map<PlatformId, ChatAdapter>();
  for (const a of list) {
    if (map.has(a.platform)) throw new Error(`two chat adapters for platform "${a.platform}"`);
    map.set(a.platform, a);
  }
  return map;
}
