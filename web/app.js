// The console's entry point: who is signed in, the header (language switch, sign-out), and which
// page to draw for this path. Pages are separate loads (plain links), so there is no client router.
import { ApiError, get, post, setCsrf } from './api.js';
import { fill, h } from './dom.js';
import { errorText, locale, setLocale, t } from './i18n.js';
import { startLive } from './live.js';
import { alertListPage } from './alert-list.js';
import { alertDetailPage } from './alert-detail.js';
import { signInPage } from './sign-in.js';
import { oidcButton, requestLinkForm } from './request-link.js';
import { onCallPage } from './oncall.js';
import { statusPage } from './status.js';
import { maintenancePage } from './maintenance.js';
import { heartbeatsPage } from './heartbeats.js';
import { integrationsPage } from './integrations.js';
import { routeTestPage } from './route-test.js';
import { analyticsPage } from './analytics.js';
import { configPage } from './config.js';

const $ = (id) => document.getElementById(id);

async function draw() {
  setLocale(locale());
  const main = $('main');
  const lang = $('lang');
  lang.textContent = t().switchTo;
  lang.onclick = () => {
    setLocale(locale() === 'zh' ? 'en' : 'zh');
    location.reload();
  };
  if (location.pathname === '/sign-in') return signInPage(main);

  let viewer;
  try {
    viewer = (await get('/me')).viewer;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return void fill(main, h('p.notice', { role: 'alert' }, t().notSignedIn), await oidcButton(), requestLinkForm());
    throw err;
  }
  setCsrf(viewer.csrf);
  $('who').textContent = `${viewer.name}${viewer.role === 'admin' ? ' (admin)' : ''}`;
  const out = $('sign-out');
  out.hidden = false;
  out.textContent = t().signOut;
  out.onclick = async () => {
    await post('/sign-out');
    location.replace('/');
  };
  fill($('nav'), h('a', { href: '/' }, t().alerts), h('a', { href: '/oncall' }, t().onCallNav), h('a', { href: '/maintenance' }, t().maintNav), h('a', { href: '/heartbeats' }, t().hbNav), h('a', { href: '/routes' }, t().routesNav), ...(viewer.role === 'admin' ? [h('a', { href: '/integrations' }, t().integNav), h('a', { href: '/status' }, t().statusNav)] : []));
  $('nav').append(h('a', { href: '/analytics' }, t().analyticsNav), ...(viewer.role === 'admin' ? [h('a', { href: '/config' }, t().configNav)] : []));
  startLive($('live'), t);

  const path = location.pathname;
  const alert = /^\/alerts\/([^/]+)$/.exec(path);
  if (path === '/') return alertListPage(main);
  if (alert) return alertDetailPage(main, decodeURIComponent(alert[1]));
  if (path === '/oncall') return onCallPage(main);
  if (path === '/status') return statusPage(main);
  if (path === '/maintenance') return maintenancePage(main, viewer);
  if (path === '/heartbeats') return heartbeatsPage(main);
  if (path === '/integrations') return integrationsPage(main);
  if (path === '/routes') return routeTestPage(main);
  if (path === '/analytics') return analyticsPage(main);
  if (path === '/config') return configPage(main);
  fill(main, h('h1', {}, t().notFound), h('p', {}, h('a', { href: '/' }, t().backToAlerts)));
}

draw().catch((err) => {
  fill($('main'), h('p.error', { role: 'alert' }, errorText(err)));
});
