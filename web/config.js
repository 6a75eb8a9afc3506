// The configuration dutybot runs with (admins): the file as loaded, every default filled in, every
// secret masked by the server (src/config/mask.ts). Shown as YAML, as people write it.
import { get } from './api.js';
import { fill, h } from './dom.js';
import { t } from './i18n.js';

export async function configPage(main) {
  const x = t().config;
  const { yaml } = await get('/config');
  fill(main, h('h1', {}, x.title), h('p.notice', {}, x.intro), h('pre.snippet.config', { tabindex: '0', 'aria-label': x.title }, yaml));
}
