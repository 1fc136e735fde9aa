/**
 * Source credentials: a bearer token or basic auth (checked before the body is read), and an
 * HMAC-SHA256 signature over the body or over `timestamp:body` (checked once it is read). Every
 * comparison is constant-time; a failure is a 401 that leaves no trace in the ledger.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../../core/errors.js';
import type { SourceAuth } from '../config.js';

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Constant-time comparison. Only the length can be learnt from the time taken; the secrets here
 * (tokens, passwords, hex signatures) have lengths that are no secret.
 */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Checks bearer or basic credentials when the source has any; throws MEDIC_ERR_SERVICE_UNAUTHORIZED. */
export function checkCredentials(headers: Headers, auth: SourceAuth): void {
  if (auth.bearer === undefined && auth.basic === undefined) return;
  const given = header(headers, 'authorization') ?? '';
  const [scheme = '', value = ''] = given.split(/\s+/, 2);
  if (auth.bearer !== undefined && scheme.toLowerCase() === 'bearer' && safeEqual(value, auth.bearer)) return;
  if (auth.basic !== undefined && scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const expected = `${auth.basic.username}:${auth.basic.password}`;
    if (safeEqual(decoded, expected)) return;
  }
  throw new ServiceError(
    'MEDIC_ERR_SERVICE_UNAUTHORIZED',
    given === '' ? 'no credentials were sent' : 'the credentials are not valid for this source',
  );
}

/** Checks the HMAC signature of `body` when the source requires one. */
export function checkSignature(
  headers: Headers,
  body: Buffer,
  auth: SourceAuth,
  nowSeconds = Date.now() / 1000,
): void {
  const hmac = auth.hmac;
  if (hmac === undefined) return;
  const signature = header(headers, hmac.header);
  if (signature === undefined) {
    throw new ServiceError('MEDIC_ERR_SERVICE_BAD_SIGNATURE', `no ${hmac.header} header`);
  }
  const mac = createHmac('sha256', hmac.secret);
  if (hmac.timestampHeader !== undefined) {
    const timestamp = header(headers, hmac.timestampHeader);
    if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) {
      throw new ServiceError(
        'MEDIC_ERR_SERVICE_BAD_SIGNATURE',
        `no Unix timestamp in ${hmac.timestampHeader}`,
      );
    }
    mac.update(`${timestamp}:`);
    mac.update(body);
    if (!safeEqual(signature.toLowerCase(), mac.digest('hex'))) {
      throw new ServiceError(
        'MEDIC_ERR_SERVICE_BAD_SIGNATURE',
        'the signature does not match the timestamp and body',
      );
    }
    // Checked after the signature, so the timestamp itself is known to come from the sender.
    if (Math.abs(nowSeconds - Number(timestamp)) > hmac.toleranceSeconds) {
      throw new ServiceError(
        'MEDIC_ERR_SERVICE_STALE_SIGNATURE',
        `signed at ${timestamp}, more than ${hmac.toleranceSeconds} s from now`,
      );
    }
    return;
  }
  mac.update(body);
  if (!safeEqual(signature.toLowerCase(), mac.digest('hex'))) {
    throw new ServiceError('MEDIC_ERR_SERVICE_BAD_SIGNATURE', 'the signature does not match the body');
  }
}

/** Whether `auth` asks anything of a request at all. */
export function hasCredentials(auth: SourceAuth | undefined): boolean {
  return (
    auth !== undefined && (auth.bearer !== undefined || auth.basic !== undefined || auth.hmac !== undefined)
  );
}
