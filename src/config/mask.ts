/**
 * The configuration with its secrets masked, for people to read (the console's configuration page).
 *
 * One rule for every field, so that a secret added to the schema later is masked without anyone
 * remembering to list it:
 * - a value whose key names a secret is masked whole (every string and number under it): words
 *   such as key, token, secret, password, credential, sid, in camelCase, snake_case or kebab-case
 *   (`apiToken`, `clientSecret`, `accessKeyId`, `accountSid`, `reportToken`, `key`);
 * - every URL keeps only what is not a credential: its user name and password, every query
 *   parameter's value (DingTalk's `access_token`, WeCom's `key`) and every long path segment
 *   (Feishu's and Slack's hook tokens live in the path) are masked, wherever the URL appears.
 * Masking too much costs a reader a detail; masking too little leaks a secret. The rule leans to
 * the first (test/unit/config-mask.test.ts holds it to every secret of a full configuration).
 */
export const MASK = '••••••';

/** Words that make a key a secret's. Compared with each word of the key, lower-cased. */
const SECRET_WORDS = new Set(['key', 'keys', 'token', 'tokens', 'secret', 'secrets', 'password', 'passwd', 'pwd', 'passphrase', 'credential', 'credentials', 'sid', 'private', 'signature', 'cookie', 'auth', 'authorization']);
/** Run-together spellings the word split cannot see (`apikey`, `clientsecret`, `accesstoken`). */
const SECRET_INSIDE = /(secret|token|passw|apikey|accesskey|privatekey|credential)/i;
/** A path segment at least this long in a URL is taken for a token (a hook's id, a signed path). */
const LONG_SEGMENT = 16;

export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .map((w) => w.toLowerCase());
  return words.some((w) => SECRET_WORDS.has(w)) || SECRET_INSIDE.test(key);
}

/** A URL with its credentials masked; any other text unchanged. */
export function maskUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Looks like a URL but is not one we can take apart: nothing of it is shown.
    return MASK;
  }
  const scheme = `${url.protocol}//`;
  const user = url.username || url.password ? `${MASK}@` : '';
  const path = url.pathname
    .split('/')
    .map((seg) => (seg.length >= LONG_SEGMENT ? MASK : seg))
    .join('/');
  const query = [...url.searchParams.keys()].map((k) => `${k}=${MASK}`).join('&');
  const showPath = text.slice(scheme.length).includes('/') ? path : '';
  return `${scheme}${user}${url.host}${showPath}${query ? `?${query}` : ''}${url.hash ? `#${MASK}` : ''}`;
}

/** A copy of `value` with every secret masked by the rule above. */
export function maskSecrets(value: unknown, underSecret = false): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, underSecret));
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, underSecret || isSecretKey(k))]));
  }
  if (underSecret && (typeof value === 'string' || typeof value === 'number')) return MASK;
  if (typeof value === 'string') return maskUrl(value);
  return value;
}
