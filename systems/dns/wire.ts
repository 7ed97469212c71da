/**
 * DNS messages on the wire (RFC 1035), the parts an RFC 2136 client needs:
 * headers with any opcode, names (compression read, never written), the
 * classes IN, NONE (254) and ANY (255), empty RDATA, and the record types
 * A, NS, CNAME, SOA, TXT and TSIG. Written here rather than taken from
 * dns-packet, which sets the opcode only through its flags, has no class
 * NONE, mishandles empty RDATA and has no TSIG: each of those is needed for
 * UPDATE, and TSIG needs the exact bytes of the message anyway.
 */

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28, TSIG: 250, AXFR: 252, ANY: 255 } as const;
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE = { QUERY: 0, UPDATE: 5 } as const;
export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'] as const;

/** The name of an rcode (`NOERROR`, `NXRRSET`, ...), or `RCODE<n>`. */
export const rcodeName = (r: number): string => RCODE_NAMES[r] ?? `RCODE${r}`;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(TYPE).map(([k, v]) => [v, k]));
/** The name of a record type (`A`, `TXT`, ...), or `TYPE<n>`. */
export const typeName = (t: number): string => TYPE_NAMES[t] ?? `TYPE${t}`;

/** Record data, by type: an address, a name, strings, or raw bytes for the others. */
export type RData =
  | { readonly kind: 'a'; readonly address: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'txt'; readonly strings: readonly string[] }
  | { readonly kind: 'soa'; readonly mname: string; readonly rname: string; readonly serial: number }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/** A resource record. `data` null means empty RDATA (RDLENGTH 0), as UPDATE's deletions and prerequisites use. */
export interface Rr {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: RData | null;
}

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

/** A message. For UPDATE the sections are zone, prerequisites, updates, additional. */
export interface Message {
  readonly id: number;
  /** QR bit. */
  readonly response: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly Rr[];
  readonly authority: readonly Rr[];
  readonly additional: readonly Rr[];
}

export class WireError extends Error {
  override name = 'WireError';
}

/** Lowercase, absolute (with the final dot). */
export function fqdn(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/** A growable byte buffer. */
class Writer {
  private buf = new Uint8Array(512);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
  }
  u16(v: number): void {
    this.u8(v >>> 8);
    this.u8(v);
  }
  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  setU16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A name in uncompressed wire form (lowercased: the canonical form TSIG needs). */
export function nameBytes(name: string): Uint8Array {
  const w = new Writer();
  writeName(w, name);
  return w.done();
}

function writeName(w: Writer, name: string): void {
  const n = fqdn(name);
  if (n !== '.') {
    const labels = n.slice(0, -1).split('.');
    for (const l of labels) {
      const b = Buffer.from(l, 'ascii');
      if (b.length === 0 || b.length > 63) throw new WireError(`bad label in name ${name}`);
      w.u8(b.length);
      w.bytes(b);
    }
  }
  w.u8(0);
}

function writeRData(w: Writer, d: RData): void {
  switch (d.kind) {
    case 'a': {
      const parts = d.address.split('.').map(Number);
      if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new WireError(`bad IPv4 address ${d.address}`);
      for (const p of parts) w.u8(p);
      return;
    }
    case 'name':
      writeName(w, d.name);
      return;
    case 'txt':
      for (const s of d.strings) {
        const b = Buffer.from(s, 'utf8');
        if (b.length > 255) throw new WireError('a TXT string is at most 255 bytes');
        w.u8(b.length);
        w.bytes(b);
      }
      return;
    case 'soa':
      throw new WireError('writing SOA data is not supported');
    case 'raw':
      w.bytes(d.bytes);
      return;
  }
}

function writeRr(w: Writer, rr: Rr): void {
  writeName(w, rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const at = w.length;
  w.u16(0);
  if (rr.data) writeRData(w, rr.data);
  w.setU16(at, w.length - at - 2);
}

/** Encodes a message (names uncompressed). */
export function encode(m: Message): Uint8Array {
  const w = new Writer();
  w.u16(m.id);
  w.u16((m.response ? 0x8000 : 0) | ((m.opcode & 0xf) << 11) | (m.aa ? 0x400 : 0) | (m.tc ? 0x200 : 0) | (m.rd ? 0x100 : 0) | (m.rcode & 0xf));
  w.u16(m.questions.length);
  w.u16(m.answers.length);
  w.u16(m.authority.length);
  w.u16(m.additional.length);
  for (const q of m.questions) {
    writeName(w, q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...m.answers, ...m.authority, ...m.additional]) writeRr(w, rr);
  return w.done();
}

/** Encodes one record on its own (for TSIG, which is appended to an encoded message). */
export function encodeRr(rr: Rr): Uint8Array {
  const w = new Writer();
  writeRr(w, rr);
  return w.done();
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new WireError('message truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  u32(): number {
    return ((this.u16() << 16) >>> 0) + this.u16();
  }
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let jumped = false;
    for (let hops = 0; ; hops++) {
      if (hops > 128) throw new WireError('name compression loop');
      if (pos >= this.buf.length) throw new WireError('message truncated');
      const len = this.buf[pos];
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new WireError('message truncated');
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1];
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        pos = target;
        continue;
      }
      if (len & 0xc0) throw new WireError('bad label type');
      if (len === 0) {
        if (!jumped) this.pos = pos + 1;
        break;
      }
      if (pos + 1 + len > this.buf.length) throw new WireError('message truncated');
      labels.push(
        Buffer.from(this.buf.subarray(pos + 1, pos + 1 + len))
          .toString('latin1')
          .toLowerCase(),
      );
      pos += 1 + len;
    }
    return labels.length === 0 ? '.' : `${labels.join('.')}.`;
  }
}

function readRData(r: Reader, type: number, end: number): RData | null {
  if (r.pos === end) return null;
  switch (type) {
    case TYPE.A: {
      if (end - r.pos !== 4) throw new WireError('bad A record');
      const a = [r.u8(), r.u8(), r.u8(), r.u8()].join('.');
      return { kind: 'a', address: a };
    }
    case TYPE.CNAME:
    case TYPE.NS:
      return { kind: 'name', name: r.name() };
    case TYPE.TXT: {
      const strings: string[] = [];
      while (r.pos < end) {
        const n = r.u8();
        r.need(n);
        strings.push(Buffer.from(r.buf.subarray(r.pos, r.pos + n)).toString('utf8'));
        r.pos += n;
      }
      return { kind: 'txt', strings };
    }
    case TYPE.SOA: {
      const mname = r.name();
      const rname = r.name();
      const serial = r.u32();
      r.pos = end;
      return { kind: 'soa', mname, rname, serial };
    }
    default: {
      const bytes = r.buf.slice(r.pos, end);
      r.pos = end;
      return { kind: 'raw', bytes };
    }
  }
}

function readRr(r: Reader): Rr & { readonly start: number } {
  const start = r.pos;
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const len = r.u16();
  r.need(len);
  const end = r.pos + len;
  const data = readRData(r, type, end);
  if (r.pos !== end) throw new WireError(`bad ${typeName(type)} record data`);
  return { name, type, class: cls, ttl, data, start };
}

/** A decoded message, and where its last additional record starts (for TSIG, which must be last). */
export interface Decoded extends Message {
  /** Byte offset of the last additional record, when there is one. */
  readonly lastAdditionalAt?: number;
}

/** Decodes a message. Throws WireError for anything malformed. */
export function decode(buf: Uint8Array): Decoded {
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()];
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const sections: Rr[][] = [[], [], []];
  let lastAdditionalAt: number | undefined;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const { start, ...rr } = readRr(r);
      if (s === 2) lastAdditionalAt = start;
      sections[s].push(rr);
    }
  }
  return {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >>> 11) & 0xf,
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0],
    authority: sections[1],
    additional: sections[2],
    ...(lastAdditionalAt !== undefined ? { lastAdditionalAt } : {}),
  };
}
