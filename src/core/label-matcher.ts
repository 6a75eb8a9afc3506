import type { Label } from './types.js';

/**
 * One label matcher in Prometheus/Alertmanager syntax: `env="prod"`, `env!="dev"`,
 * `service=~"nginx|mysql"`, `service!~"test.*"`. Regexes are anchored (`^(?:…)$`) as in
 * Alertmanager, and a label the alert does not have counts as the empty string, so `env!="prod"`
 * holds for an alert without `env` and `env=""` means "has no env".
 */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  /** The anchored regex of `=~` and `!~`, compiled once. */
  regex?: RegExp;
  /** As written, for explanations. */
  text: string;
}

/** Label names as Prometheus writes them, plus `.`, `-` and `/` (Kubernetes-style `app.kubernetes.io/name`). */
const SYNTAX = /^\s*([A-Za-z_][A-Za-z0-9_./-]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/** Parses a matcher; throws an Error whose message says what is wrong and what the right form is. */
export function parseLabelMatcher(text: string): LabelMatcher {
  const m = SYNTAX.exec(text);
  if (!m) throw new Error(`"${text}" is not a label matcher like env="prod", env!="dev", service=~"nginx|mysql" or service!~"test.*"`);
  const [, name, op, rawValue] = m as unknown as [string, string, LabelMatcher['op'], string];
  let value = rawValue;
  if (value.startsWith('"') || value.endsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/s.test(value)) throw new Error(`"${text}": the value's quotes do not match`);
    // Only \" and \\ are escapes; other backslashes stay, so a regex's \d or \. need not be doubled.
    value = value.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  const matcher: LabelMatcher = { name, op, value, text: `${name}${op}"${value}"` };
  if (op === '=~' || op === '!~') {
    try {
      matcher.regex = new RegExp(`^(?:${value})$`, 's');
    } catch (err) {
      throw new Error(`"${text}": the regex does not compile (${(err as Error).message})`);
    }
  }
  return matcher;
}

/** Fields an alert has outside its labels, which a matcher may name when no label has that name. */
const FIELDS = new Set(['host', 'service', 'severity']);

/** The label's value, or the alert's `host`/`service`/`severity` field when it has no such label. */
export function labelOf(labels: readonly Label[], name: string, fields: { host?: string; service?: string; severity?: string } = {}): string | undefined {
  for (const l of labels) if (l.name === name) return l.value;
  return FIELDS.has(name) ? fields[name as keyof typeof fields] : undefined;
}

export function testLabelMatcher(m: LabelMatcher, actual: string | undefined): boolean {
  const v = actual ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.regex!.test(v);
    case '!~':
      return !m.regex!.test(v);
  }
}
