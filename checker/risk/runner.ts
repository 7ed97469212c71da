/**
 * Runs of the timed simulation (timed.ts), on worker threads: run numbers
 * are handed out in batches, the outcomes are taken back in run order and
 * handed to the caller one by one, which may stop the job (a sequential
 * test that has decided). Each run draws from `deriveSeed(seed, run)` alone,
 * so the outcomes, and where the caller stops, do not depend on the number
 * of workers or on their speed. Only a time limit does (the result then
 * says `time-limit`).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnModule } from '../explore/pool.js';
import { ModelError, type Model } from '../model/model.js';
import type { TimingProfile } from '../package/timing.js';
import { TimedSim, type RunOutcome, type TimedOptions } from './timed.js';
import type { FromRiskWorker, ToRiskWorker } from './worker.js';

export interface TimedRunOptions extends TimedOptions {
  readonly seed: number;
  /** Most runs (fewer when the caller stops). */
  readonly runs: number;
  /** Worker threads (default: the machine's cores; 1: in this thread). Models without an origin run in this thread. */
  readonly workers?: number;
  /** Stop (`time-limit`) after this many wall milliseconds. */
  readonly timeLimitMs?: number;
  /** Keep the breaking episode's schedule of each run (for traces). Default true. */
  readonly keepBroken?: boolean;
}

export interface TimedRunResult {
  /** The outcomes taken, in run order (runs 0 .. n-1). */
  readonly outcomes: readonly RunOutcome[];
  /** `stopped`: the caller stopped the job; `time-limit`: the time ran out first; null: every run was taken. */
  readonly end: 'stopped' | 'time-limit' | null;
  readonly workers: number;
  readonly durationMs: number;
}

/** Runs a batch takes: small, so that a stop wastes little, and large enough to keep messages rare. */
const BATCH = 4;

/**
 * Workers left idle by the last job (none of their batches outstanding),
 * kept for the next one (a sweep runs many jobs): unreferenced, so that they
 * do not keep the process alive. A worker with batches still running when a
 * job stops is terminated instead.
 */
const idle: Worker[] = [];

function takeWorker(): Worker {
  let w = idle.pop();
  if (!w) {
    const made = spawnModule(import.meta.url, './worker');
    made.once('exit', () => {
      const k = idle.indexOf(made);
      if (k >= 0) idle.splice(k, 1);
    });
    w = made;
  }
  w.ref();
  return w;
}

/**
 * Runs up to `o.runs` timed runs and hands each outcome, in run order, to
 * `take`, which returns true to stop. Resolves when stopped, out of time or done.
 */
export async function runTimed(
  model: Model,
  profile: TimingProfile,
  o: TimedRunOptions,
  take: (r: RunOutcome) => boolean = () => false,
): Promise<TimedRunResult> {
  const start = performance.now();
  const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), Math.ceil(o.runs / BATCH)));
  const outOfTime = (): boolean => o.timeLimitMs !== undefined && performance.now() - start >= o.timeLimitMs;
  const outcomes: RunOutcome[] = [];
  if (workers === 1 || model.origin === undefined) {
    const sim = new TimedSim(model, profile, o);
    let end: TimedRunResult['end'] = null;
    for (let r = 0; r < o.runs; r++) {
      if (outOfTime()) {
        end = 'time-limit';
        break;
      }
      const x = sim.run(o.seed, r);
      outcomes.push(o.keepBroken === false ? { ...x, broken: null } : x);
      if (take(x)) {
        end = 'stopped';
        break;
      }
    }
    return { outcomes, end, workers: 1, durationMs: performance.now() - start };
  }
  const origin = model.origin;
  // Check the options here, where an error is the caller's, before any thread starts.
  new TimedSim(model, profile, o);
  const threads: Worker[] = [];
  /** Per thread: batches sent and not yet answered. */
  const outstanding: number[] = [];
  try {
    return await new Promise<TimedRunResult>((resolve, reject) => {
      const done = new Map<number, RunOutcome>();
      let assigned = 0;
      let taken = 0;
      let finished = false;
      const finish = (end: TimedRunResult['end']): void => {
        if (finished) return;
        finished = true;
        resolve({ outcomes, end, workers, durationMs: performance.now() - start });
      };
      const assign = (w: Worker): void => {
        if (finished || assigned >= o.runs) return;
        if (outOfTime()) {
          finish('time-limit');
          return;
        }
        const from = assigned;
        assigned = Math.min(o.runs, assigned + BATCH);
        outstanding[threads.indexOf(w)]++;
        w.postMessage({ kind: 'runs', from, to: assigned } satisfies ToRiskWorker);
      };
      for (let i = 0; i < workers; i++) {
        const w = takeWorker();
        threads.push(w);
        outstanding.push(0);
        w.on('error', (e) => {
          if (!finished) {
            finished = true;
            reject(e);
          }
        });
        w.on('message', (m: FromRiskWorker) => {
          if (finished) return;
          if (m.kind === 'error') {
            finished = true;
            reject(m.name === 'ModelError' ? new ModelError(m.message) : new Error(`worker: ${m.message}`));
            return;
          }
          outstanding[threads.indexOf(w)]--;
          for (const x of m.outcomes) done.set(x.run, x);
          for (let x = done.get(taken); x !== undefined; x = done.get(taken)) {
            done.delete(taken);
            taken++;
            outcomes.push(x);
            if (take(x)) return finish('stopped');
          }
          if (taken >= o.runs) return finish(null);
          if (outOfTime()) return finish('time-limit');
          assign(w);
        });
        w.postMessage({
          kind: 'start',
          origin,
          profile,
          options: { horizonMs: o.horizonMs, properties: o.properties },
          seed: o.seed,
          keepBroken: o.keepBroken !== false,
        } satisfies ToRiskWorker);
        assign(w);
        assign(w);
      }
    });
  } finally {
    const ending: Promise<number>[] = [];
    threads.forEach((w, i) => {
      w.removeAllListeners('message');
      w.removeAllListeners('error');
      if (outstanding[i] === 0) {
        w.on('error', () => undefined);
        w.unref();
        idle.push(w);
      } else ending.push(w.terminate());
    });
    await Promise.all(ending);
  }
}
