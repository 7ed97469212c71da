/**
 * An RFC 2136 client: signed UPDATEs with prerequisites, queries and zone
 * transfers, over TCP or UDP to one server.
 *
 * An UPDATE is sent once and never retried: retransmitting one is not
 * idempotent (the first copy may have been applied), so a timeout is
 * reported as "outcome unknown". Updates go over TCP by default, where no
 * retransmission happens below us either. Queries are idempotent and go
 * over UDP, with one retry.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Socket } from 'node:net';
import { sign, verify, type TsigKey } from './tsig.js';
import { CLASS, OPCODE, TYPE, decode, encode, fqdn, rcodeName, type Decoded, type Message, type RData, type Rr } from './wire.js';

/** The server could not be reached, did not answer, or answered something unusable. One line. */
export class DnsError extends Error {
  override name = 'DnsError';
}

/** An UPDATE whose answer never came: it may or may not have been applied. */
export class OutcomeUnknownError extends DnsError {
  override name = 'OutcomeUnknownError';
}

/** Where the server is and the key updates are signed with. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** A prerequisite of an UPDATE (RFC 2136 section 2.4). */
export type Prereq =
  /** The rrset `name type` exists and equals exactly `data` (value-dependent). */
  | { readonly kind: 'rrsetEquals'; readonly name: string; readonly type: number; readonly data: readonly RData[] }
  /** The rrset `name type` exists, whatever it holds. */
  | { readonly kind: 'rrsetExists'; readonly name: string; readonly type: number }
  /** The name has no rrset of this type. */
  | { readonly kind: 'rrsetAbsent'; readonly name: string; readonly type: number }
  /** The name owns no records at all. */
  | { readonly kind: 'nameAbsent'; readonly name: string };

/** An update operation (RFC 2136 section 2.5). */
export type Update =
  | { readonly kind: 'add'; readonly name: string; readonly type: number; readonly ttl: number; readonly data: RData }
  /** Deletes the whole rrset `name type`. */
  | { readonly kind: 'deleteRrset'; readonly name: string; readonly type: number }
  /** Deletes every rrset of the name. */
  | { readonly kind: 'deleteName'; readonly name: string }
  /** Deletes one record. */
  | { readonly kind: 'deleteRr'; readonly name: string; readonly type: number; readonly data: RData };

export const txt = (s: string): RData => ({ kind: 'txt', strings: [s] });
export const a = (address: string): RData => ({ kind: 'a', address });
export const cname = (name: string): RData => ({ kind: 'name', name: fqdn(name) });

function prereqRrs(p: Prereq): Rr[] {
  switch (p.kind) {
    case 'rrsetEquals':
      return p.data.map((data) => ({ name: p.name, type: p.type, class: CLASS.IN, ttl: 0, data }));
    case 'rrsetExists':
      return [{ name: p.name, type: p.type, class: CLASS.ANY, ttl: 0, data: null }];
    case 'rrsetAbsent':
      return [{ name: p.name, type: p.type, class: CLASS.NONE, ttl: 0, data: null }];
    case 'nameAbsent':
      return [{ name: p.name, type: TYPE.ANY, class: CLASS.NONE, ttl: 0, data: null }];
  }
}

function updateRr(u: Update): Rr {
  switch (u.kind) {
    case 'add':
      return { name: u.name, type: u.type, class: CLASS.IN, ttl: u.ttl, data: u.data };
    case 'deleteRrset':
      return { name: u.name, type: u.type, class: CLASS.ANY, ttl: 0, data: null };
    case 'deleteName':
      return { name: u.name, type: TYPE.ANY, class: CLASS.ANY, ttl: 0, data: null };
    case 'deleteRr':
      return { name: u.name, type: u.type, class: CLASS.NONE, ttl: 0, data: u.data };
  }
}

/** The UPDATE message for `zone` (unsigned). */
export function updateMessage(id: number, zone: string, prereqs: readonly Prereq[], updates: readonly Update[]): Message {
  return {
    id,
    response: false,
    opcode: OPCODE.UPDATE,
    aa: false,
    tc: false,
    rd: false,
    rcode: 0,
    questions: [{ name: zone, type: TYPE.SOA, class: CLASS.IN }],
    answers: prereqs.flatMap(prereqRrs),
    authority: updates.map(updateRr),
    additional: [],
  };
}

/** The answer to an UPDATE: `NOERROR`, or the rcode that refused it (`NXRRSET`, `YXRRSET`, `REFUSED`, `NOTAUTH`, ...). */
export interface UpdateResult {
  readonly rcode: string;
}

export interface ClientOptions {
  /** Milliseconds to wait for an answer (default 2000). */
  readonly timeoutMs?: number;
  /** Transport for updates (default tcp). */
  readonly updateTransport?: 'tcp' | 'udp';
  /**
   * At most this many exchanges (updates, queries, transfers) at once; the
   * others wait their turn, first come first served, and their timeout counts
   * from when they are sent (default: no limit).
   */
  readonly maxInFlight?: number;
}

const where = (s: ServerAddress): string => `${s.host}:${s.port}`;

function netError(server: ServerAddress, e: unknown): DnsError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return new DnsError(`no DNS server answers at ${where(server)} (connection refused)`);
  return new DnsError(`cannot talk to the DNS server at ${where(server)}: ${code ?? (e as Error).message}`);
}

/** Sends one message over TCP and collects answers until `done` says the exchange is over. */
function tcpExchange(server: ServerAddress, bytes: Uint8Array, timeoutMs: number, done: (answer: Uint8Array) => boolean): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    const answers: Uint8Array[] = [];
    let buf = Buffer.alloc(0);
    let settled = false;
    let sent = false;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(answers);
    };
    const timer = setTimeout(
      () =>
        finish(
          sent
            ? new OutcomeUnknownError(`no answer from ${where(server)} within ${timeoutMs} ms`)
            : new DnsError(`cannot connect to ${where(server)} within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    sock.on('error', (e) =>
      finish(
        sent && answers.length === 0 && (e as NodeJS.ErrnoException).code !== 'ECONNREFUSED'
          ? new OutcomeUnknownError(`the connection to ${where(server)} failed after sending: ${(e as NodeJS.ErrnoException).code ?? e.message}`)
          : netError(server, e),
      ),
    );
    sock.on('close', () => finish(new OutcomeUnknownError(`${where(server)} closed the connection without a complete answer`)));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        const msg = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        answers.push(new Uint8Array(msg));
        if (done(msg)) return finish(null);
      }
    });
    sock.connect(server.port, server.host, () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(bytes.length);
      sent = true;
      sock.write(Buffer.concat([len, bytes]));
    });
  });
}

/** Sends one datagram and waits for the answer with the same id. Never resends. */
function udpExchange(server: ServerAddress, bytes: Uint8Array, id: number, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    let settled = false;
    const finish = (outcome: Error | Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => finish(new OutcomeUnknownError(`no answer from ${where(server)} within ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => finish(netError(server, e)));
    sock.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) finish(new Uint8Array(msg));
    });
    sock.connect(server.port, server.host, (err?: Error) => {
      if (err) return finish(netError(server, err));
      sock.send(bytes, (e) => {
        if (e) finish(netError(server, e));
      });
    });
  });
}

/** A client of one server, signing with one key. */
/** A query message with one question (no recursion asked). */
function question(id: number, name: string, type: number): Message {
  return {
    id,
    response: false,
    opcode: OPCODE.QUERY,
    aa: false,
    tc: false,
    rd: false,
    rcode: 0,
    questions: [{ name, type, class: CLASS.IN }],
    answers: [],
    authority: [],
    additional: [],
  };
}

export class DnsClient {
  readonly timeoutMs: number;
  readonly updateTransport: 'tcp' | 'udp';
  readonly maxInFlight: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    readonly server: ServerAddress,
    readonly zone: string,
    readonly key: TsigKey,
    options: ClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.updateTransport = options.updateTransport ?? 'tcp';
    this.maxInFlight = options.maxInFlight ?? Infinity;
  }

  /** Runs one exchange when fewer than maxInFlight are under way. */
  private async turn<T>(f: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((r) => this.waiting.push(r));
    else this.inFlight++;
    try {
      return await f();
    } finally {
      // The slot passes to the next in line (inFlight unchanged), or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }

  /** Sends one signed UPDATE, once. Resolves to the server's rcode; throws OutcomeUnknownError on a timeout. */
  async update(prereqs: readonly Prereq[], updates: readonly Update[]): Promise<UpdateResult> {
    return this.updateWith(prereqs, updates, this.key);
  }

  /** The same with another key, or none (to test that the server refuses it). */
  async updateWith(prereqs: readonly Prereq[], updates: readonly Update[], key: TsigKey | null): Promise<UpdateResult> {
    return this.turn(() => this.sendUpdate(prereqs, updates, key));
  }

  private async sendUpdate(prereqs: readonly Prereq[], updates: readonly Update[], key: TsigKey | null): Promise<UpdateResult> {
    const id = randomInt(0, 0x10000);
    const plain = encode(updateMessage(id, this.zone, prereqs, updates));
    const signed = key ? sign(plain, key) : null;
    const bytes = signed ? signed.bytes : plain;
    const raw =
      this.updateTransport === 'tcp'
        ? (await tcpExchange(this.server, bytes, this.timeoutMs, () => true))[0]
        : await udpExchange(this.server, bytes, id, this.timeoutMs);
    const answer = this.parse(raw, id, OPCODE.UPDATE);
    if (signed && key) {
      const mac = verify(raw, key, signed.mac, true);
      if (mac === null && answer.rcode === 0) throw new DnsError(`the server's answer to a signed update is not signed`);
    }
    return { rcode: rcodeName(answer.rcode) };
  }

  private parse(raw: Uint8Array, id: number, opcode: number): Decoded {
    let m: Decoded;
    try {
      m = decode(raw);
    } catch (e) {
      throw new DnsError(`malformed answer from ${where(this.server)}: ${(e as Error).message}`);
    }
    if (m.id !== id || !m.response || m.opcode !== opcode) throw new DnsError(`unexpected answer from ${where(this.server)} (id or opcode do not match)`);
    return m;
  }

  /** One query (unsigned, UDP, one retry; TCP when the answer is truncated). */
  async query(name: string, type: number): Promise<Decoded> {
    return this.turn(() => this.sendQuery(name, type));
  }

  private async sendQuery(name: string, type: number): Promise<Decoded> {
    const make = (): { id: number; bytes: Uint8Array } => {
      const id = randomInt(0, 0x10000);
      return { id, bytes: encode(question(id, fqdn(name), type)) };
    };
    let last: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const { id, bytes } = make();
      try {
        const m = this.parse(await udpExchange(this.server, bytes, id, this.timeoutMs), id, OPCODE.QUERY);
        if (!m.tc) return m;
        const tcp = make();
        return this.parse((await tcpExchange(this.server, tcp.bytes, this.timeoutMs, () => true))[0], tcp.id, OPCODE.QUERY);
      } catch (e) {
        if (!(e instanceof OutcomeUnknownError)) throw e;
        last = e;
      }
    }
    throw new DnsError((last as Error).message);
  }

  /** The whole zone, by a signed AXFR over TCP (every signed message verified). Records in the server's order, the closing SOA dropped. */
  async transfer(): Promise<Rr[]> {
    return this.turn(() => this.sendTransfer());
  }

  private async sendTransfer(): Promise<Rr[]> {
    const id = randomInt(0, 0x10000);
    const plain = encode(question(id, this.zone, TYPE.AXFR));
    const signed = sign(plain, this.key);
    let soas = 0;
    const msgs = await tcpExchange(this.server, signed.bytes, this.timeoutMs, (raw) => {
      try {
        const m = decode(raw);
        if (m.rcode !== 0) return true;
        for (const rr of m.answers) if (rr.type === TYPE.SOA) soas++;
        return soas >= 2;
      } catch {
        return true;
      }
    });
    const records: Rr[] = [];
    let prior: Buffer = signed.mac;
    let first = true;
    msgs.forEach((raw, i) => {
      const m = this.parse(raw, id, OPCODE.QUERY);
      const mac = verify(raw, this.key, prior, first);
      if (m.rcode !== 0) throw new DnsError(`the zone transfer of ${this.zone} was refused (${rcodeName(m.rcode)})`);
      if (mac === null && (first || i === msgs.length - 1)) throw new DnsError(`the zone transfer's ${first ? 'first' : 'last'} message is not signed`);
      if (mac !== null) {
        prior = mac;
        first = false;
      }
      records.push(...m.answers);
    });
    if (records.length < 2 || records[0].type !== TYPE.SOA || records[records.length - 1].type !== TYPE.SOA) {
      throw new DnsError(`the zone transfer of ${this.zone} is incomplete`);
    }
    return records.slice(0, -1);
  }
}
