/**
 * The conformance benchmark: how `dnsmc conform`'s search (checker/runs/log-search.ts)
 * scales with the length of a log. Logs are made from seeded random walks of
 * the dns model (fixed variant, 6 enactors, 31 plans, 250 endpoints), each
 * step logged by its process with what it wrote, stamped with the step's
 * number (1 ms apart). Each log is checked with a clock-skew bound of 5 ms (5
 * steps): without a bound, independent processes' events may be interleaved
 * in every way and the layers grow with the product of their positions. Prints events, configurations, the
 * widest layer, milliseconds and microseconds per event; the cost per event
 * should stay roughly flat as logs grow.
 *
 * `node dist/bench/conform.js [--events N]...`; `benchConform` is the same as a function.
 */
import { fileURLToPath } from 'node:url';
import { conform, logsOfSchedule } from '../checker/runs/log-search.js';
import { kernelOf } from '../checker/model/kernel.js';
import { Rng } from '../checker/random/random.js';
import type { Model } from '../checker/model/model.js';
import { buildModel, resolvePackage } from '../app/model.js';

export interface ConformBenchRow {
  readonly events: number;
  readonly processes: number;
  readonly skewMs: number | null;
  readonly status: string;
  readonly configurations: number;
  readonly maxWidth: number;
  readonly ms: number;
  readonly usPerEvent: number;
}

const MODEL = { variant: 'fixed', enactors: 6, plans: 31, endpoints: 250 } as const;

/**
 * A seeded random walk of the dns model of up to `events` steps, with little
 * concurrency: an enactor keeps the turn with probability 0.97 (bursts, as a
 * process runs on its own for a while), else a step is drawn uniformly.
 */
function walk(model: Model, events: number, seed: number): { action: string; actor: number }[] {
  const kernel = kernelOf(model);
  const vec = model.layout.vector();
  const view = model.layout.view(vec);
  model.layout.fromPlain(model.init[0], vec);
  const rng = new Rng(seed);
  const enabled = new Int32Array(kernel.size);
  const out: { action: string; actor: number }[] = [];
  let last = -1;
  while (out.length < events) {
    const n = kernel.enabledList(view, enabled);
    if (n === 0) break;
    let t = -1;
    if (last >= 0 && rng.float() < 0.97) {
      for (let i = 0; i < n && t < 0; i++) {
        const c = enabled[i];
        if (kernel.transitions[c].role === 'enactor' && kernel.transitions[c].actor === last) t = c;
      }
    }
    if (t < 0) t = enabled[rng.below(n)];
    kernel.apply(view, t);
    last = kernel.transitions[t].role === 'enactor' ? kernel.transitions[t].actor : -1;
    out.push({ action: kernel.transitions[t].name, actor: kernel.transitions[t].actor });
  }
  return out;
}

export async function benchConform(
  sizes: readonly number[] = [1_000, 2_500, 5_000, 10_000, 20_000],
  out: (l: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<ConformBenchRow[]> {
  const model = await buildModel(await resolvePackage('dns'), MODEL);
  const rows: ConformBenchRow[] = [];
  out('conform: logs of random walks of the dns model (fixed, 6 enactors, 31 plans, 250 endpoints; bursts), each step logged with what it wrote');
  out('events   processes  skew      status     configurations  widest   ms        us/event');
  for (const size of sizes) {
    const steps = walk(model, size, 1);
    const logs = logsOfSchedule(model, steps);
    for (const skew of [5]) {
      const r = conform(model, logs, { skewMs: skew });
      const row: ConformBenchRow = {
        events: r.events,
        processes: r.processes,
        skewMs: skew ?? null,
        status: r.status,
        configurations: r.configurations,
        maxWidth: r.maxWidth,
        ms: Math.round(r.durationMs),
        usPerEvent: Math.round((r.durationMs * 1000) / Math.max(1, r.events)),
      };
      rows.push(row);
      out(
        `${String(row.events).padEnd(9)}${String(row.processes).padEnd(11)}${(skew === undefined ? 'none' : `${skew} ms`).padEnd(10)}${row.status.padEnd(11)}${String(row.configurations).padEnd(16)}${String(row.maxWidth).padEnd(9)}${String(row.ms).padEnd(10)}${row.usPerEvent}`,
      );
    }
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--events');
  await benchConform(i > 0 ? [Number(process.argv[i + 1])] : undefined);
}
