// /sign-in#t=<token>: the token is in the fragment, which the browser never sends to a server, so
// a chat app that previews the link cannot use it up; this page posts it once, by hand of script.
import { post } from './api.js';
import { fill, h } from './dom.js';
import { errorText, t } from './i18n.js';

export async function signInPage(main) {
  // Back from the identity provider without a session: say why (`who` is the provider's text).
  const query = new URLSearchParams(location.search);
  const why = t().oidcWhy[query.get('oidc') ?? ''];
  if (why) {
    return void fill(main, h('h1', {}, t().oidcFailed), h('p.error', { role: 'alert' }, why(query.get('who') ?? '')), h('p', {}, h('a', { href: '/' }, t().backToAlerts)));
  }
  const token = new URLSearchParams(location.hash.slice(1)).get('t');
  // Out of the address bar and history at once: the link works once and should not linger.
  history.replaceState(null, '', '/sign-in');
  fill(main, h('p', { role: 'status' }, t().signingIn));
  try {
    if (!token) throw Object.assign(new Error('no token in this link'), { status: 401 });
    await post('/session', { token });
    location.replace('/');
  } catch (err) {
    fill(main, h('h1', {}, t().signInFailed), h('p.error', { role: 'alert' }, errorText(err)), h('p', {}, t().notSignedIn));
  }
}
