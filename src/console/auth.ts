import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Directory } from '../config/directory.js';
import type { Clock } from '../core/clock.js';
import type { ConsoleAuthStore, ConsoleRole, ConsoleSessionDoc } from '../store/console-auth.js';

/** Who is looking at the console, as every console route sees it. */
export interface Viewer {
  role: ConsoleRole;
  /** Absent for the admin of the link printed at start (no member behind it). */
  memberId?: string;
  name: string;
  /** The teams whose alerts this viewer may act on (every team for an admin). */
  teams: string[];
  csrf: string;
}

export const LINK_TTL_MS = 15 * 60_000;
export const SESSION_TTL_MS = 7 * 86_400_000;

/** Stored ids are hashes of what the browser holds: the database alone signs nobody in. */
export const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');

/** Constant-time comparison, so that a CSRF token cannot be guessed byte by byte from timings. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sign-in without passwords: one-time links (printed at start, or asked for by a member) become
 * sessions kept in MongoDB. The clock is injected so that expiry is tested without waiting.
 */
export class ConsoleAuth {
  constructor(
    private readonly store: ConsoleAuthStore,
    private readonly clock: Clock,
    private readonly directory: Directory,
    private readonly ttl = { linkMs: LINK_TTL_MS, sessionMs: SESSION_TTL_MS },
  ) {}

  /** A new single-use token; the caller builds the URL (`/sign-in#t=<token>`). */
  async issueLink(who: { role: ConsoleRole; memberId?: string }): Promise<string> {
    const token = newSecret();
    const now = this.clock.now();
    // Links are made rarely (a start, a person asking): the moment to sweep what expired, with no job.
    await this.store.prune(now);
    await this.store.addLink({
      _id: hashOf(token),
      role: who.role,
      ...(who.memberId ? { memberId: who.memberId } : {}),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttl.linkMs),
    });
    return token;
  }

  /** The session cookie's value for a valid link, or null (unknown, used, or expired). */
  async redeem(token: string): Promise<{ cookie: string; viewer: Viewer } | null> {
    const link = await this.store.takeLink(hashOf(token));
    const now = this.clock.now();
    if (!link || link.expiresAt <= now) return null;
    return this.startSession(link);
  }

  /** A new session for someone already proven (a link redeemed, or an OpenID Connect sign-in). */
  async startSession(who: { role: ConsoleRole; memberId?: string }): Promise<{ cookie: string; viewer: Viewer } | null> {
    const now = this.clock.now();
    const cookie = newSecret();
    const session: ConsoleSessionDoc = {
      _id: hashOf(cookie),
      role: who.role,
      ...(who.memberId ? { memberId: who.memberId } : {}),
      csrf: newSecret(),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttl.sessionMs),
    };
    const viewer = this.viewerOf(session);
    if (!viewer) return null;
    await this.store.addSession(session);
    return { cookie, viewer };
  }

  async viewer(cookie: string): Promise<Viewer | null> {
    const id = hashOf(cookie);
    const s = await this.store.session(id);
    if (!s) return null;
    if (s.expiresAt <= this.clock.now()) {
      await this.store.removeSession(id);
      return null;
    }
    return this.viewerOf(s);
  }

  async signOut(cookie: string): Promise<void> {
    await this.store.removeSession(hashOf(cookie));
  }

  /** A member removed from the config since signing in is signed out: their session names nobody. */
  private viewerOf(s: Pick<ConsoleSessionDoc, 'role' | 'memberId' | 'csrf'>): Viewer | null {
    const teams = this.directory.allTeams();
    if (s.role === 'admin') return { role: 'admin', memberId: s.memberId, name: s.memberId ? (this.directory.member(s.memberId)?.name ?? 'admin') : 'admin', teams: teams.map((t) => t.id), csrf: s.csrf };
    const m = s.memberId ? this.directory.member(s.memberId) : undefined;
    if (!m) return null;
    return { role: 'member', memberId: m.id, name: m.name, teams: teams.filter((t) => t.members.includes(m.id)).map((t) => t.id), csrf: s.csrf };
  }
}
