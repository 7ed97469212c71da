/** Shared by the real-DNS tests: which `named` processes are still running, by their directory. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NamedServer } from '../../../systems/dns/server.js';
import { keyClause } from '../../../systems/dns/tsig.js';

/** Command lines of running `named` processes whose arguments mention one of `dirs`. */
export function namedRunningIn(dirs: readonly string[]): string[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-a', 'named'], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => dirs.some((d) => l.includes(d)));
}

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
