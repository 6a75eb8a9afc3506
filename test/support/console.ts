import type { TestBot } from './bot.js';

/** The token inside a sign-in link (`…/sign-in#t=<token>`). */
export const tokenOf = (link: string): string => new URL(link).hash.replace(/^#t=/, '');

/** A signed-in console session over plain HTTP: its cookie and CSRF token, as a browser would hold them. */
export async function signIn(bot: TestBot, who: { role: 'admin' } | { role: 'member'; memberId: string }): Promise<{ cookie: string; csrf: string }> {
  const token = await bot.console.auth.issueLink(who);
  const res = await fetch(`${bot.url}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: bot.url },
    body: JSON.stringify({ token }),
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { viewer } = (await res.json()) as { viewer: { csrf: string } };
  return { cookie, csrf: viewer.csrf };
}

/** A console API call with the session's cookie; `csrf`/`origin` are sent unless set to null. */
export function consoleCall(
  bot: TestBot,
  session: { cookie: string; csrf: string },
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  over: { csrf?: string | null; origin?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = { cookie: session.cookie };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    const csrf = over.csrf === undefined ? session.csrf : over.csrf;
    const origin = over.origin === undefined ? bot.url : over.origin;
    if (csrf !== null) headers['x-csrf-token'] = csrf;
    if (origin !== null) headers.origin = origin;
  }
  return fetch(`${bot.url}/console/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
