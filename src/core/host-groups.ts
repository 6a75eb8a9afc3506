/**
 * Host groups: named lists of host names and patterns. `web-*` and `db-?` are globs, `/^db-\d+$/`
 * (optionally `/…/i`) a regex; anything else is an exact name. Host names compare case-insensitively
 * (DNS does), and a host given as `db-1:9100` or `https://db-1/health` is also tried as `db-1`,
 * because exporters and probes put ports and URLs in `instance`.
 */
export interface HostPattern {
  text: string;
  test(host: string): boolean;
}

export type CompiledHostGroups = ReadonlyMap<string, HostPattern[]>;

/** Compiles one pattern; throws when a `/regex/` does not compile. */
export function compileHostPattern(text: string): HostPattern {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (re) {
    let regex: RegExp;
    try {
      regex = new RegExp(re[1]!, re[2]!.replace(/[gy]/g, ''));
    } catch (err) {
      throw new Error(`${text}: the regex does not compile (${(err as Error).message})`);
    }
    return { text, test: (h) => regex.test(h) };
  }
  if (/[*?]/.test(text)) {
    const source = text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    const glob = new RegExp(`^${source}$`, 'i');
    return { text, test: (h) => glob.test(h) };
  }
  const exact = text.toLowerCase();
  return { text, test: (h) => h.toLowerCase() === exact };
}

export function compileHostGroups(groups: Readonly<Record<string, readonly string[]>>): CompiledHostGroups {
  return new Map(Object.entries(groups).map(([name, patterns]) => [name, patterns.map(compileHostPattern)]));
}

/** The forms a host is tried in: as given, without its port, and the host of a URL. */
export function hostForms(host: string): string[] {
  const forms = [host];
  const add = (h: string | undefined) => {
    if (h && !forms.includes(h)) forms.push(h);
  };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    try {
      add(new URL(host).hostname);
    } catch {
      // not a URL after all: the other forms still apply
    }
  }
  add(/^(.+):\d+$/.exec(host)?.[1]);
  return forms;
}

/** The pattern of `group` that `host` matches, or undefined. */
export function hostInGroup(groups: CompiledHostGroups, group: string, host: string): HostPattern | undefined {
  const patterns = groups.get(group) ?? [];
  for (const form of hostForms(host)) {
    const p = patterns.find((x) => x.test(form));
    if (p) return p;
  }
  return undefined;
}
