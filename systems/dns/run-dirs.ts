/**
 * What a real-system run leaves on the machine, and its removal however the
 * process ends. A run's temporary folders (a private `named`'s, holding
 * named.conf with the run's TSIG secret, the zone and its journal; the plan
 * store's; the storm's) are made here, in the system's temporary folder, as
 * `dnsmc-named-*`, `dnsmc-plans-*` and `dnsmc-storm-*`, each with an owner
 * file naming the process (pid and host). The `named` processes are
 * registered here too. They are all removed:
 *
 * - when the run stops them (the normal way);
 * - on the process's `exit` (a second Ctrl-C, `process.exit`);
 * - on SIGINT, SIGTERM and SIGHUP when nothing else handles the signal (the
 *   process then dies of it, as it would have); when a command handles it
 *   (reenact, test-system and storm stop and report), the command stops them;
 * - after SIGKILL, which nothing can catch: the next run removes every such
 *   folder, owned by this user, whose owner file names a process of this host
 *   that no longer exists (a folder without a readable owner file, or whose
 *   owner lives, is left alone).
 */
import type { ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folder kinds, as their names' prefixes say: `dnsmc-named-XXXXXX`. */
export type RunDirKind = 'named' | 'plans' | 'storm';
/** The owner file in each folder. */
export const OWNER_FILE = '.dnsmc-owner';
/** mkdtemp adds six characters. */
const RUN_DIR = /^dnsmc-(named|plans|storm)-[A-Za-z0-9]{6}$/;

/** This process's folders and `named` processes, still to be removed and stopped. */
const dirs = new Set<string>();
const children = new Set<ChildProcess>();
let hooked = false;
let swept = false;

/** Whether process `pid` exists (EPERM: it does, under another user). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const remove = (dir: string): void => {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // left for the next run's sweep
  }
};

/** Stops every registered `named` (SIGKILL) and removes every registered folder, synchronously. */
function endAll(): void {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const d of dirs) remove(d);
  dirs.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', endAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      // A command that handles the signal stops its system itself, and reports.
      if (process.listenerCount(sig) > 1) return;
      endAll();
      // Not swallowing the signal: die of it, as the process would have.
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/**
 * The folders named like dnsmc's run folders in `root` whose owner is a
 * process of this host that no longer exists (or this process's pid, reused,
 * for a folder it did not make), and that belong to this user: removed.
 * Returns the folders removed.
 */
export function sweepDeadRunDirs(root: string = tmpdir()): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const host = hostname();
  const removed: string[] = [];
  for (const name of names) {
    if (!RUN_DIR.test(name)) continue;
    const dir = join(root, name);
    if (dirs.has(dir)) continue;
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      const marker = join(dir, OWNER_FILE);
      const m = lstatSync(marker);
      if (!m.isFile() || m.size > 200) continue;
      const owner = JSON.parse(readFileSync(marker, 'utf8')) as { pid?: unknown; host?: unknown };
      if (typeof owner.pid !== 'number' || !Number.isInteger(owner.pid) || owner.pid <= 0 || owner.host !== host) continue;
      if (owner.pid !== process.pid && exists(owner.pid)) continue;
      remove(dir);
      removed.push(dir);
    } catch {
      // not ours to judge: no owner file, unreadable, or gone meanwhile
    }
  }
  return removed;
}

/** A fresh run folder of `kind` in the temporary folder, with its owner file; removed however the process ends. */
export function makeRunDir(kind: RunDirKind): string {
  if (!swept) {
    swept = true;
    sweepDeadRunDirs();
  }
  hook();
  const dir = mkdtempSync(join(tmpdir(), `dnsmc-${kind}-`));
  dirs.add(dir);
  try {
    writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`, { mode: 0o600 });
  } catch (e) {
    removeRunDir(dir);
    throw e;
  }
  return dir;
}

/** Removes a run folder made by makeRunDir (safe to call twice). */
export function removeRunDir(dir: string): void {
  dirs.delete(dir);
  remove(dir);
}

/** Registers a `named` to kill should the process end before the run stops it; returns the unregistering. */
export function trackChild(c: ChildProcess): () => void {
  hook();
  children.add(c);
  return () => {
    children.delete(c);
  };
}
