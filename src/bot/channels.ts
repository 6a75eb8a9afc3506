import type { ChannelRef } from '../config/schema.js';
import type { Directory } from '../config/directory.js';
import type { PlatformId } from './chat-adapter.js';

/** The id the adapters know a configured channel by: channel id, room, or robot URL. */
export function channelId(c: ChannelRef): string {
  switch (c.platform) {
    case 'slack':
    case 'dingtalk':
      return c.channel;
    case 'wechat':
      return c.room;
    case 'dingtalk-webhook':
    case 'wecom-webhook':
      return c.url;
  }
}

/** The team a chat channel belongs to (its language, its `list team`), by its id or its name. */
export function teamOfChannel(dir: Directory, platform: PlatformId, channel: string, channelName?: string) {
  const names = [channel, channelName].filter(Boolean);
  return dir.allTeams().find((t) => t.channels.some((c) => c.platform === platform && names.includes(channelId(c))));
}
