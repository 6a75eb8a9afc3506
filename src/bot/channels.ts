import type { Alert } from '../core/alert.js';
import type { ChannelRef } from '../config/schema.js';
import type { Directory } from '../config/directory.js';
import type { PlatformId } from './chat-adapter.js';

/**
 * The id the adapters know a configured channel by: its `channel` id, its `room`, or its robot
 * `url`. By the entry's shape, not its platform, so that a new platform's channel kinds need only
 * their lines in the config schema.
 */
export function channelId(c: ChannelRef): string {
  if ('channel' in c) return c.channel;
  if ('room' in c) return c.room;
  return c.url;
}

/** The team a chat channel belongs to (its language, its `list team`), by its id or its name. */
export function teamOfChannel(dir: Directory, platform: PlatformId, channel: string, channelName?: string) {
  const names = [channel, channelName].filter(Boolean);
  return dir.allTeams().find((t) => t.channels.some((c) => c.platform === platform && names.includes(channelId(c))));
}

/**
 * Every channel an alert's card goes to: the channels of the teams dispatch chose (the alert's own
 * team when it was not routed), the route's extra channels, and the channels of teams that
 * escalation brought in. Each channel once, in that order.
 */
export function alertChannels(dir: Directory, alert: Pick<Alert, 'team' | 'route' | 'escalatedTeams'>): ChannelRef[] {
  const teams = [...new Set([...(alert.route?.teams ?? [alert.team]), ...(alert.escalatedTeams ?? [])])];
  const all = [...teams.flatMap((t) => dir.team(t)?.channels ?? []), ...(alert.route?.channels ?? [])];
  const seen = new Set<string>();
  return all.filter((c) => {
    const key = `${c.platform}|${channelId(c)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
