import { createHmac, timingSafeEqual } from 'node:crypto';
import { WardenError } from '../errors.js';
import type { ActionGrant, ActionKind } from './action-grant.js';

/**
 * Action tokens: an ActionGrant, a nonce and a key id, packed into bytes (not JSON, to keep
 * links short), followed by HMAC-SHA256 over those bytes truncated to 128 bits (RFC 2104 §5
 * allows truncation to half the output), all in base64url. A token for a 40-character job name
 * and a 17-character email owner is about 150 characters (the same as JSON is over 300).
 *
 * Layout (big-endian): version 1 · key id (length byte + ASCII) · creation time (uint48 ms) ·
 * expiry (uint48 ms) · action (0 release | 1 extend + uint32 seconds) · owner (length byte +
 * UTF-8) · ARN (form byte, then: 2, the usual `arn:aws:sagemaker:<region>:<account>:
 * training-job/<name>` as region, account as uint40 and name; 1, any other ARN under
 * `arn:aws:sagemaker:` without that prefix; 0, any other ARN whole) · nonce (12 bytes) · MAC
 * (16 bytes). Every text is a length byte + UTF-8.
 *
 * HMAC runs here as pure computation; the key and the nonce come in as arguments.
 */

/** A signing key from the service's secret. Keys are listed newest first. */
interface ActionKey {
  /** Short name carried in tokens so a verifier knows which key signed (1–16 of A-Z a-z 0-9 _ . -). */
  readonly id: string;
  readonly secret: string;
}

type TokenRejection = 'malformed' | 'unknown-key' | 'bad-signature' | 'expired';

/** Where a token may be used: `/a/{token}` (an email link) or a Slack button's value. */
type TokenChannel = 'link' | 'slack';

/** What a token says once its signature checks out, or why it does not. */
type TokenVerdict =
  | {
      readonly ok: true;
      readonly grant: ActionGrant;
      /** base64url of the nonce bytes: the key a single-use claim is made under. */
      readonly nonce: string;
      readonly keyId: string;
    }
  | { readonly ok: false; readonly reason: TokenRejection };

/**
 * The first byte, covered by the MAC, names the channel a token was made for: an email link
 * acts for whoever holds it (it reached one address), a Slack button only for a Slack user the
 * handler authorises; a button's value must never work as a link, nor a link as a button.
 */
const CHANNEL_BYTE: Readonly<Record<TokenChannel, number>> = { link: 1, slack: 2 };
const NONCE_BYTES = 12;
const MAC_BYTES = 16;
const MAX_UINT48 = 2 ** 48 - 1;
const MAX_UINT32 = 2 ** 32 - 1;
/** Far above any real token; longer inputs are refused before any decoding. */
const MAX_TOKEN_CHARS = 1024;
const MIN_SECRET_CHARS = 32;
const KEY_ID = /^[A-Za-z0-9_.-]{1,16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ARN_PREFIX = 'arn:aws:sagemaker:';
/** `arn:aws:sagemaker:<region>:<account>:training-job/<name>`, packed to region, 5 bytes, name. */
const USUAL_ARN = /^arn:aws:sagemaker:([a-z0-9-]{1,40}):(\d{12}):training-job\/(.{1,255})$/s;
const ARN_RAW = 0;
const ARN_SHORT = 1;
const ARN_USUAL = 2;
const ACTION_RELEASE = 0;
const ACTION_EXTEND = 1;

/** Why `key` cannot sign or verify, or `undefined` when it can (the secret is never shown). */
function checkActionKey(key: {
  readonly id: unknown;
  readonly secret: unknown;
}): string | undefined {
  if (typeof key.id !== 'string' || !KEY_ID.test(key.id)) {
    return 'has an "id" that is not 1–16 of letters, digits, _ . -';
  }
  if (typeof key.secret !== 'string' || key.secret.length < MIN_SECRET_CHARS) {
    return `has a "secret" shorter than ${MIN_SECRET_CHARS} characters`;
  }
  return undefined;
}

function invalid(why: string): WardenError {
  return new WardenError('ACTION_TOKEN_INVALID', `cannot sign action token: ${why}`);
}

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/** A length-prefixed UTF-8 field; at most 255 bytes. */
function field(text: string, name: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length < 1 || bytes.length > 255) throw invalid(`${name} must be 1–255 bytes`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function uint48(value: number, name: string): Buffer {
  if (!isUint(value, MAX_UINT48)) throw invalid(`${name} must be a whole epoch ms`);
  const out = Buffer.alloc(6);
  out.writeUIntBE(value, 0, 6);
  return out;
}

function actionBytes(action: ActionKind): Buffer {
  if (action.kind === 'release') return Buffer.from([ACTION_RELEASE]);
  if (!isUint(action.keepAliveSeconds, MAX_UINT32)) {
    throw invalid('keepAliveSeconds must be a whole number of seconds');
  }
  const out = Buffer.alloc(5);
  out.writeUInt8(ACTION_EXTEND, 0);
  out.writeUInt32BE(action.keepAliveSeconds, 1);
  return out;
}

function arnBytes(arn: string): Buffer {
  const usual = USUAL_ARN.exec(arn);
  if (usual !== null) {
    const [, region = '', account = '', name = ''] = usual;
    const accountBytes = Buffer.alloc(5);
    accountBytes.writeUIntBE(Number(account), 0, 5);
    return Buffer.concat([
      Buffer.from([ARN_USUAL]),
      field(region, 'region'),
      accountBytes,
      field(name, 'job name'),
    ]);
  }
  const short = arn.startsWith(ARN_PREFIX) && arn.length > ARN_PREFIX.length;
  return Buffer.concat([
    Buffer.from([short ? ARN_SHORT : ARN_RAW]),
    field(short ? arn.slice(ARN_PREFIX.length) : arn, 'job ARN'),
  ]);
}

function mac(secret: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest().subarray(0, MAC_BYTES);
}

/**
 * Signs `grant` with `key` (the newest key) and a fresh `nonce` of 12 random bytes.
 *
 * @example
 * const token = signActionToken(grant, randomBytes(12), keys[0]);
 */
function signActionToken(
  grant: ActionGrant,
  nonce: Uint8Array,
  key: ActionKey,
  channel: TokenChannel = 'link'
): string {
  const problem = checkActionKey(key);
  if (problem !== undefined) throw invalid(`the key ${problem}`);
  if (nonce.length !== NONCE_BYTES) throw invalid(`the nonce must be ${NONCE_BYTES} bytes`);
  const body = Buffer.concat([
    Buffer.from([CHANNEL_BYTE[channel]]),
    field(key.id, 'key id'),
    uint48(grant.creationTime, 'creationTime'),
    uint48(grant.expiresAt, 'expiresAt'),
    actionBytes(grant.action),
    field(grant.owner, 'owner'),
    arnBytes(grant.jobArn),
    Buffer.from(nonce),
  ]);
  return Buffer.concat([body, mac(key.secret, body)]).toString('base64url');
}

/** Reads fields off a buffer; every read answers `undefined` past the end instead of throwing. */
class Reader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  get offset(): number {
    return this.at;
  }

  u8(): number | undefined {
    if (this.at + 1 > this.bytes.length) return undefined;
    return this.bytes[this.at++];
  }

  uint(size: 4 | 5 | 6): number | undefined {
    if (this.at + size > this.bytes.length) return undefined;
    const value = this.bytes.readUIntBE(this.at, size);
    this.at += size;
    return value;
  }

  take(size: number): Buffer | undefined {
    if (this.at + size > this.bytes.length) return undefined;
    const out = this.bytes.subarray(this.at, this.at + size);
    this.at += size;
    return out;
  }

  text(): string | undefined {
    const length = this.u8();
    if (length === undefined || length === 0) return undefined;
    const bytes = this.take(length);
    if (bytes === undefined) return undefined;
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    try {
      return text.decode(bytes);
    } catch {
      return undefined;
    }
  }
}

interface Unpacked {
  readonly keyId: string;
  readonly grant: ActionGrant;
  readonly nonce: Buffer;
  readonly body: Buffer;
  readonly mac: Buffer;
}

function unpack(token: string, channelByte: number): Unpacked | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS || !BASE64URL.test(token)) {
    return undefined;
  }
  const bytes = Buffer.from(token, 'base64url');
  // Node ignores a final character's spare bits; only the canonical spelling of the bytes counts,
  // so no two tokens mean the same thing.
  if (bytes.toString('base64url') !== token) return undefined;
  const read = new Reader(bytes);
  if (read.u8() !== channelByte) return undefined;
  const keyId = read.text();
  const creationTime = read.uint(6);
  const expiresAt = read.uint(6);
  const actionTag = read.u8();
  let action: ActionKind | undefined;
  if (actionTag === ACTION_RELEASE) action = { kind: 'release' };
  else if (actionTag === ACTION_EXTEND) {
    const keepAliveSeconds = read.uint(4);
    if (keepAliveSeconds !== undefined) action = { kind: 'extend', keepAliveSeconds };
  }
  const owner = read.text();
  const arnForm = read.u8();
  let jobArn: string | undefined;
  if (arnForm === ARN_USUAL) {
    const region = read.text();
    const account = read.uint(5);
    const name = read.text();
    if (region !== undefined && account !== undefined && name !== undefined) {
      jobArn = `${ARN_PREFIX}${region}:${String(account).padStart(12, '0')}:training-job/${name}`;
    }
  } else if (arnForm === ARN_RAW || arnForm === ARN_SHORT) {
    const text = read.text();
    if (text !== undefined) jobArn = arnForm === ARN_SHORT ? ARN_PREFIX + text : text;
  }
  const nonce = read.take(NONCE_BYTES);
  const bodyEnd = read.offset;
  const tag = read.take(MAC_BYTES);
  if (
    keyId === undefined ||
    !KEY_ID.test(keyId) ||
    creationTime === undefined ||
    expiresAt === undefined ||
    action === undefined ||
    owner === undefined ||
    jobArn === undefined ||
    // One spelling per ARN: a usual ARN packed another way is not a token Warden made.
    (arnForm !== ARN_USUAL && USUAL_ARN.test(jobArn)) ||
    nonce === undefined ||
    tag === undefined ||
    read.offset !== bytes.length
  ) {
    return undefined;
  }
  return {
    keyId,
    grant: { jobArn, creationTime, action, owner, expiresAt },
    nonce,
    body: bytes.subarray(0, bodyEnd),
    mac: tag,
  };
}

/**
 * Checks `token` against `keys` (any listed key id verifies, so two keys work during a
 * rotation) and `now`. Never throws: any input, however odd, gets a verdict.
 *
 * @example
 * const verdict = verifyActionToken(token, keys, clock.now());
 * if (verdict.ok) act(verdict.grant);
 */
function verifyActionToken(
  token: unknown,
  keys: readonly ActionKey[],
  now: number,
  channel: TokenChannel = 'link'
): TokenVerdict {
  try {
    if (typeof token !== 'string') return { ok: false, reason: 'malformed' };
    const unpacked = unpack(token, CHANNEL_BYTE[channel]);
    if (unpacked === undefined) return { ok: false, reason: 'malformed' };
    const key = keys.find((k) => k.id === unpacked.keyId);
    if (key === undefined || checkActionKey(key) !== undefined) {
      return { ok: false, reason: 'unknown-key' };
    }
    const expected = mac(key.secret, unpacked.body);
    if (!timingSafeEqual(expected, unpacked.mac)) return { ok: false, reason: 'bad-signature' };
    if (!(now < unpacked.grant.expiresAt)) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      grant: unpacked.grant,
      nonce: unpacked.nonce.toString('base64url'),
      keyId: unpacked.keyId,
    };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

export type { ActionKey, TokenChannel, TokenRejection, TokenVerdict };
export { checkActionKey, NONCE_BYTES, signActionToken, verifyActionToken };
