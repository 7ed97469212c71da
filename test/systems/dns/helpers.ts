/** Shared by the real-DNS tests: which `named` processes are still running, by their directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NamedServer } from '../../../systems/dns/server.js';
import { keyClause } from '../../../systems/dns/tsig.js';

export { namedRunningIn } from '../../support/named.js';

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

/** The server's key in a BIND key file, for pointing the adapter at a running server. */
export function writeKeyFile(s: Pick<NamedServer, 'key'>, secret?: Buffer): { file: string; remove: () => void } {
  const d = mkdtempSync(join(tmpdir(), 'dnsmc-key-'));
  const file = join(d, 'key.conf');
  writeFileSync(file, keyClause(secret ? { name: s.key.name, secret } : s.key), { mode: 0o600 });
  return { file, remove: () => rmSync(d, { recursive: true, force: true }) };
}

/** A dnsmc binary (bin/dnsmc.js: `npm run build` first) running with its own temporary folder. */
export interface Spawned {
  readonly child: ChildProcess;
  /** Its TMPDIR, where its run folders go. */
  readonly tmp: string;
  /** Resolves when it has exited: its code or signal, and all it printed. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Spawns `node bin/dnsmc.js ARGS` in the project root with TMPDIR set to `tmp` (a fresh folder under this process's TMPDIR if not given). */
export function spawnDnsmc(args: readonly string[], tmp: string = mkdtempSync(join(tmpdir(), 'dnsmc-spawned-'))): Spawned {
  const root = join(import.meta.dirname, '..', '..', '..');
  const child = spawn(process.execPath, [join(root, 'bin', 'dnsmc.js'), ...args], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, tmp, done };
}

/** The run folders (dnsmc-named-*, dnsmc-plans-*, dnsmc-storm-*) in `tmp`. */
export function runDirsIn(tmp: string): string[] {
  return readdirSync(tmp)
    .filter((f) => /^dnsmc-(named|plans|storm)-/.test(f))
    .map((f) => join(tmp, f));
}

/** Whether a run folder of `kind` in `tmp` holds a published plan (the run is under way). */
export function planPublishedIn(tmp: string, kind: 'plans' | 'storm'): boolean {
  return runDirsIn(tmp)
    .filter((d) => d.includes(`dnsmc-${kind}-`))
    .some((d) => {
      try {
        return readdirSync(d).some((f) => /^plan-\d+\.json$/.test(f));
      } catch {
        return false;
      }
    });
}

/** Waits (polling, however long the machine takes, up to `ms`) until `cond` holds or `child` exits; says which. */
export async function waitForOrExit(cond: () => boolean, s: Spawned, ms = 90_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    if (s.child.exitCode !== null || s.child.signalCode !== null) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}
