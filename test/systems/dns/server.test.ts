/**
 * The private BIND 9 server, the RFC 2136 client and TSIG, against real
 * `named` processes (no mock of the server): it starts and stops cleanly,
 * accepts only updates signed with its key, applies prerequisites
 * atomically, and dies with the process that started it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsClient, DnsError, a, txt } from '../../../systems/dns/messages.js';
import { NOT_INSTALLED, ServerError, findNamed, freePort, startNamed, type NamedServer } from '../../../systems/dns/server.js';
import { TsigError, keyClause, parseKeyFile } from '../../../systems/dns/tsig.js';
import { CLASS, TYPE, decode, encode, type Message } from '../../../systems/dns/wire.js';
import { alive, namedRunningIn, waitUntil } from './helpers.js';

const dirs: string[] = [];
let server: NamedServer;
let client: DnsClient;

beforeAll(async () => {
  server = await startNamed();
  dirs.push(server.dir);
  client = new DnsClient({ host: server.host, port: server.port }, server.zone, server.key);
});

afterAll(async () => {
  await server?.stop();
});

const add = (name: string, address: string) => ({ kind: 'add' as const, name, type: TYPE.A, ttl: 60, data: a(address) });

async function addresses(name: string): Promise<string[]> {
  const m = await client.query(name, TYPE.A);
  return m.answers.flatMap((r) => (r.data?.kind === 'a' ? [r.data.address] : [])).sort();
}

describe('a private named', () => {
  it('is BIND 9 on a free port of 127.0.0.1, in its own directory, and says how long it took to start', () => {
    expect(server.version).toMatch(/^BIND 9\.\d+\.\d+/);
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.zone).toBe('ddb.example.');
    expect(existsSync(join(server.dir, 'named.conf'))).toBe(true);
    expect(server.startMs).toBeGreaterThan(0);
    expect(alive(server.pid)).toBe(true);
  });

  it('stops: the process is gone and its directory removed; stopping twice is fine', async () => {
    const s = await startNamed({ zone: 'other.example' });
    dirs.push(s.dir);
    expect(s.zone).toBe('other.example.');
    await s.stop();
    await s.stop();
    expect(alive(s.pid)).toBe(false);
    expect(existsSync(s.dir)).toBe(false);
  });

  it('a missing named is one line telling how to install bind9', async () => {
    expect(NOT_INSTALLED).toBe('bind9 is not installed: apt-get install -y bind9');
    expect(() => findNamed('/nonexistent/sbin/named')).toThrow(new ServerError(NOT_INSTALLED));
    await expect(startNamed({ named: '/nonexistent/sbin/named' })).rejects.toThrow(NOT_INSTALLED);
  });

  it('a port another socket holds is never chosen', async () => {
    const p = await freePort();
    expect(p).not.toBe(server.port);
  });
});

describe('RFC 2136 updates signed with TSIG', () => {
  it('a signed update is applied; prerequisites are checked atomically (NXRRSET, YXRRSET) and a failed one changes nothing', async () => {
    const n = `t1.${server.zone}`;
    expect(await client.update([{ kind: 'nameAbsent', name: n }], [{ kind: 'add', name: n, type: TYPE.TXT, ttl: 60, data: txt('free') }])).toEqual({
      rcode: 'NOERROR',
    });
    expect(await client.update([{ kind: 'nameAbsent', name: n }], [add(n, '192.0.2.9')])).toEqual({ rcode: 'YXDOMAIN' });
    expect(await client.update([{ kind: 'rrsetAbsent', name: n, type: TYPE.TXT }], [add(n, '192.0.2.9')])).toEqual({ rcode: 'YXRRSET' });
    // Value-dependent: the TXT rrset must equal exactly {"taken"}; it holds {"free"}.
    expect(await client.update([{ kind: 'rrsetEquals', name: n, type: TYPE.TXT, data: [txt('taken')] }], [add(n, '192.0.2.9')])).toEqual({ rcode: 'NXRRSET' });
    expect(await addresses(n)).toEqual([]);
    expect(
      await client.update(
        [{ kind: 'rrsetEquals', name: n, type: TYPE.TXT, data: [txt('free')] }],
        [
          { kind: 'deleteRr', name: n, type: TYPE.TXT, data: txt('free') },
          { kind: 'add', name: n, type: TYPE.TXT, ttl: 60, data: txt('taken') },
          add(n, '192.0.2.9'),
        ],
      ),
    ).toEqual({ rcode: 'NOERROR' });
    expect(await addresses(n)).toEqual(['192.0.2.9']);
    const m = await client.query(n, TYPE.TXT);
    expect(m.answers.map((r) => r.data)).toEqual([{ kind: 'txt', strings: ['taken'] }]);
    expect(await client.update([{ kind: 'rrsetExists', name: n, type: TYPE.A }], [{ kind: 'deleteName', name: n }])).toEqual({ rcode: 'NOERROR' });
    expect((await client.query(n, TYPE.A)).rcode).toBe(3); // NXDOMAIN
  });

  it('an unsigned update is refused (REFUSED) and changes nothing', async () => {
    const n = `unsigned.${server.zone}`;
    expect(await client.updateWith([], [add(n, '192.0.2.1')], null)).toEqual({ rcode: 'REFUSED' });
    expect(await addresses(n)).toEqual([]);
  });

  it('an update signed with the wrong secret (BADSIG) or an unknown key (BADKEY) is refused with one clear error, and changes nothing', async () => {
    const n = `wrong.${server.zone}`;
    await expect(client.updateWith([], [add(n, '192.0.2.1')], { name: server.key.name, secret: Buffer.alloc(32, 7) })).rejects.toThrow(
      new TsigError("the server refused the TSIG signature (BADSIG): the secret of key dnsmc-run is not the server's"),
    );
    await expect(client.updateWith([], [add(n, '192.0.2.1')], { name: 'someone-else.', secret: server.key.secret })).rejects.toThrow(
      new TsigError(
        'the server refused the TSIG signature (BADKEY): the server has no key named someone-else, or does not allow that key this request ' +
          '(BIND answers BADKEY to a signed request its key may not make, such as a zone transfer allow-transfer does not grant it)',
      ),
    );
    expect(await addresses(n)).toEqual([]);
  });

  it('updates also work over UDP, sent once', async () => {
    const udp = new DnsClient({ host: server.host, port: server.port }, server.zone, server.key, { updateTransport: 'udp' });
    const n = `udp.${server.zone}`;
    expect(await udp.update([], [add(n, '192.0.2.7')])).toEqual({ rcode: 'NOERROR' });
    expect(await addresses(n)).toEqual(['192.0.2.7']);
  });

  it('a signed zone transfer lists the zone, its signatures verified', async () => {
    const recs = await client.transfer();
    expect(recs[0].type).toBe(TYPE.SOA);
    expect(recs.some((r) => r.name === `_ready.${server.zone}` && r.type === TYPE.TXT)).toBe(true);
    expect(recs.some((r) => r.name === `ns.${server.zone}` && r.data?.kind === 'a' && r.data.address === '127.0.0.1')).toBe(true);
    const stranger = new DnsClient({ host: server.host, port: server.port }, server.zone, { name: server.key.name, secret: Buffer.alloc(32, 1) });
    await expect(stranger.transfer()).rejects.toThrow('BADSIG');
  });

  it('a server that is not running is one error naming the address', async () => {
    const port = await freePort();
    const c = new DnsClient({ host: '127.0.0.1', port }, server.zone, server.key, { timeoutMs: 500 });
    await expect(c.update([], [add(`x.${server.zone}`, '192.0.2.1')])).rejects.toThrow(
      new DnsError(`no DNS server answers at 127.0.0.1:${port} (connection refused)`),
    );
    await expect(c.transfer()).rejects.toThrow(`no DNS server answers at 127.0.0.1:${port} (connection refused)`);
  });
});

describe('wire format and keys', () => {
  it('encodes and decodes an UPDATE with class NONE and ANY and empty RDATA, opcode 5', () => {
    const msg: Message = {
      id: 4242,
      response: false,
      opcode: 5,
      aa: false,
      tc: false,
      rd: false,
      rcode: 0,
      questions: [{ name: 'ddb.example.', type: TYPE.SOA, class: CLASS.IN }],
      answers: [{ name: 'x.ddb.example.', type: TYPE.TXT, class: CLASS.NONE, ttl: 0, data: null }],
      authority: [
        { name: 'x.ddb.example.', type: TYPE.ANY, class: CLASS.ANY, ttl: 0, data: null },
        { name: 'x.ddb.example.', type: TYPE.TXT, class: CLASS.IN, ttl: 60, data: { kind: 'txt', strings: ['free'] } },
      ],
      additional: [],
    };
    const bytes = encode(msg);
    expect(bytes[2] >> 3).toBe(5); // the opcode sits in bits 11-14 of the flags
    const back = decode(bytes);
    const { lastAdditionalAt: _, ...plain } = back;
    expect(plain).toEqual(msg);
    expect(() => decode(bytes.subarray(0, bytes.length - 3))).toThrow('message truncated');
  });

  it('reads a key file as tsig-keygen writes it, and writes it back for named.conf', () => {
    const gen = spawnSync('/usr/sbin/tsig-keygen', ['-a', 'hmac-sha256', 'my-key'], { encoding: 'utf8' });
    const text = gen.status === 0 ? gen.stdout : 'key "my-key" {\n\talgorithm hmac-sha256;\n\tsecret "a9I4se1Dd7ziBLCPwLOK1sJyM6FbgLb7l7NQtSojmvY=";\n};\n';
    const key = parseKeyFile(text);
    expect(key.name).toBe('my-key.');
    expect(key.secret.length).toBe(32);
    expect(parseKeyFile(keyClause(key))).toEqual(key);
    expect(() => parseKeyFile('key "k" { algorithm hmac-md5; secret "AAAA"; };', 'k.conf')).toThrow('k.conf: key k must use algorithm hmac-sha256');
    expect(() => parseKeyFile('nothing', 'k.conf')).toThrow('k.conf: no key "NAME"');
  });
});

describe('named dies with the process that started it', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`when that process gets ${signal}`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'start-named.ts')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.once('exit', (code) => reject(new Error(`the fixture exited with ${code} before starting named`)));
      });
      const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
      dirs.push(dir);
      try {
        expect(alive(pid)).toBe(true);
        child.kill(signal);
        expect(await waitUntil(() => !alive(pid), 5000)).toBe(true);
      } finally {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('cleanup', () => {
  it('no named started by these tests is left running (but the shared one, stopped in afterAll)', () => {
    expect(namedRunningIn(dirs.filter((d) => d !== server.dir))).toEqual([]);
  });
});
