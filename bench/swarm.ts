/**
 * The swarm benchmark (`npm run bench -- --swarm`): on a configuration too
 * large to explore (as-was, 5 enactors, 8 plans, 3 endpoints), the time `check
 * --swarm i/N` shards take to find aliasResolves (each shard a process, run
 * one after another here; on N machines the swarm's time is the fastest
 * finder's), then `merge`; against one exhaustive `check` run until its memory
 * or time limit. Wall times are from spawn to exit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SwarmBenchOptions {
  /** The binary (bin/dnsmc.js) and the folder to run it in. */
  readonly bin: string;
  readonly cwd: string;
  readonly shards: number;
  /** MiB of each shard's bit array, and the per-shard time limit in seconds. */
  readonly bitstateMiB: number;
  readonly shardSeconds: number;
  /** The exhaustive check's limits: MiB and seconds. */
  readonly checkMiB: number;
  readonly checkSeconds: number;
}

const CONFIG = ['--variant', 'as-was', '--enactors', '5', '--plans', '8', '--endpoints', '3'];

function spawnTimed(bin: string, cwd: string, args: string[]): { wallMs: number; stdout: string; code: number | null } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { wallMs: performance.now() - t0, stdout: r.stdout, code: r.status };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const int = (n: number): string => n.toLocaleString('en-US');

/** Runs the shards, the merge and the exhaustive check; prints one line each. */
export function benchSwarm(o: SwarmBenchOptions): void {
  console.log(`\nswarm: as-was, 5 enactors, 8 plans, 3 endpoints; ${o.shards} shards of ${o.bitstateMiB} MiB, at most ${o.shardSeconds} s each, then merge:`);
  const dir = mkdtempSync(join(tmpdir(), 'dnsmc-bench-swarm-'));
  const files: string[] = [];
  const found: number[] = [];
  for (let i = 1; i <= o.shards; i++) {
    const args = [
      'check',
      ...CONFIG,
      '--swarm',
      `${i}/${o.shards}`,
      '--bitstate',
      `${o.bitstateMiB}`,
      '--time-limit',
      `${o.shardSeconds}`,
      '--json',
      '--quiet',
    ];
    const r = spawnTimed(o.bin, o.cwd, args);
    const j = JSON.parse(r.stdout) as {
      distinctStates: number;
      stoppedBy: string | null;
      peakMemoryBytes: number;
      violations: { property: string; foundLength: number; length: number }[];
    };
    const race = j.violations.find((v) => v.property === 'aliasResolves');
    if (race) found.push(r.wallMs);
    const f = join(dir, `shard-${i}.json`);
    writeFileSync(f, r.stdout);
    files.push(f);
    console.log(
      `  shard ${i}/${o.shards}: ${s(r.wallMs)} wall, ${int(j.distinctStates)} states, peak RSS ${(j.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB; ` +
        `${race ? `aliasResolves on a path of ${race.foundLength} steps, shrunk to ${race.length}` : `no aliasResolves${j.stoppedBy ? ` (stopped by ${j.stoppedBy})` : ''}`}`,
    );
  }
  const m = spawnTimed(o.bin, o.cwd, ['merge', ...files, '--json']);
  const merged = JSON.parse(m.stdout) as { status: string; violations: { property: string; length: number; shard: number }[] };
  const best = merged.violations.find((v) => v.property === 'aliasResolves');
  console.log(
    `  merge: ${merged.status} (exit ${m.code}), ${s(m.wallMs)} wall; ${best ? `shortest aliasResolves ${best.length} steps (shard ${best.shard})` : 'no aliasResolves'}; ` +
      `${found.length > 0 ? `the race found by ${found.length} of ${o.shards} shards, the fastest in ${s(Math.min(...found))}` : 'the race not found'}`,
  );
  rmSync(dir, { recursive: true, force: true });
  const c = spawnTimed(o.bin, o.cwd, ['check', ...CONFIG, '--max-memory', `${o.checkMiB}`, '--time-limit', `${o.checkSeconds}`, '--json', '--quiet']);
  const j = JSON.parse(c.stdout) as {
    status: string;
    stoppedBy: string | null;
    distinctStates: number;
    diameter: number;
    peakMemoryBytes: number;
    property: string | null;
  };
  console.log(
    `  exhaustive check (--max-memory ${o.checkMiB} --time-limit ${o.checkSeconds}): ${s(c.wallMs)} wall, ${j.status}${j.stoppedBy ? `, stopped by ${j.stoppedBy}` : ''}, ` +
      `${int(j.distinctStates)} states to depth ${j.diameter}, peak RSS ${(j.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB; ${j.property === 'aliasResolves' ? 'found aliasResolves' : 'no aliasResolves'}`,
  );
}
