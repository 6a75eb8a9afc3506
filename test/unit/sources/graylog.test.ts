import { describe, expect, it } from 'vitest';
import { graylogParser, graylogTime } from '../../../src/sources/graylog/parse.js';
import { PayloadError } from '../../../src/sources/types.js';
import { fixture, payloadErrorField } from './support.js';

const notification = (event: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => ({
  event_definition_id: 'def1',
  event_definition_type: 'aggregation-v1',
  event_definition_title: 'Too many errors',
  event_definition_description: '',
  job_definition_id: 'job1',
  job_trigger_id: 'trig1',
  event: {
    id: '01ABC',
    event_definition_type: 'aggregation-v1',
    event_definition_id: 'def1',
    timestamp: '2019-07-01T12:00:00.000Z',
    message: 'Too many errors: count()=12.0',
    source: 'graylog-1',
    key_tuple: [],
    key: null,
    priority: 2,
    alert: true,
    fields: {},
    ...event,
  },
  backlog: [],
  ...over,
});
const parseOne = (body: unknown) => {
  const events = graylogParser.parse(body);
  expect(events).toHaveLength(1);
  return events[0]!;
};

describe('graylog parser', () => {
  it('maps a Graylog 4 aggregation event', () => {
    expect(graylogParser.parse(fixture('graylog', 'v4-aggregation.json'))).toEqual([
      {
        eventType: 'trigger',
        dedupKey: '60f1a2b3c4d5e6f7a8b9c0d1:alice',
        title: 'SSH brute force',
        severity: 'critical',
        description: 'More than 10 failed SSH logins for one user within one minute\n\nSSH brute force: count()=23.0',
        host: 'graylog-1.example.com',
        labels: [
          { name: 'ssh_host', value: 'bastion-1' },
          { name: 'stream', value: '000000000000000000000001' },
          { name: 'username', value: 'alice' },
        ],
        links: [],
        occurredAt: new Date('2021-07-16T13:48:12.785Z'),
      },
    ]);
  });

  it('maps a Graylog 5 event without key, source or description', () => {
    expect(graylogParser.parse(fixture('graylog', 'v5-filter.json'))).toEqual([
      {
        eventType: 'trigger',
        dedupKey: '6488c1d2e3f4a5b6c7d8e9f0:',
        title: 'Payment API errors',
        severity: 'warning',
        description: 'Payment API errors',
        host: undefined,
        labels: [
          { name: 'endpoint', value: '/v1/charges' },
          { name: 'http_status', value: '503' },
          { name: 'stream', value: '6488bf00e3f4a5b6c7d8aa11,000000000000000000000001' },
        ],
        links: [],
        occurredAt: new Date('2023-06-13T20:15:42.117Z'),
      },
    ]);
  });

  it('groups repeats of one definition and key into one alert', () => {
    const a = parseOne(notification({ id: 'A', key: 'alice' }));
    const b = parseOne(notification({ id: 'B', key: 'alice', timestamp: '2019-07-01T12:05:00.000Z' }));
    const c = parseOne(notification({ id: 'C', key: 'bob' }));
    expect(a.dedupKey).toBe('def1:alice');
    expect(b.dedupKey).toBe(a.dedupKey);
    expect(c.dedupKey).toBe('def1:bob');
    expect(parseOne(notification({ key: null })).dedupKey).toBe('def1:');
    expect(parseOne(notification({ key: undefined })).dedupKey).toBe('def1:');
  });

  it('maps priorities, including Critical (4) and Info (0), unknown ones to warning', () => {
    const sev = (priority: unknown) => parseOne(notification({ priority })).severity;
    expect([4, 3, 2, 1, 0].map(sev)).toEqual(['critical', 'critical', 'warning', 'info', 'info']);
    expect(sev('3')).toBe('critical');
    expect(sev(7)).toBe('warning');
    expect(sev(undefined)).toBe('warning');
    expect(sev(null)).toBe('warning');
  });

  it('is a trigger even for an event not flagged as alert', () => {
    expect(parseOne(notification({ alert: false })).eventType).toBe('trigger');
  });

  it('reads both timestamp formats as UTC and never makes an invalid date', () => {
    expect(graylogTime('2019-07-01T12:00:00.000Z')).toEqual(new Date('2019-07-01T12:00:00.000Z'));
    expect(graylogTime('2019-07-01 12:00:00.000')).toEqual(new Date('2019-07-01T12:00:00.000Z'));
    expect(graylogTime('2019-07-01 12:00:00')).toEqual(new Date('2019-07-01T12:00:00.000Z'));
    expect(graylogTime('2019-07-01T14:00:00.5+02:00')).toEqual(new Date('2019-07-01T12:00:00.500Z'));
    expect(graylogTime(1561982400000)).toEqual(new Date('2019-07-01T12:00:00.000Z'));
    for (const bad of ['2019-13-45 12:00:00.000', '2019-02-30 12:00:00', 'yesterday', '', null, undefined, Number.NaN]) {
      expect(graylogTime(bad)).toBeUndefined();
    }
    expect(parseOne(notification({ timestamp: 'not a time' })).occurredAt).toBeUndefined();
  });

  it('stringifies non-string fields and lets event fields win over grouping fields', () => {
    const e = parseOne(notification({ fields: { count: 12, nested: { a: 1 }, user: 'alice' }, group_by_fields: { user: 'ignored', host: 'h1' } }));
    expect(e.labels).toEqual([
      { name: 'count', value: '12' },
      { name: 'host', value: 'h1' },
      { name: 'nested', value: '{"a":1}' },
      { name: 'user', value: 'alice' },
    ]);
  });

  it('copes with a deleted event definition', () => {
    const e = parseOne(
      notification({ event_definition_id: 'def9' }, { event_definition_id: '<unknown>', event_definition_title: '<unknown>', event_definition_description: '<unknown>' }),
    );
    expect(e.dedupKey).toBe('def9:');
    expect(e.title).toBe('Too many errors: count()=12.0');
    expect(e.description).toBe('Too many errors: count()=12.0');
  });

  it('refuses bad payloads naming the field', () => {
    expect(payloadErrorField(() => graylogParser.parse([notification()]))).toBe('');
    expect(payloadErrorField(() => graylogParser.parse(true))).toBe('');
    expect(payloadErrorField(() => graylogParser.parse({}))).toBe('event_definition_id');
    expect(payloadErrorField(() => graylogParser.parse({ event_definition_id: 'x' }))).toBe('event');
    expect(payloadErrorField(() => graylogParser.parse({ event_definition_id: 'x', event: [] }))).toBe('event');
    expect(payloadErrorField(() => graylogParser.parse(notification({}, { event_definition_id: '' })))).toBe('event_definition_id');
    expect(payloadErrorField(() => graylogParser.parse(notification({ priority: { p: 1 } })))).toBe('event.priority');
    expect(payloadErrorField(() => graylogParser.parse(notification({ fields: 'a=b' })))).toBe('event.fields');
    expect(payloadErrorField(() => graylogParser.parse(notification({ streams: 'x' })))).toBe('event.streams');
    expect(() => graylogParser.parse(null)).toThrow(new PayloadError('', 'expected a JSON object'));
  });
});
