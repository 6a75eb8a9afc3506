import { createHmac, randomUUID } from 'node:crypto';
import { byStatus, networkFailure, permanent, retry, sent, type ChannelResult } from '../result.js';

/**
 * Aliyun's RPC-style API signature (SignatureVersion 1.0, as used by dysmsapi and dyvmsapi):
 * percent-encode every parameter (RFC 3986: space `%20`, `*` `%2A`, `~` kept), sort by name, join
 * `k=v` with `&`; StringToSign = `<METHOD>&%2F&` + percentEncode(that); Signature =
 * base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)). Checked against the example of
 * Aliyun's SMS documentation in test/unit/notify/signing.test.ts.
 */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

export function rpcSignature(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  const toSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(toSign).digest('base64');
}

/** `2017-07-12T02:42:19Z` */
export const rpcTimestamp = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface RpcCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  regionId: string;
}

/** One signed RPC call (POST form). Returns the JSON answer, or a network/HTTP failure. */
export async function rpcCall(
  endpoint: string,
  action: string,
  version: string,
  creds: RpcCredentials,
  params: Record<string, string>,
  now: Date,
  timeoutMs = 10_000,
): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; result: ChannelResult }> {
  const all: Record<string, string> = {
    ...params,
    AccessKeyId: creds.accessKeyId,
    Action: action,
    Format: 'JSON',
    RegionId: creds.regionId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: randomUUID(),
    SignatureVersion: '1.0',
    Timestamp: rpcTimestamp(now),
    Version: version,
  };
  const body = `${canonicalQuery(all)}&Signature=${percentEncode(rpcSignature('POST', all, creds.accessKeySecret))}`;
  let res: Response;
  try {
    res = await fetch(`${endpoint.replace(/\/+$/, '')}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { ok: false, result: networkFailure(err) };
  }
  const text = await res.text().catch(() => '');
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, result: byStatus(res.status >= 400 ? res.status : 502, `http ${res.status}: not JSON`) };
  }
  if (typeof json.Code === 'string' && json.Code !== 'OK') return { ok: false, result: aliyunError(json.Code, String(json.Message ?? '')) };
  if (!res.ok) return { ok: false, result: byStatus(res.status, `http ${res.status}`) };
  return { ok: true, body: json };
}

/**
 * Aliyun's error codes → retry or permanent. Flow control (per-number minute/hour/day limits,
 * API throttling) and the platform's own errors are worth another try; a bad number, template,
 * signature name or credentials are not.
 */
export function aliyunError(code: string, message: string): ChannelResult {
  const error = `${code}: ${message}`.slice(0, 300);
  if (code === 'isv.BUSINESS_LIMIT_CONTROL' || code === 'isv.DAY_LIMIT_CONTROL') return retry(error, 60_000);
  if (/^Throttling/.test(code) || code === 'ServiceUnavailable' || /^isp\./.test(code) || code === 'InternalError') return retry(error, 10_000);
  return permanent(error);
}

export { sent };
