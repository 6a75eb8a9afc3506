import type { Request } from 'express';
import type { Directory } from '../config/directory.js';
import type { Integration, Member } from '../config/schema.js';
import { HttpError } from './errors.js';

/** `Authorization: Bearer <secret>`, or `?key=<secret>` for tools that cannot set headers. */
export function presentedSecret(req: Request): string | undefined {
  const h = req.get('authorization');
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m?.[1];
  }
  const q = req.query.key;
  return typeof q === 'string' && q ? q : undefined;
}

export function authenticateIntegration(req: Request, dir: Directory, type: Integration['type']): Integration {
  const key = presentedSecret(req);
  if (!key) throw new HttpError(401, 'missing integration key: send "Authorization: Bearer <key>" or ?key=<key>', 'auth');
  const integration = dir.integrationByKey(key);
  if (!integration) throw new HttpError(401, 'unknown integration key', 'auth');
  if (integration.type !== type) {
    throw new HttpError(401, `this key belongs to a "${integration.type}" integration; it cannot send to the ${type} endpoint`, 'auth');
  }
  return integration;
}

export function authenticateMember(req: Request, dir: Directory): Member {
  const h = req.get('authorization');
  const token = h ? /^Bearer\s+(\S+)\s*$/i.exec(h)?.[1] : undefined;
  if (!token) throw new HttpError(401, 'missing member token: send "Authorization: Bearer <apiToken>"', 'auth');
  const member = dir.memberByToken(token);
  if (!member) throw new HttpError(401, 'unknown member token', 'auth');
  return member;
}
