/**
 * The run folders (a private named's, the plan store's, the storm's): each
 * names its owner, and a later run removes those a dead run left (SIGKILL
 * cannot be caught), and only those: dnsmc's own names, this user's, an owner
 * of this host that no longer exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRunDir, OWNER_FILE, removeRunDir, sweepDeadRunDirs } from '../../../systems/dns/run-dirs.js';

const root = mkdtempSync(join(tmpdir(), 'dnsmc-sweep-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that no process has any more: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function folder(name: string, owner?: unknown): string {
  const d = join(root, name);
  mkdirSync(d);
  writeFileSync(join(d, 'named.conf'), 'key "x" { secret "s"; };\n');
  if (owner !== undefined) writeFileSync(join(d, OWNER_FILE), typeof owner === 'string' ? owner : JSON.stringify(owner));
  return d;
}

describe('run folders', () => {
  it('are made with an owner file naming this process and host, and removed', () => {
    const d = makeRunDir('plans');
    try {
      expect(d.startsWith(join(tmpdir(), 'dnsmc-plans-'))).toBe(true);
      expect(JSON.parse(readFileSync(join(d, OWNER_FILE), 'utf8'))).toEqual({ pid: process.pid, host: hostname() });
    } finally {
      removeRunDir(d);
    }
    expect(existsSync(d)).toBe(false);
  });

  it('a later run removes the folders of a dead owner, and leaves everything else alone', () => {
    const dead = deadPid();
    const gone = [
      folder('dnsmc-named-aaaaaa', { pid: dead, host: hostname() }),
      folder('dnsmc-storm-bbbbbb', { pid: dead, host: hostname() }),
      // This process's pid on a folder it did not make: the pid of a dead process, reused.
      folder('dnsmc-plans-cccccc', { pid: process.pid, host: hostname() }),
    ];
    const kept = [
      folder('dnsmc-plans-dddddd', { pid: process.ppid, host: hostname() }), // its owner lives
      folder('dnsmc-plans-eeeeee'), // no owner file
      folder('dnsmc-plans-ffffff', 'not json'),
      folder('dnsmc-plans-gggggg', { pid: dead, host: `not-${hostname()}` }), // another host's process
      folder('dnsmc-other-hhhhhh', { pid: dead, host: hostname() }), // not a run folder's name
      folder('mine-named-iiiiii', { pid: dead, host: hostname() }),
    ];
    const target = folder('elsewhere', { pid: dead, host: hostname() });
    symlinkSync(target, join(root, 'dnsmc-named-jjjjjj')); // a link, not a folder
    expect(sweepDeadRunDirs(root).sort()).toEqual(gone.sort());
    for (const d of gone) expect(existsSync(d)).toBe(false);
    for (const d of kept) expect(existsSync(d)).toBe(true);
    expect(existsSync(join(target, 'named.conf'))).toBe(true);
  });
});
