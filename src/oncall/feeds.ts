import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { OverrideSpan } from '../core/oncall.js';
import { renderFeed, type FeedSubject } from '../core/oncall-feed.js';
import type { CalendarFeedStore, FeedReset } from '../store/calendar-feeds.js';

/**
 * Calendar feeds as URLs: `<publicUrl>/calendar/<token>.ics`. The REST API, `oncall` and
 * `calendar` in chat all ask this one object, so they always show the same, current URL.
 */
export interface OnCallFeedsDeps {
  config: Pick<Config, 'schedules' | 'teams' | 'members' | 'escalationPolicies' | 'calendars' | 'locale'>;
  overrides: { forSchedule(scheduleId: string): Promise<OverrideSpan[]> };
  store: CalendarFeedStore;
  clock: Clock;
  /** `notify.publicUrl`, else the address this process listens on. */
  baseUrl: () => string;
}

export class OnCallFeeds {
  constructor(private readonly deps: OnCallFeedsDeps) {}

  async url(subject: FeedSubject): Promise<string> {
    return this.toUrl(await this.deps.store.tokenFor(subject, this.deps.clock.now()));
  }

  async reset(subject: FeedSubject, who: FeedReset): Promise<string> {
    return this.toUrl(await this.deps.store.reset(subject, who, this.deps.clock.now()));
  }

  /** The feed a token opens, or null (unknown or reset): the caller answers 404 either way. */
  async render(token: string): Promise<string | null> {
    const subject = await this.deps.store.resolve(token);
    if (!subject || !this.exists(subject)) return null;
    const overrides = new Map<string, OverrideSpan[]>();
    for (const s of this.deps.config.schedules) {
      if (subject.kind === 'schedule' && s.id !== subject.id) continue;
      overrides.set(s.id, await this.deps.overrides.forSchedule(s.id));
    }
    return renderFeed({ config: this.deps.config, overrides, now: this.deps.clock.now() }, subject);
  }

  /** A member or schedule removed from the config closes its feed. */
  private exists(s: FeedSubject): boolean {
    return s.kind === 'member' ? this.deps.config.members.some((m) => m.id === s.id) : this.deps.config.schedules.some((x) => x.id === s.id);
  }

  private toUrl(token: string): string {
    return `${this.deps.baseUrl().replace(/\/+$/, '')}/calendar/${token}.ics`;
  }
}
