import { Router } from 'express';
import { aliyunVoiceReportRoutes } from '../http/aliyun-voice-report-routes.js';
import type { ChatAdapter, PlatformId } from '../bot/chat-adapter.js';
import { parseConfigDuration } from '../core/duration.js';
import { linkRoutes } from '../http/link-routes.js';
import type { Runtime } from '../runtime.js';
import type { OutboxStore } from '../store/outbox.js';
import { buildChannels } from './build-channels.js';
import { ActionLinks, LinkUses } from './links.js';
import { IvrOutIds } from './providers/aliyun-ivr.js';
import { EmailChannel } from './providers/email.js';
import { OutboxSender } from './sender.js';
import type { HookDirectory } from './providers/webhook.js';

export interface Notify {
  outbox: OutboxStore;
  sender: OutboxSender;
  /** Absent unless `notify.publicUrl` and `notify.linkSecret` are set. */
  links?: ActionLinks;
  uses: LinkUses;
  router?: Router;
  /** The SMTP channel, when one is set up: also the console's sign-in links by email. */
  email?: EmailChannel;
}

/**
 * Builds the outbox's channels, the sender and the action-link routes from the config. The outbox
 * is the caller's: the escalation engine inserts into the same one.
 */
export function startNotify(
  rt: Runtime,
  adapters: ReadonlyMap<PlatformId, ChatAdapter>,
  outbox: OutboxStore,
  env: NodeJS.ProcessEnv = process.env,
  hooks?: HookDirectory,
): Notify {
  const cfg = rt.config.notify;
  const links =
    cfg.publicUrl && cfg.linkSecret ? new ActionLinks(cfg.linkSecret, cfg.publicUrl, parseConfigDuration(cfg.linkTtl) ?? 86_400_000) : undefined;
  const uses = new LinkUses(rt.database.db);
  const channels = buildChannels(cfg, { clock: rt.clock, adapters, env, linksOn: Boolean(links), hooks });
  // A level paging by a method with no provider fails over to its next method on every alert:
  // say so once at start, not first at 3 a.m. (not an error: a level may list sms as a fallback).
  const unserved = new Set<string>();
  for (const p of rt.config.escalationPolicies)
    for (const t of p.levels.flatMap((l) => l.notify))
      for (const via of t.via) if ((via === 'sms' || via === 'voice' || via === 'email') && !channels.has(via)) unserved.add(via);
  for (const via of unserved)
    rt.log.warn(`escalation policies page by ${via}, but no ${via} provider is set up (notify.${via === 'email' ? 'email.smtpUrl or SMTP_URL' : via}): those pages fail over to the level's next method`);
  const sender = new OutboxSender({
    outbox,
    alerts: rt.alerts,
    directory: rt.directory,
    locale: rt.config.locale,
    channels,
    links,
    clock: rt.clock,
    log: rt.log,
    maxAttempts: cfg.maxAttempts,
    // On FerretDB the sender's writes go by group commit through the write gate (OutboxStore), so
    // more sends at once make bigger batches: bench:outbox, 500 messages, quiet machine: 4 at once
    // 31 webhooks/s and 11 SMS/s, 16 → 52 and 38, 32 → 68 and 55 (ungated, 4 at once: 39 and 19).
    // MongoDB keeps the 8 it was built with (not measured here).
    concurrency: rt.database.ferretdb ? 32 : 8,
    count: (channel, provider, result) => rt.metrics.notifySends.inc({ channel, provider, result }),
    observeSeconds: (channel, provider, s) => rt.metrics.notifySeconds.observe({ channel, provider }, s),
  });
  const twilioAuthToken = cfg.voice?.provider === 'twilio' ? cfg.voice.authToken : undefined;
  const routers = links ? [linkRoutes(rt, { links, uses, twilioAuthToken })] : [];
  const aliyunVoice = cfg.voice?.provider === 'aliyun' ? cfg.voice : undefined;
  const ivr = aliyunVoice?.ivr;
  // Receipts of plain calls (their outcome) and of interactive ones (press 1): one route for both.
  const reportTokens = [...new Set([aliyunVoice?.reportToken, ivr?.reportToken].filter((t): t is string => !!t))];
  const outIds = ivr && cfg.linkSecret ? new IvrOutIds(cfg.linkSecret) : undefined;
  if (reportTokens.length) routers.push(aliyunVoiceReportRoutes(rt, { reportTokens, ...(outIds ? { outIds } : {}), outbox, uses }));
  if (ivr && !cfg.linkSecret) rt.log.warn('notify.voice.ivr needs notify.linkSecret: Aliyun calls read the alert but take no key press');
  const router = routers.length > 1 ? Router().use(...routers) : routers[0];
  const email = channels.get('email');
  return { outbox, sender, links, uses, router, ...(email instanceof EmailChannel ? { email } : {}) };
}
