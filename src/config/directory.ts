import { createHash, timingSafeEqual } from 'node:crypto';
import type { LoadedConfig } from './load.js';
import type { CHAT_IDENTITIES, Integration, Member, Team } from './schema.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Chat platforms whose user ids map to members (declared in the config schema). */
export type ChatPlatform = keyof typeof CHAT_IDENTITIES;

/**
 * Who is who, from the config. Secrets are looked up by their SHA-256 so the lookup time does not
 * depend on how much of a guessed key is right.
 */
export class Directory {
  private readonly byKey = new Map<string, Integration>();
  private readonly byToken = new Map<string, Member>();
  private readonly members = new Map<string, Member>();
  private readonly teams = new Map<string, Team>();

  constructor(readonly config: LoadedConfig) {
    for (const i of config.integrations) this.byKey.set(digest(i.key).toString('hex'), i);
    for (const m of config.members) {
      this.members.set(m.id, m);
      if (m.apiToken) this.byToken.set(digest(m.apiToken).toString('hex'), m);
    }
    for (const t of config.teams) this.teams.set(t.id, t);
  }

  integrationByKey(key: string): Integration | undefined {
    const presented = digest(key);
    const i = this.byKey.get(presented.toString('hex'));
    // The map hit already proves equality of digests; compare again in constant time for clarity of intent.
    return i && timingSafeEqual(digest(i.key), presented) ? i : undefined;
  }

  memberByToken(token: string): Member | undefined {
    return this.byToken.get(digest(token).toString('hex'));
  }

  member(id: string): Member | undefined {
    return this.members.get(id);
  }

  /** The member with this email address (compared without case): the console's sign-in by email and by OpenID Connect. */
  memberByEmail(address: string): Member | undefined {
    const wanted = address.trim().toLowerCase();
    if (!wanted) return undefined;
    for (const m of this.members.values()) if (m.email?.toLowerCase() === wanted) return m;
    return undefined;
  }

  /** A member's language: that of their first team which sets one, else the config's. */
  localeOf(member: Member): 'zh' | 'en' {
    for (const t of this.teams.values()) if (t.locale && t.members.includes(member.id)) return t.locale;
    return this.config.locale;
  }

  memberByPlatformId(platform: ChatPlatform, userId: string): Member | undefined {
    for (const m of this.members.values()) if (m[platform] === userId) return m;
    return undefined;
  }

  team(id: string): Team | undefined {
    return this.teams.get(id);
  }

  allTeams(): Team[] {
    return [...this.teams.values()];
  }
}
