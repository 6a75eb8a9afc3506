import type { Label, Link } from '../core/types.js';

/** A record of string labels → label pairs, sorted by name so equal sets compare equal. */
export function toLabels(record: Record<string, unknown> | undefined | null): Label[] {
  if (!record) return [];
  return Object.entries(record)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([name, v]) => ({ name: name.replace(/\0/g, ''), value: (typeof v === 'string' ? v : JSON.stringify(v)).replace(/\0/g, '') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function labelValue(labels: readonly Label[], name: string): string | undefined {
  return labels.find((l) => l.name === name)?.value;
}

/** Drops links that are not absolute http(s) URLs: a card must never carry a javascript: link. */
export function safeLinks(links: readonly Link[]): Link[] {
  return links.filter((l) => /^https?:\/\//i.test(l.href));
}

/** Strings from monitoring tools may carry NUL, which MongoDB-protocol servers refuse. */
export function clean(s: string | undefined | null, max = 4000): string | undefined {
  if (s === undefined || s === null) return undefined;
  const out = s.replace(/\0/g, '').trim();
  return out ? out.slice(0, max) : undefined;
}
