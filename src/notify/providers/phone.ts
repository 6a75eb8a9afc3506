import { createHash } from 'node:crypto';
import type { Member } from '../../config/schema.js';
import { permanent, type ChannelResult } from '../result.js';

/**
 * The member's phone number for a provider, or a permanent failure (so the next method is tried).
 * Chinese providers take mainland numbers without `+86`; others want E.164 (`+8613800000000`).
 */
export function phoneOf(member: Member | undefined, mainlandLocal: boolean): string | ChannelResult {
  if (!member) return permanent('no recipient');
  if (!member.phone) return permanent(`member ${member.id} has no phone number`);
  const digits = member.phone.replace(/[\s-]/g, '');
  if (mainlandLocal) return digits.replace(/^\+86(?=1\d{10}$)/, '');
  return digits.startsWith('+') ? digits : /^1\d{10}$/.test(digits) ? `+86${digits}` : `+${digits}`;
}

/**
 * A provider's out-id / session field for a row: its `_id` when short enough, else a hash of it
 * (Aliyun's OutId takes 256 characters, Tencent's SessionContext 512, but ids can be long).
 */
export function outId(rowId: string): string {
  return rowId.length <= 64 && /^[\x21-\x7e]+$/.test(rowId) ? rowId : `h${createHash('sha256').update(rowId).digest('hex').slice(0, 40)}`;
}
