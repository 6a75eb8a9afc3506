// Not signed in: a member asks for a sign-in link by their member id or email; it comes by direct
// chat message and by email. The answer is the same whether the name is known or not (the server
// never says who is a member).
import { ApiError, get, post } from './api.js';
import { h } from './dom.js';
import { errorText, t } from './i18n.js';

export function requestLinkForm() {
  const status = h('p.status', { role: 'status' });
  const input = h('input', { name: 'member', type: 'text', required: true, autocomplete: 'username', maxlength: '200' });
  const form = h('form.request-link', {
    onsubmit: async (e) => {
      e.preventDefault();
      status.className = 'status';
      try {
        await post('/sign-in-link', { member: input.value });
        status.textContent = t().linkRequested;
      } catch (err) {
        status.className = 'status error';
        status.textContent = err instanceof ApiError && err.status === 429 ? t().tooMany : errorText(err);
      }
    },
  }, h('label', {}, t().memberId, ' ', input), ' ', h('button', { type: 'submit' }, t().sendLink));
  return h('section', {}, h('h2', {}, t().askLink), form, status);
}

/** "Sign in with your company account", when dutybot has an OpenID Connect provider (console.oidc). */
export async function oidcButton() {
  const { oidc } = await get('/sign-in-options').catch(() => ({ oidc: false }));
  return oidc ? h('p.oidc', {}, h('a.button', { href: '/console/oidc/start', id: 'oidc-sign-in' }, t().oidcButton)) : null;
}
