/**
 * The real-DNS benchmark: how long re-enacting the 12-step as-was race
 * takes on a private BIND 9 server (starting the server included), and how
 * many signed RFC 2136 updates per second the reference implementation's
 * client sustains against it (a bounded loop of lock transactions, each
 * with its prerequisite, sent one after the other), and what a step costs
 * through the driver protocol (docs/drivers.md) against the reference
 * implementation called in this process, the path the protocol replaced.
 * Prints a small table.
 *
 * `node dist/bench/reenact.js [--runs N] [--updates N]`; `benchReenact`
 * is the same as a function (npm run bench calls it). Needs `named`
 * (apt-get install -y bind9).
 */
import { fileURLToPath } from 'node:url';
import { check } from '../checker/explore/bfs.js';
import { reenact } from '../checker/runs/system-run.js';
import { dnsModel } from '../models/dns/model.js';
import { dnsSystem, type DnsRun } from '../systems/dns/adapter.js';
import { DnsClient, txt } from '../systems/dns/messages.js';
import { FREE, Names, TTL, holderName } from '../systems/dns/reference.js';
import { startNamed } from '../systems/dns/server.js';
import { traceOf } from '../traces/trace.js';
import { TYPE } from '../systems/dns/wire.js';

export interface ReenactBenchOptions {
  /** Re-enactments of the race (default 5). */
  readonly runs?: number;
  /** Updates in each throughput loop (default 2000). */
  readonly updates?: number;
  /** Where the table goes (default stdout). */
  readonly out?: (line: string) => void;
}

export interface ReenactBenchResult {
  /** Per run: total (start to stopped), server start, reenact (13 observations, 12 steps, the final resolution), stop; milliseconds. */
  readonly race: readonly { totalMs: number; startMs: number; serverMs: number; reenactMs: number; stopMs: number; status: string }[];
  /** Signed updates per second, by transport. */
  readonly updatesPerSecond: { readonly tcp: number; readonly udp: number };
  /** Milliseconds per step re-enacted (its zone transfer included), the reference implementation in this process or behind the driver protocol. */
  readonly perStep: { readonly inProcess: number; readonly driver: number; readonly steps: number };
}

/** Re-enacts the race `rounds` times on one started system (reset between): milliseconds per step. */
async function msPerStep(model: ReturnType<typeof dnsModel>, trace: ReturnType<typeof traceOf>, inProcess: boolean, rounds: number): Promise<number> {
  const sys = await dnsSystem.start(model, { inProcess });
  try {
    // One round first, untimed: the driver's start and the first connections are not steps.
    await reenact(model, trace, sys);
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) {
      await sys.reset?.();
      const r = await reenact(model, trace, sys);
      if (r.status !== 'violation') throw new Error(`re-enacting the race ${inProcess ? 'in process' : 'through the driver'} ended ${r.status}`);
    }
    return (performance.now() - t0) / (rounds * trace.steps.length);
  } finally {
    await sys.stop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
const spread = (xs: number[]): string => `${ms(median(xs))} (${ms(Math.min(...xs))}-${ms(Math.max(...xs))})`;

/** Runs the benchmark and prints its table. */
export async function benchReenact(options: ReenactBenchOptions = {}): Promise<ReenactBenchResult> {
  const runs = options.runs ?? 5;
  const updates = options.updates ?? 2000;
  const out = options.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const model = dnsModel({ variant: 'as-was' });
  const found = check(model, { properties: ['aliasResolves'] });
  if (found.status !== 'violation') throw new Error('the as-was model has no race: nothing to re-enact');
  const trace = traceOf(model, found.violations[0]);

  const race: { totalMs: number; startMs: number; serverMs: number; reenactMs: number; stopMs: number; status: string }[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const sys = (await dnsSystem.start(model, {})) as DnsRun;
    const t1 = performance.now();
    let status = 'error';
    try {
      status = (await reenact(model, trace, sys)).status;
    } finally {
      const t2 = performance.now();
      await sys.stop();
      const t3 = performance.now();
      race.push({ totalMs: t3 - t0, startMs: t1 - t0, serverMs: sys.startMs ?? NaN, reenactMs: t2 - t1, stopMs: t3 - t2, status });
    }
    if (status !== 'violation') throw new Error(`re-enacting the race ended ${status}, not violation`);
  }

  const server = await startNamed();
  const rates = { tcp: 0, udp: 0 };
  try {
    const lock = new Names(server.zone).lock(0);
    for (const transport of ['tcp', 'udp'] as const) {
      const c = new DnsClient({ host: server.host, port: server.port }, server.zone, server.key, { updateTransport: transport });
      await c.update(
        [],
        [
          { kind: 'deleteName', name: lock },
          { kind: 'add', name: lock, type: TYPE.TXT, ttl: TTL, data: txt(FREE) },
        ],
      );
      const t0 = performance.now();
      for (let i = 0; i < updates; i++) {
        // Take the lock, then release it: each a transaction whose prerequisite is the other's result.
        const [from, to] = i % 2 === 0 ? [FREE, holderName(0)] : [holderName(0), FREE];
        const r = await c.update(
          [{ kind: 'rrsetEquals', name: lock, type: TYPE.TXT, data: [txt(from)] }],
          [
            { kind: 'deleteRr', name: lock, type: TYPE.TXT, data: txt(from) },
            { kind: 'add', name: lock, type: TYPE.TXT, ttl: TTL, data: txt(to) },
          ],
        );
        if (r.rcode !== 'NOERROR') throw new Error(`update ${i} over ${transport}: ${r.rcode}`);
      }
      rates[transport] = updates / ((performance.now() - t0) / 1000);
    }
  } finally {
    await server.stop();
  }

  // The driver protocol against the in-process path it replaced, alternated so that the machine's load weighs on both alike.
  const rounds = Math.max(10, runs * 4);
  const inProcessMs: number[] = [];
  const driverMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    inProcessMs.push(await msPerStep(model, trace, true, rounds));
    driverMs.push(await msPerStep(model, trace, false, rounds));
  }
  const perStep = { inProcess: median(inProcessMs), driver: median(driverMs), steps: rounds * trace.steps.length };

  out(`real DNS (${server.version}, private named on 127.0.0.1), ${runs} runs of the 12-step as-was race; medians (min-max)`);
  out('');
  out('| measure | value |');
  out('|---|---|');
  out(`| re-enact the race, server start and stop included | ${spread(race.map((r) => r.totalMs))} |`);
  out(`| start: named ready (nonce answered) | ${spread(race.map((r) => r.serverMs))} |`);
  out(`| start: named, key, zone reset, plan store, the driver | ${spread(race.map((r) => r.startMs))} |`);
  out(`| re-enact: 12 steps, 13 zone transfers, the final resolution | ${spread(race.map((r) => r.reenactMs))} |`);
  out(`| stop named, remove its directory | ${spread(race.map((r) => r.stopMs))} |`);
  out(
    `| signed updates with a prerequisite, one at a time, TCP | ${Math.round(rates.tcp).toLocaleString('en-US')} /s (${updates.toLocaleString('en-US')} updates) |`,
  );
  out(`| the same over UDP | ${Math.round(rates.udp).toLocaleString('en-US')} /s (${updates.toLocaleString('en-US')} updates) |`);
  out(
    `| a step re-enacted (and its zone transfer), reference in process / through the driver protocol | ${perStep.inProcess.toFixed(2)} ms / ${perStep.driver.toFixed(2)} ms (${(perStep.driver / perStep.inProcess).toFixed(2)}x; medians of 3 x ${perStep.steps} steps) |`,
  );
  return { race, updatesPerSecond: rates, perStep };
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`--${name} must be a whole number of at least 1, got ${process.argv[i + 1]}\n`);
    process.exit(2);
  }
  return v;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchReenact({ runs: flag('runs', 5), updates: flag('updates', 2000) }).catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(e.name === 'ServerError' ? 2 : 1);
  });
}
