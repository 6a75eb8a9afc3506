import type { Alert } from '../core/alert.js';
import type { Locale } from '../bot/card.js';
import { texts } from '../bot/i18n.js';

/**
 * The words of paging messages (SMS, voice, email, direct message) in both languages. Chat card
 * words stay in src/bot/i18n.ts; severity and state names come from there.
 */
export interface PageContent {
  /** `[严重] #12 磁盘将满 web-1` */
  subject: string;
  /** One short paragraph: what, where, why you get it. */
  text: string;
  /** For SMS: as short as will do. */
  short: string;
  /** Read aloud by a voice call. */
  spoken: string;
  html: string;
  /** Template parameters for providers that send only approved templates (Aliyun, Tencent). */
  params: { severity: string; id: string; title: string; link: string };
}

const WORDS = {
  zh: {
    why: (reason: string) => `你收到这条消息是因为：${reason}`,
    act: '认领或关闭：',
    open: '查看告警',
    host: '主机',
    spokenPress: '按 1 认领。',
    spoken: (sev: string, id: number, title: string) => `dutybot 告警，${sev}，编号 ${id}，${title}。`,
    footer: '此链接仅限你本人使用，一次有效。',
  },
  en: {
    why: (reason: string) => `You get this because of: ${reason}`,
    act: 'Claim or resolve: ',
    open: 'Open the alert',
    host: 'Host',
    spokenPress: 'Press 1 to claim it.',
    spoken: (sev: string, id: number, title: string) => `dutybot alert, ${sev}, number ${id}: ${title}.`,
    footer: 'This link is yours alone and works once.',
  },
} as const;

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function pageContent(alert: Alert, locale: Locale, reason: string, link?: string): PageContent {
  const t = texts(locale);
  const w = WORDS[locale] ?? WORDS.zh;
  const sev = t.severity[alert.severity] ?? alert.severity;
  const title = alert.title || t.untitled;
  const where = alert.host ? ` ${alert.host}` : '';
  const subject = `[${sev}] #${alert.shortId} ${cut(title, 120)}${where}`;
  const lines = [subject, `${t.field.source}${t.colon}${alert.integration} · ${t.state[alert.state]}`, w.why(reason)];
  if (link) lines.push(`${w.act}${link}`, w.footer);
  const short = `[dutybot] ${sev} #${alert.shortId} ${cut(title, 60)}${where}${link ? ` ${link}` : ''}`;
  const rows: Array<[string, string]> = [
    [t.field.source, alert.integration],
    [t.field.team, alert.team],
    ...(alert.host ? ([[w.host, alert.host]] as Array<[string, string]>) : []),
    ...(alert.service ? ([[t.field.service, alert.service]] as Array<[string, string]>) : []),
  ];
  const html = [
    `<!doctype html><html lang="${locale === 'en' ? 'en' : 'zh-CN'}"><body style="font-family:sans-serif">`,
    `<h2>${esc(subject)}</h2>`,
    alert.description ? `<p>${esc(cut(alert.description, 2000))}</p>` : '',
    `<table>${rows.map(([k, v]) => `<tr><td><b>${esc(k)}</b></td><td>${esc(v)}</td></tr>`).join('')}</table>`,
    `<p>${esc(w.why(reason))}</p>`,
    link ? `<p><a href="${esc(link)}" style="font-size:1.2em">${esc(w.act.replace(/[：:]\s*$/, ''))}</a></p><p style="color:#666">${esc(w.footer)}</p>` : '',
    '</body></html>',
  ].join('');
  return {
    subject,
    text: lines.join('\n'),
    short,
    spoken: w.spoken(sev, alert.shortId, cut(title, 80)),
    html,
    params: { severity: sev, id: String(alert.shortId), title: cut(title, 35), link: link ?? '' },
  };
}

export function spokenPress(locale: Locale): string {
  return (WORDS[locale] ?? WORDS.zh).spokenPress;
}
