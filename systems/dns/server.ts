/**
 * A private BIND 9 `named` for one run: a fresh temporary directory, a
 * generated named.conf listening on a free port of 127.0.0.1 only, one zone
 * that accepts only updates signed with a fresh TSIG key (HMAC-SHA256),
 * readiness proven by a per-run nonce record. `named -g` does not die with
 * its parent, so it is killed, and its directory removed, on process exit and
 * on SIGINT, SIGTERM and SIGHUP (run-dirs.ts), and a watchdog (a shell
 * reading a pipe from this process) kills it and removes its directory when
 * this process dies in any other way (even SIGKILL: the pipe closes).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { DnsClient, DnsError } from './messages.js';
import { makeRunDir, removeRunDir, trackChild } from './run-dirs.js';
import { keyClause, type TsigKey } from './tsig.js';
import { TYPE, fqdn } from './wire.js';

export const NAMED_PATHS = ['/usr/sbin/named', '/usr/bin/named', '/usr/local/sbin/named'];
export const NOT_INSTALLED = 'bind9 is not installed: apt-get install -y bind9';

/** A server that could not be started or reached: one line for the user. */
export class ServerError extends Error {
  override name = 'ServerError';
}

export interface StartOptions {
  /** The zone (default `ddb.example.`). */
  readonly zone?: string;
  /** The `named` binary (default: the first of NAMED_PATHS that exists). */
  readonly named?: string;
  /** Milliseconds to wait for readiness (default 10000). */
  readonly readyTimeoutMs?: number;
}

/** A running private `named`. */
export interface NamedServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly zone: string;
  readonly key: TsigKey;
  /** `BIND 9.18.49-1~deb12u3-Debian`. */
  readonly version: string;
  /** Milliseconds from spawning `named` to its answering the nonce. */
  readonly startMs: number;
  readonly pid: number;
  readonly dir: string;
  /** Stops `named` (SIGTERM, then SIGKILL after a second) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** The `named` binary, or a ServerError saying how to install it. */
export function findNamed(given?: string): string {
  const found = given ? (existsSync(given) ? given : undefined) : NAMED_PATHS.find((p) => existsSync(p));
  if (!found) throw new ServerError(NOT_INSTALLED);
  return found;
}

const versions = new Map<string, string>();

/** `BIND 9.18.49-1~deb12u3-Debian` from `named -v` (asked once per binary). */
export function namedVersion(named: string): string {
  let v = versions.get(named);
  if (v === undefined) {
    const r = spawnSync(named, ['-v'], { encoding: 'utf8', timeout: 5000 });
    const line = (r.stdout ?? '').split('\n')[0].trim();
    v = line.replace(/\s*\(.*$/, '').replace(/\s*<id:.*$/, '') || 'BIND 9';
    versions.set(named, v);
  }
  return v;
}

/** A port of 127.0.0.1 that a plain TCP and a plain UDP socket can both bind (so no other `named` holds it). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new ServerError('no free port on 127.0.0.1');
}

function namedConf(dir: string, port: number, zone: string, key: TsigKey): string {
  const z = zone.slice(0, -1);
  const k = key.name.slice(0, -1);
  return `${keyClause(key)}
options {
  directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  pid-file none;
  session-keyfile none;
  dnssec-validation no;
  notify no;
  allow-query { 127.0.0.1; };
  allow-transfer { key "${k}"; };
};
controls { };
zone "${z}" {
  type primary;
  file "${join(dir, 'zone.db')}";
  update-policy { grant "${k}" zonesub ANY; };
};
`;
}

function zoneFile(zone: string, nonce: string): string {
  return `$ORIGIN ${zone}
$TTL 60
@        IN SOA ns.${zone} hostmaster.${zone} 1 3600 600 86400 60
@        IN NS  ns.${zone}
ns       IN A   127.0.0.1
_ready   IN TXT "${nonce}"
`;
}

/** Starts a private `named`. Throws ServerError (one line) when it cannot. */
export async function startNamed(options: StartOptions = {}): Promise<NamedServer> {
  const named = findNamed(options.named);
  const zone = fqdn(options.zone ?? 'ddb.example.');
  const version = namedVersion(named);
  const key: TsigKey = { name: 'dnsmc-run.', secret: randomBytes(32) };
  const nonce = randomBytes(12).toString('hex');
  const port = await freePort();
  const dir = makeRunDir('named');
  const removeDir = (): void => removeRunDir(dir);
  writeFileSync(join(dir, 'named.conf'), namedConf(dir, port, zone, key), { mode: 0o600 });
  writeFileSync(join(dir, 'zone.db'), zoneFile(zone, nonce));

  const t0 = performance.now();
  const child = spawn(named, ['-g', '-4', '-c', join(dir, 'named.conf')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const untrack = trackChild(child);
  let log = '';
  const keep = (b: Buffer): void => {
    log = (log + b.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, sig) => {
      exited = sig ? `signal ${sig}` : `code ${code}`;
      untrack();
      resolve();
    });
    child.once('error', (e) => {
      exited = `error ${(e as NodeJS.ErrnoException).code ?? e.message}`;
      untrack();
      resolve();
    });
  });
  // The watchdog: its stdin is a pipe from us; `read` returns when we die and the pipe closes. It then
  // stops named and removes its directory (named.conf holds the run's secret).
  const watchdog = spawn(
    '/bin/sh',
    ['-c', 'read _; kill -TERM "$1" 2>/dev/null; sleep 1; kill -KILL "$1" 2>/dev/null; rm -rf -- "$2"', 'dnsmc-watchdog', String(child.pid ?? 0), dir],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  watchdog.on('error', () => {});
  // Neither keeps this process alive: the exit hook and the watchdog end `named` when it ends.
  child.unref();
  // The pipes are sockets, which can be unref'd.
  (child.stdout as Socket).unref();
  (child.stderr as Socket).unref();
  watchdog.unref();
  (watchdog.stdin as Socket).unref();

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (exited === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exit;
        clearTimeout(t);
      }
      try {
        watchdog.kill('SIGKILL');
      } catch {
        // already gone
      }
      removeDir();
    })();
    return stopped;
  };

  const client = new DnsClient({ host: '127.0.0.1', port }, zone, key, { timeoutMs: 200 });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  for (;;) {
    if (exited !== null) {
      await stop();
      const why = log
        .split('\n')
        .filter((l) => /error|failed|not loaded|bad|unknown|couldn't/i.test(l))
        .slice(-2)
        .map((l) => l.replace(/^\S+ \S+ /, '').trim())
        .join('; ');
      throw new ServerError(`named exited (${exited}) before it was ready${why ? `: ${why}` : ''}`);
    }
    try {
      const m = await client.query(`_ready.${zone}`, TYPE.TXT);
      const got = m.answers.find((r) => r.type === TYPE.TXT && r.data?.kind === 'txt');
      if (got && got.data?.kind === 'txt' && got.data.strings.join('') === nonce) break;
    } catch (e) {
      if (!(e instanceof DnsError)) {
        await stop();
        throw e;
      }
    }
    if (Date.now() > deadline) {
      await stop();
      throw new ServerError(`named did not answer on 127.0.0.1:${port} within ${options.readyTimeoutMs ?? 10_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const startMs = performance.now() - t0;
  return { host: '127.0.0.1', port, zone, key, version, startMs, pid: child.pid ?? 0, dir, stop };
}
