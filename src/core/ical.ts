/**
 * iCalendar (RFC 5545) text, pure. Only what a read-only feed needs: VEVENTs with UTC times.
 * UTC (`…Z`) rather than TZID + VTIMEZONE: every client reads it the same way and no zone rules
 * need to be written out; `X-WR-TIMEZONE` asks clients that honour it to show the schedule's zone.
 */
export interface ICalEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  categories?: string[];
}

export interface ICalFeed {
  name: string;
  /** The schedule's zone, as a display hint (X-WR-TIMEZONE). */
  timeZone?: string;
  /** When the feed was made: every event's DTSTAMP. */
  now: Date;
  events: ICalEvent[];
}

/** `20261127T090000Z` (RFC 5545 §3.3.5, form #2: UTC). */
export function icalUtc(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** TEXT values (§3.3.11): backslash, semicolon, comma and newlines escaped. */
export function icalText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * Folds a content line at 75 octets (§3.1): continuation lines start with one space, which counts
 * towards their 75. Splits between characters, never inside a UTF-8 sequence (names are Chinese).
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let cur = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > limit) {
      parts.push(cur);
      cur = '';
      octets = 0;
      limit = 74; // the leading space of the continuation line is one of its 75
    }
    cur += ch;
    octets += n;
  }
  parts.push(cur);
  return parts.join('\r\n ');
}

export function renderICalendar(feed: ICalFeed): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//dutybot//on-call feed//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  lines.push(`X-WR-CALNAME:${icalText(feed.name)}`);
  if (feed.timeZone) lines.push(`X-WR-TIMEZONE:${feed.timeZone}`);
  const stamp = icalUtc(feed.now);
  for (const e of feed.events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${stamp}`, `DTSTART:${icalUtc(e.start)}`, `DTEND:${icalUtc(e.end)}`, `SUMMARY:${icalText(e.summary)}`);
    if (e.description) lines.push(`DESCRIPTION:${icalText(e.description)}`);
    if (e.categories?.length) lines.push(`CATEGORIES:${e.categories.map(icalText).join(',')}`);
    lines.push('TRANSP:OPAQUE', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
