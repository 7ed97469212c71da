/**
 * `npm run bench`: dnsmc and Spin on the same configurations of the `dns`
 * model, in one run, alternating, several runs each. Prints per tool the
 * median wall time with min-max, distinct states/s, peak RSS, and the time
 * ratio dnsmc/Spin. Fails when the two disagree on the number of states.
 * Spin's hash table is sized for the state count (`-w`); dnsmc runs both as
 * users run it (its visited set grows as it fills) and with the same
 * knowledge (`--expect-states`, the visited set sized up front).
 *
 * Spin comes from Debian (`apt-get install -y spin`, with gcc); without it the
 * benchmark runs dnsmc alone and says how to install Spin.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolveParams, VARIANT_NAMES, type DnsParams, type Variant } from '../models/dns/params.js';
import { promelaOf } from './promela.js';

import { benchConform } from './conform.js';
import { benchReenact } from './reenact.js';
import { benchSwarm } from './swarm.js';
import { findNamed, ServerError } from '../systems/dns/server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'dnsmc.js');
/** A user's model from examples/, loaded with --model as users load theirs (TypeScript, through tsx). */
const EXAMPLE = join(ROOT, 'examples', 'two-enactor-lock.ts');
/** The dns model with checked writes, loaded as a user's model is. */
const CHECKED = join(ROOT, 'dist', 'bench', 'checked-dns.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample {
  wallMs: number;
  /** Peak RSS in bytes, from /usr/bin/time (or the tool's own report). */
  rss: number;
  states: number;
  /** The tool's own account of its search time. */
  searchMs: number;
}

/**
 * The environment every timed command runs in: the bench's own, or with
 * `--hugetlb` glibc's malloc asked to back its large blocks with transparent
 * huge pages (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, glibc 2.35 and later),
 * for dnsmc and Spin alike.
 */
let timedEnv: NodeJS.ProcessEnv = process.env;

/** Runs a command, timing it from spawn to exit, with peak RSS from /usr/bin/time when present. */
function timed(cmd: string, args: string[], cwd: string): { wallMs: number; rss: number | undefined; stdout: string; stderr: string; code: number | null } {
  const argv = TIME ? [TIME, '-f', 'BENCH_RSS_KB %M', cmd, ...args] : [cmd, ...args];
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8', maxBuffer: 1 << 28, env: timedEnv });
  const wallMs = performance.now() - t0;
  const m = /BENCH_RSS_KB (\d+)/.exec(r.stderr);
  return { wallMs, rss: m ? Number(m[1]) * 1024 : undefined, stdout: r.stdout, stderr: r.stderr, code: r.status };
}

function dnsmcArgs(p: DnsParams, workers: number, symmetry: boolean, expect: number | undefined): string[] {
  return [
    'check',
    '--variant',
    p.variant,
    '--enactors',
    `${p.enactors}`,
    '--plans',
    `${p.plans}`,
    '--endpoints',
    `${p.endpoints}`,
    '--max-backoff',
    `${p.maxBackoff}`,
    '--keep',
    `${p.keep}`,
    '--continue',
    '--json',
    '--workers',
    `${workers}`,
    ...(symmetry ? ['--symmetry'] : []),
    ...(expect ? ['--expect-states', `${expect}`] : []),
  ];
}

/** One dnsmc run; `expect`: size the visited set for that many states up front, as Spin's -w sizes its table. */
function runDnsmc(p: DnsParams, workers: number, symmetry = false, expect?: number, extra: readonly string[] = []): Sample {
  const r = timed(process.execPath, [BIN, ...dnsmcArgs(p, workers, symmetry, expect), ...extra], ROOT);
  if (r.code !== 0 && r.code !== 1) throw new Error(`dnsmc exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  const j = JSON.parse(r.stdout) as { distinctStates: number; durationMs: number; peakMemoryBytes: number; complete: boolean };
  if (!j.complete) throw new Error('dnsmc did not explore the whole state space');
  return { wallMs: r.wallMs, rss: r.rss ?? j.peakMemoryBytes, states: j.distinctStates, searchMs: j.durationMs };
}

/**
 * Two single-worker runs started together, each timed from spawn to exit,
 * and the pair until both ended. The pair does two runs' work on the two
 * cores with no coordination at all, so a search split over 2 workers can at
 * best take half the pair's time: `2 * alone / pair` bounds the speed-up
 * with 2 workers on this machine (the cores' shared caches, memory bandwidth
 * and the host's own sharing included).
 */
async function runPair(p: DnsParams): Promise<{ pairMs: number; eachMs: number[] }> {
  const t0 = performance.now();
  const eachMs = await Promise.all([runAlongside(p), runAlongside(p)]);
  return { pairMs: performance.now() - t0, eachMs };
}

/** A 1-worker run started without waiting for it (so that others run beside it): its time from spawn to exit. */
function runAlongside(p: DnsParams): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const c = spawn(process.execPath, [BIN, ...dnsmcArgs(p, 1, false, undefined)], { cwd: ROOT, env: timedEnv, stdio: 'ignore' });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 || code === 1 ? resolve(performance.now() - t0) : reject(new Error(`dnsmc exited ${code}`))));
  });
}

/**
 * A 1-worker run while a process that only computes (a loop on a few
 * registers, touching no memory) holds the other core: against the pair
 * above, it tells whether two runs slow each other down by sharing the cores'
 * time or by sharing the caches and memory.
 */
async function runBeside(p: DnsParams): Promise<number> {
  const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  try {
    // The loop is running once node has started; its start-up overlaps with the run's own.
    return await runAlongside(p);
  } finally {
    busy.kill('SIGKILL');
  }
}

/** The `profile` of `check --json --profile` (app/profile.ts): the fields the bench prints. */
interface Phases {
  startMs: number;
  loadMs: number;
  parseMs: number;
  modelMs: number;
  searchMs: number;
  reportMs: number;
  totalMs: number;
  workers: { joinedMs: number | null; joinedDepth: number | null };
  layersAlone: { layers: number; ms: number };
  layersTogether: { layers: number; ms: number };
  growMs: number;
}

/** One more run of `args` with `--profile`: where its time went, as one line. */
function phasesLine(args: readonly string[]): string {
  const r = timed(process.execPath, [BIN, ...args, '--profile'], ROOT);
  if (r.code !== 0 && r.code !== 1) throw new Error(`dnsmc exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  const p = (JSON.parse(r.stdout) as { profile: Phases }).profile;
  const ms = (x: number): string => `${Math.round(x)}`;
  const search =
    p.layersTogether.layers > 0
      ? `search ${ms(p.searchMs)} (${p.layersAlone.layers} layers on one thread ${ms(p.layersAlone.ms)}, then ${p.layersTogether.layers} on all ${ms(p.layersTogether.ms)})`
      : `search ${ms(p.searchMs)}`;
  return (
    `start ${ms(p.startMs)}, modules ${ms(p.loadMs)}, command line ${ms(p.parseMs)}, model ${ms(p.modelMs)}, ${search}, ` +
    `of which the visited set's growth ${ms(p.growMs)}, report ${ms(p.reportMs)}; total ${ms(p.totalMs)} of ${ms(r.wallMs)} wall`
  );
}

/**
 * A user's model loaded with --model (examples/two-enactor-lock.ts, fencing tokens, 15 grants,
 * whole space): dnsmc's whole-process time on 1 and 2 workers, and where one run's time went.
 */
function userModel(runs: number): void {
  const args = ['check', '--model', EXAMPLE, '--variant', 'fixed', '--tokens', '15', '--continue', '--json', '--quiet'];
  const samples: [number, Sample[]][] = [
    [1, []],
    [2, []],
  ];
  for (let i = 0; i < runs; i++) {
    for (const [w, xs] of samples) {
      const r = timed(process.execPath, [BIN, ...args, '--workers', `${w}`], ROOT);
      if (r.code !== 0) throw new Error(`dnsmc --model exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
      const j = JSON.parse(r.stdout) as { distinctStates: number; durationMs: number; peakMemoryBytes: number };
      xs.push({ wallMs: r.wallMs, rss: r.rss ?? j.peakMemoryBytes, states: j.distinctStates, searchMs: j.durationMs });
    }
  }
  console.log(`\nuser model (--model examples/two-enactor-lock.ts --variant fixed --tokens 15, ${samples[0][1][0].states.toLocaleString('en-US')} states):`);
  for (const [w, xs] of samples) console.log(summary(`dnsmc ${w}w`, xs).line);
  console.log(`  phases, one run, 1 worker (ms): ${phasesLine([...args, '--workers', '1'])}`);
}

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Writes the Promela twin and compiles Spin's verifier: safety, partial-order reduction off. */
function buildSpin(p: DnsParams): string {
  const dir = mkdtempSync(join(tmpdir(), 'dnsmc-spin-'));
  writeFileSync(join(dir, 'dns.pml'), promelaOf(p));
  const a = spawnSync('spin', ['-a', 'dns.pml'], { cwd: dir, encoding: 'utf8' });
  if (a.status !== 0) throw new Error(`spin -a failed: ${a.stdout}${a.stderr}`);
  const c = spawnSync('gcc', ['-O2', '-DNOREDUCE', '-DSAFETY', '-DMEMLIM=16384', '-w', '-o', 'pan', 'pan.c'], { cwd: dir, encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`gcc pan.c failed: ${c.stderr}`);
  return dir;
}

function runSpin(dir: string, hashBits: number): Sample {
  // -c0: count assertion violations and go on, so the whole space is explored (as dnsmc --continue).
  const r = timed('./pan', ['-m1000000', `-w${hashBits}`, '-c0'], dir);
  const stored = /(\d+) states, stored/.exec(r.stdout);
  const elapsed = /pan: elapsed time ([\d.e+-]+) seconds/.exec(r.stdout);
  const mem = /([\d.]+)\s+total actual memory usage/.exec(r.stdout);
  if (!stored) throw new Error(`pan printed no state count (exit ${r.code}): ${r.stdout.slice(-400)}`);
  if (/max search depth too small/.test(r.stdout)) throw new Error('pan: max search depth too small; the count would be wrong');
  return {
    wallMs: r.wallMs,
    rss: r.rss ?? (mem ? Number(mem[1]) * 2 ** 20 : 0),
    states: Number(stored[1]),
    searchMs: elapsed ? Number(elapsed[1]) * 1000 : r.wallMs,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtS = (ms: number): string => (ms / 1000).toFixed(2);
const fmtMiB = (b: number): string => (b / 2 ** 20).toFixed(0);

function summary(name: string, xs: Sample[]): { line: string; wall: number } {
  const walls = xs.map((x) => x.wallMs);
  const wall = median(walls);
  const states = xs[0].states;
  const line =
    `  ${name.padEnd(20)} median ${fmtS(wall)} s (min-max ${fmtS(Math.min(...walls))}-${fmtS(Math.max(...walls))}), ` +
    `search ${fmtS(median(xs.map((x) => x.searchMs)))} s, ${Math.round(states / (wall / 1000)).toLocaleString('en-US')} states/s, ` +
    `peak RSS ${fmtMiB(median(xs.map((x) => x.rss)))} MiB (${(median(xs.map((x) => x.rss)) / states).toFixed(1)} B/state)`;
  return { line, wall };
}

/**
 * A real storm's logs: a 10-second as-was storm with a slow enactor (it loses the endpoint, and its
 * enactors then retry on the dangling alias until the end, so the last round logs thousands of
 * events), then dnsmc conform on them under as-was and fixed, each timed as a whole process.
 */
function stormConform(): void {
  const dir = mkdtempSync(join(tmpdir(), 'dnsmc-bench-storm-'));
  const storm = timed(
    process.execPath,
    [BIN, 'storm', '--variant', 'as-was', '--slow-enactor', '0', '--delay', '50', '--duration', '10', '--seed', '1', '--out', dir, '--json'],
    ROOT,
  );
  if (storm.code !== 0) {
    console.log(`  storm: skipped (${storm.stderr.trim().split('\n').pop()})`);
    return;
  }
  const j = JSON.parse(storm.stdout) as { rounds: number; events: number; files: string[]; availability: { unresolvableMs: number }[] };
  console.log(
    `storm: 10 s, ${j.rounds} rounds, ${j.events.toLocaleString('en-US')} protocol events in the last round's logs; unresolvable ${j.availability[0].unresolvableMs} ms`,
  );
  for (const variant of ['as-was', 'fixed']) {
    const r = timed(process.execPath, [BIN, 'conform', ...j.files, '--variant', variant, '--json'], ROOT);
    const c = JSON.parse(r.stdout) as { status: string; events: number; configurations: number };
    console.log(
      `  conform --variant ${variant}: ${c.status} (exit ${r.code}), ${c.configurations.toLocaleString('en-US')} configurations, ${(r.wallMs / 1000).toFixed(2)} s wall`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<number> {
  const a = await yargs(hideBin(process.argv))
    .scriptName('npm run bench --')
    .option('runs', { type: 'number', default: 3, describe: 'runs per tool and configuration' })
    .option('variant', { type: 'string', array: true, default: ['fixed', 'as-was'], describe: 'variants to measure' })
    .option('plans', { type: 'number', default: 5 })
    .option('endpoints', { type: 'number', default: 2 })
    .option('spin', { type: 'boolean', default: true, describe: 'also run Spin (--no-spin: dnsmc alone)' })
    .option('workers', { type: 'number', array: true, default: [1, 2], describe: 'dnsmc worker counts to measure' })
    .option('symmetry', { type: 'boolean', default: true, describe: 'also measure dnsmc --symmetry (with the most workers)' })
    .option('expect', {
      type: 'boolean',
      default: true,
      describe: "also measure dnsmc --expect-states (with the most workers), its visited set sized up front for the count as Spin's -w sizes its table",
    })
    .option('checked', {
      type: 'boolean',
      default: true,
      describe: 'also measure what checking every write costs a user model: the dns model loaded with --model, its writes checked, on 1 worker',
    })
    .option('user-model', {
      type: 'boolean',
      default: true,
      describe: "also time a user's model loaded with --model (examples/two-enactor-lock.ts), on 1 and 2 workers, with its phases",
    })
    .option('conform', {
      type: 'boolean',
      default: true,
      describe: 'also time dnsmc conform on event logs of 1,000 to 12,000 events (synthetic, from walks of the dns model)',
    })
    .option('reenact', {
      type: 'boolean',
      default: true,
      describe: 'also time re-enacting the 12-step race on a private BIND 9 (server start included) and the updates per second (needs bind9)',
    })
    .option('swarm', {
      type: 'boolean',
      default: false,
      describe:
        'also time check --swarm 1/4..4/4 finding the race on as-was 5 enactors, 8 plans, 3 endpoints, against exhaustive check hitting its limits (minutes)',
    })
    .option('swarm-check-mib', { type: 'number', default: 6144, describe: "with --swarm: the exhaustive check's --max-memory" })
    .option('ceiling', {
      type: 'boolean',
      default: true,
      describe:
        'also time two 1-worker runs started together (the most 2 workers can gain on this machine), and one beside a process that only computes (with --workers 1 2)',
    })
    .option('hugetlb', {
      type: 'boolean',
      default: false,
      describe:
        'run every timed command (dnsmc and Spin alike) with GLIBC_TUNABLES=glibc.malloc.hugetlb=1: large blocks on transparent huge pages (glibc 2.35+)',
    })
    .strict()
    .parseAsync();
  if (!Number.isInteger(a.runs) || a.runs < 1) {
    console.error('bench: --runs must be a whole number of at least 1');
    return 2;
  }
  for (const v of a.variant) {
    if (!VARIANT_NAMES.includes(v as Variant)) {
      console.error(`bench: --variant must be one of ${VARIANT_NAMES.join('|')}, got ${v}`);
      return 2;
    }
  }
  const haveSpin = a.spin && which('spin') && which('gcc');
  console.log(`dnsmc benchmark: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(
    `${a.runs} runs per tool, alternating; wall time from spawn to exit; peak RSS ${TIME ? 'from /usr/bin/time' : 'as each tool reports it (install GNU time for RSS: apt-get install -y time)'}`,
  );
  if (a.hugetlb) {
    const own = process.env.GLIBC_TUNABLES;
    timedEnv = { ...process.env, GLIBC_TUNABLES: own ? `${own}:glibc.malloc.hugetlb=1` : 'glibc.malloc.hugetlb=1' };
    console.log(`every timed command runs with GLIBC_TUNABLES=${timedEnv.GLIBC_TUNABLES} (dnsmc and Spin alike)`);
  }
  if (a.spin && !haveSpin) console.log('Spin not found: install it with `apt-get update && apt-get install -y spin gcc`; measuring dnsmc alone.');
  let failed = false;
  for (const variant of a.variant) {
    const p = resolveParams({ variant: variant as Variant, plans: a.plans, endpoints: a.endpoints });
    console.log(`\n${variant}, enactors ${p.enactors}, plans ${p.plans}, endpoints ${p.endpoints} (every property, whole state space):`);
    const spinDir = haveSpin ? buildSpin(p) : undefined;
    const ours: [number, Sample[]][] = a.workers.map((w) => [w, []]);
    const theirs: Sample[] = [];
    const reduced: Sample[] = [];
    const sized: Sample[] = [];
    const checked: Sample[] = [];
    const pairs: { pairMs: number; eachMs: number[] }[] = [];
    const beside: number[] = [];
    const most = Math.max(...a.workers);
    for (let i = 0; i < a.runs; i++) {
      for (const [w, xs] of ours) xs.push(runDnsmc(p, w));
      if (spinDir) {
        const bits = Math.max(20, Math.ceil(Math.log2(ours[0][1][0].states)) + 1);
        theirs.push(runSpin(spinDir, bits));
      }
      if (a.expect) sized.push(runDnsmc(p, most, false, ours[0][1][0].states));
      if (a.checked) checked.push(runDnsmc(p, 1, false, undefined, ['--model', CHECKED]));
      if (a.symmetry) reduced.push(runDnsmc(p, most, true));
      if (a.ceiling && a.workers.includes(1) && a.workers.includes(2)) {
        pairs.push(await runPair(p));
        beside.push(await runBeside(p));
      }
    }
    // Spin's model, generated verifier and its trail files are not needed past the runs.
    if (spinDir) rmSync(spinDir, { recursive: true, force: true });
    const first = ours[0][1][0].states;
    console.log(`  distinct states: dnsmc ${first.toLocaleString('en-US')}${spinDir ? `, Spin ${theirs[0].states.toLocaleString('en-US')} stored` : ''}`);
    const spin = spinDir ? summary('Spin', theirs) : undefined;
    /** One dnsmc configuration's line, with its ratio to Spin; fails the benchmark if its count differs. */
    const report = (name: string, xs: Sample[], note = ''): void => {
      const d = summary(name, xs);
      console.log(`${d.line}${spin ? `; ratio dnsmc/Spin ${(d.wall / spin.wall).toFixed(2)}` : ''}${note}`);
      if (xs.some((x) => x.states !== first)) {
        console.log(`  FAIL: ${name} counted different states`);
        failed = true;
      }
    };
    for (const [w, xs] of ours) report(`dnsmc ${w}w`, xs);
    if (sized.length > 0) report(`dnsmc ${most}w sized`, sized, ` (--expect-states ${first})`);
    const one = ours.find(([w]) => w === 1)?.[1];
    if (checked.length > 0 && one) {
      const plain = median(one.map((x) => x.wallMs));
      report(
        'dnsmc 1w checked',
        checked,
        `; checked/built-in ${(median(checked.map((x) => x.wallMs)) / plain).toFixed(2)} (every write checked, as a user model's)`,
      );
    }
    if (spin) console.log(spin.line);
    if (ours.length > 1) {
      const walls = ours.map(([w, xs]) => [w, median(xs.map((x) => x.wallMs))] as const);
      const base = walls.find(([w]) => w === 1) ?? walls[0];
      for (const [w, t] of walls) if (w !== base[0]) console.log(`  speed-up with ${w} workers over ${base[0]}: ${(base[1] / t).toFixed(2)}x`);
      if (pairs.length > 0 && base[0] === 1 && one) {
        const pair = median(pairs.map((x) => x.pairMs));
        const each = median(pairs.flatMap((x) => x.eachMs));
        const slowed = each / base[1];
        console.log(
          `  ceiling: two 1-worker runs started together took ${fmtS(pair)} s until both ended ` +
            `(each ${fmtS(each)} s, ${slowed.toFixed(2)} of one alone); ` +
            `2 workers can at best take half of that: speed-up at most ${((2 * base[1]) / pair).toFixed(2)}x on this machine`,
        );
        // The start-up (node, modules, command line, model) and the report run on one thread whatever the
        // workers; only the search is shared, and each half runs as slowed as a run beside another.
        const search = median(one.map((x) => x.searchMs));
        const serial = base[1] - search;
        const best = serial + (slowed * search) / 2;
        console.log(
          `  counting the start-up: a 1-worker run is ${fmtS(serial)} s outside its search and ${fmtS(search)} s of search; ` +
            `with the search split in two halves, each slowed ${slowed.toFixed(2)}x as in the pair, 2 workers take at best ` +
            `${fmtS(best)} s: speed-up at most ${(base[1] / best).toFixed(2)}x`,
        );
        const alongside = median(beside);
        console.log(
          `  beside a process that only computes (a loop touching no memory) on the other core, a 1-worker run took ${fmtS(alongside)} s, ` +
            `${(alongside / base[1]).toFixed(2)} of one alone, against ${slowed.toFixed(2)} beside another search ` +
            '(the difference is what the cores lose to the caches and memory they share)',
        );
      }
    }
    // Where the time of one more run went (--profile), with each worker count measured.
    for (const [w] of ours) console.log(`  phases, one run, ${w} worker${w > 1 ? 's' : ''} (ms): ${phasesLine(dnsmcArgs(p, w, false, undefined))}`);
    if (reduced.length > 0)
      console.log(
        `${summary(`dnsmc ${most}w --symmetry`, reduced).line.replace('states/s', 'classes/s')} (${reduced[0].states.toLocaleString('en-US')} classes)`,
      );
    // The twin has no initialisation step, so Spin stores exactly the model's states.
    if (spinDir && theirs.some((t) => t.states !== first)) {
      console.log('  FAIL: the state counts differ');
      failed = true;
    }
  }
  if (a.userModel) userModel(a.runs);
  if (a.conform) {
    console.log('');
    await benchConform();
    stormConform();
  }
  if (a.reenact) {
    console.log('\nreenact: the as-was race (12 steps) on a private BIND 9, and signed updates per second:');
    try {
      findNamed();
      await benchReenact({ runs: a.runs });
    } catch (e) {
      if (!(e instanceof ServerError)) throw e;
      console.log(`  ${e.message}; skipped`);
    }
  }
  if (a.swarm) benchSwarm({ bin: BIN, cwd: ROOT, shards: 4, bitstateMiB: 512, shardSeconds: 120, checkMiB: a.swarmCheckMib, checkSeconds: 1800 });
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
