import { describe, expect, it } from 'vitest';
import { foldLine, icalText, icalUtc, renderICalendar } from '../../../src/core/ical.js';

describe('iCalendar text (RFC 5545)', () => {
  it('escapes backslash, semicolon, comma and newlines in TEXT values', () => {
    expect(icalText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
  });

  it('folds at 75 octets with a leading space, never inside a UTF-8 character', () => {
    const line = `SUMMARY:${'值班'.repeat(40)}`;
    const folded = foldLine(line).split('\r\n');
    expect(folded.length).toBeGreaterThan(1);
    for (const l of folded) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.slice(1).every((l) => l.startsWith(' '))).toBe(true);
    expect(folded.map((l, i) => (i ? l.slice(1) : l)).join('')).toBe(line);
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
  });

  it('writes UTC times and CRLF after every line', () => {
    expect(icalUtc(new Date('2026-11-27T01:00:00.000Z'))).toBe('20261127T010000Z');
    const text = renderICalendar({ name: 'n', now: new Date(0), events: [{ uid: 'u@x', start: new Date(0), end: new Date(3_600_000), summary: 's' }] });
    expect(text.split('\r\n')).toEqual([
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//dutybot//on-call feed//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'X-WR-CALNAME:n',
      'BEGIN:VEVENT', 'UID:u@x', 'DTSTAMP:19700101T000000Z', 'DTSTART:19700101T000000Z', 'DTEND:19700101T010000Z', 'SUMMARY:s', 'TRANSP:OPAQUE', 'END:VEVENT',
      'END:VCALENDAR', '',
    ]);
  });
});
