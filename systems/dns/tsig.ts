/**
 * TSIG (RFC 8945) with HMAC-SHA256, through node:crypto: signing requests
 * and verifying the server's signed answers, including the later messages of
 * a zone transfer over TCP.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readInputFile } from '../../traces/io.js';
import { CLASS, TYPE, WireError, decode, encodeRr, fqdn, nameBytes } from './wire.js';

export const HMAC_SHA256 = 'hmac-sha256.';
const FUDGE = 300;

/** A shared secret: its name, as both sides know it, and its bytes. */
export interface TsigKey {
  readonly name: string;
  readonly secret: Buffer;
}

/** TSIG error codes (in the TSIG record, beside the rcode NOTAUTH). */
export const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export class TsigError extends Error {
  override name = 'TsigError';
}

/** Parses a BIND key file (`key "name" { algorithm hmac-sha256; secret "..."; };`, as tsig-keygen writes). */
export function parseKeyFile(text: string, file = 'the key file'): TsigKey {
  const m = /key\s+"?([A-Za-z0-9._-]+)"?\s*\{([^}]*)\}/.exec(text);
  if (!m) throw new TsigError(`${file}: no key "NAME" { algorithm hmac-sha256; secret "..."; }; in it`);
  const alg = /algorithm\s+"?([A-Za-z0-9-]+)"?\s*;/.exec(m[2]);
  const secret = /secret\s+"([A-Za-z0-9+/=]+)"\s*;/.exec(m[2]);
  if (alg?.[1].toLowerCase() !== 'hmac-sha256') throw new TsigError(`${file}: key ${m[1]} must use algorithm hmac-sha256`);
  if (!secret) throw new TsigError(`${file}: key ${m[1]} has no base64 secret`);
  return { name: fqdn(m[1]), secret: Buffer.from(secret[1], 'base64') };
}

/** The largest key file read: a key file is a few hundred bytes. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Reads a BIND key file: a regular file of at most MAX_KEY_FILE_BYTES. */
export function readKeyFile(file: string): TsigKey {
  let text: string;
  try {
    text = readInputFile(file, { name: 'TSIG key file', maxBytes: MAX_KEY_FILE_BYTES });
  } catch (e) {
    throw new TsigError((e as Error).message);
  }
  return parseKeyFile(text, file);
}

/** The key in BIND's named.conf syntax. */
export function keyClause(key: TsigKey): string {
  return `key "${key.name.slice(0, -1)}" {\n  algorithm hmac-sha256;\n  secret "${key.secret.toString('base64')}";\n};\n`;
}

const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const u48 = (v: number): Buffer => {
  const b = Buffer.alloc(6);
  b.writeUIntBE(v, 0, 6);
  return b;
};

interface TsigFields {
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

function parseTsigRData(raw: Uint8Array): TsigFields {
  const b = Buffer.from(raw);
  let pos = 0;
  const labels: string[] = [];
  for (;;) {
    if (pos >= b.length) throw new WireError('bad TSIG record');
    const n = b[pos++];
    if (n === 0) break;
    labels.push(
      b
        .subarray(pos, pos + n)
        .toString('latin1')
        .toLowerCase(),
    );
    pos += n;
  }
  if (pos + 10 > b.length) throw new WireError('bad TSIG record');
  const timeSigned = b.readUIntBE(pos, 6);
  const fudge = b.readUInt16BE(pos + 6);
  const macLen = b.readUInt16BE(pos + 8);
  pos += 10;
  if (pos + macLen + 6 > b.length) throw new WireError('bad TSIG record');
  const mac = b.subarray(pos, pos + macLen);
  pos += macLen;
  const originalId = b.readUInt16BE(pos);
  const error = b.readUInt16BE(pos + 2);
  const otherLen = b.readUInt16BE(pos + 4);
  const other = b.subarray(pos + 6, pos + 6 + otherLen);
  return { algorithm: `${labels.join('.')}.`, timeSigned, fudge, mac, originalId, error, other };
}

function variables(key: TsigKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([
    nameBytes(key.name),
    u16(CLASS.ANY),
    Buffer.alloc(4),
    nameBytes(HMAC_SHA256),
    u48(timeSigned),
    u16(fudge),
    u16(error),
    u16(other.length),
    other,
  ]);
}

/** A signed message and its MAC (which the answer's MAC covers). */
export interface Signed {
  readonly bytes: Uint8Array;
  readonly mac: Buffer;
}

/** Signs an encoded request: appends the TSIG record and counts it in ARCOUNT. */
export function sign(message: Uint8Array, key: TsigKey, now = Math.floor(Date.now() / 1000)): Signed {
  const msg = Buffer.from(message);
  const mac = createHmac('sha256', key.secret)
    .update(msg)
    .update(variables(key, now, FUDGE, 0, Buffer.alloc(0)))
    .digest();
  const id = msg.readUInt16BE(0);
  const rdata = Buffer.concat([nameBytes(HMAC_SHA256), u48(now), u16(FUDGE), u16(mac.length), mac, u16(id), u16(0), u16(0)]);
  const rr = encodeRr({ name: key.name, type: TYPE.TSIG, class: CLASS.ANY, ttl: 0, data: { kind: 'raw', bytes: rdata } });
  const out = Buffer.concat([msg, rr]);
  out.writeUInt16BE(msg.readUInt16BE(10) + 1, 10);
  return { bytes: out, mac };
}

/**
 * Verifies a signed answer. `prior` is the request's MAC for the first
 * answer, or the previous answer's MAC for the later messages of a zone
 * transfer (`first` false: only the timers are covered then). Returns the
 * answer's MAC, or null when the message is unsigned (allowed only between
 * signed messages of a transfer; the caller decides). Throws TsigError when
 * the server reports a TSIG error or the MAC does not match.
 */
export function verify(answer: Uint8Array, key: TsigKey, prior: Buffer, first: boolean): Buffer | null {
  const m = decode(answer);
  const last = m.additional[m.additional.length - 1];
  if (!last || last.type !== TYPE.TSIG) return null;
  if (last.data?.kind !== 'raw') throw new WireError('bad TSIG record');
  const t = parseTsigRData(last.data.bytes);
  if (fqdn(last.name) !== key.name) throw new TsigError(`the server signed with key ${last.name}, not ${key.name}`);
  if (t.error !== 0) {
    const k = key.name.slice(0, -1);
    const why =
      t.error === 17
        ? `the server has no key named ${k}, or does not allow that key this request (BIND answers BADKEY to a signed request its key may not make, such as a zone transfer allow-transfer does not grant it)`
        : t.error === 16
          ? `the secret of key ${k} is not the server's`
          : t.error === 18
            ? 'the clocks differ by more than the fudge'
            : 'the signature was not accepted';
    throw new TsigError(`the server refused the TSIG signature (${TSIG_ERRORS[t.error] ?? `error ${t.error}`}): ${why}`);
  }
  if (t.algorithm !== HMAC_SHA256) throw new TsigError(`the server signed with ${t.algorithm}, not hmac-sha256`);
  const raw = Buffer.from(answer.subarray(0, m.lastAdditionalAt));
  raw.writeUInt16BE(m.additional.length - 1, 10);
  raw.writeUInt16BE(t.originalId, 0);
  const h = createHmac('sha256', key.secret).update(u16(prior.length)).update(prior).update(raw);
  if (first) h.update(variables(key, t.timeSigned, t.fudge, t.error, t.other));
  else h.update(Buffer.concat([u48(t.timeSigned), u16(t.fudge)]));
  const want = h.digest();
  if (t.mac.length !== want.length || !timingSafeEqual(t.mac, want)) throw new TsigError('the answer’s TSIG signature does not verify');
  const now = Math.floor(Date.now() / 1000);
  if (Math.abs(now - t.timeSigned) > t.fudge) throw new TsigError('the answer’s TSIG time is outside its fudge');
  return Buffer.from(t.mac);
}
