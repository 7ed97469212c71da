/**
 * Parallel breadth-first search over worker threads.
 *
 * The state space is sharded by fingerprint: each worker owns the states
 * whose fingerprint falls in its share, with its own visited set, parent
 * links and frontier (see search.ts). Layer by layer, every worker expands
 * its frontier, keeps the successors it owns and sends the others to their
 * owners through this coordinator; each owner then absorbs them in worker
 * order. Nothing depends on timing, so the counts equal the single-threaded
 * ones and the counterexamples are the same on every run. Within a layer the
 * workers finish the layer in which a violation shows, and the
 * counterexamples are rebuilt by the same bounded sequential search as
 * `check`'s (see `rebuildViolations`), so they are the sequential ones.
 *
 * Workers rebuild the model from `model.origin`; a model without one is
 * checked on this thread by `check`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { assemble, check, rebuildViolations, stopReason, totalsOf, type CheckResult } from './bfs.js';
import type { FieldSpec } from './layout.js';
import type { Model, ModelOrigin } from './model.js';
import { ModelError, validateModel } from './model.js';
import type { CheckOptions } from './options.js';
import { resolveOptions } from './options.js';
import { CTL_DISTINCT, CTL_PER, CTL_STOP, ctlDistinctSlot, ctlSize, type RawViolation } from './search.js';

/** The default number of workers: the machine's cores. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** What the coordinator sends a worker. */
export type ToWorker =
  | { cmd: 'seed' }
  | { cmd: 'expand' }
  | { cmd: 'absorb'; boxes: Uint32Array[] }
  | { cmd: 'finish' };

/** What a worker answers. */
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'seeded'; frontier: number; violations: number }
  | { kind: 'expanded'; outbox: Uint32Array[]; violations: number }
  | { kind: 'absorbed'; frontier: number; violations: number }
  | {
      kind: 'finished';
      violations: RawViolation[];
      distinct: number;
      generated: number;
      expanded: number;
      fired: Float64Array;
      deepest: number;
      bytes: number;
      exact: boolean;
    }
  | { kind: 'error'; message: string; name: string };

/** Options that cross to workers (no functions). */
export type WorkerOptions = Omit<CheckOptions, 'onProgress' | 'visit'>;

export interface WorkerData {
  origin: ModelOrigin;
  options: WorkerOptions;
  workers: number;
  self: number;
  ctl: SharedArrayBuffer;
  /** `Date.now()` when the search began: each thread has its own performance clock. */
  startEpochMs: number;
}

/**
 * A module URL a worker can import: sources run through a TypeScript loader
 * (vitest) map to the compiled file under dist/.
 */
export function runnableUrl(url: string): string {
  if (!url.endsWith('.ts')) return url;
  const here = fileURLToPath(import.meta.url); // <root>/checker/parallel.ts
  const root = here.replace(/[\\/]checker[\\/]parallel\.ts$/, '');
  const file = fileURLToPath(url);
  if (!file.startsWith(root)) return url;
  const compiled = `${root}/dist${file.slice(root.length).replace(/\.ts$/, '.js')}`;
  if (!existsSync(compiled)) throw new ModelError(`parallel search needs the compiled ${compiled}: run npm run build`);
  return pathToFileURL(compiled).href;
}

function workerUrl(): URL {
  return new URL(runnableUrl(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url).href));
}

class WorkerHandle {
  /** Answers that arrived before anyone waited for them, in order. */
  private readonly inbox: FromWorker[] = [];
  private pending: ((m: FromWorker) => void) | undefined;
  constructor(readonly worker: Worker) {
    const deliver = (m: FromWorker): void => {
      const p = this.pending;
      this.pending = undefined;
      if (p) p(m);
      else this.inbox.push(m);
    };
    worker.on('message', deliver);
    worker.on('error', (e) => deliver({ kind: 'error', message: e.message, name: e.name }));
    worker.on('exit', (code) => deliver({ kind: 'error', message: `worker exited with code ${code}`, name: 'Error' }));
  }
  /** Waits for the next answer. */
  next(): Promise<FromWorker> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }
  /** Sends a command and waits for the answer. */
  ask(msg: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    const answer = this.next();
    this.worker.postMessage(msg, transfer);
    return answer;
  }
}

function unwrap<K extends FromWorker['kind']>(m: FromWorker, kind: K): Extract<FromWorker, { kind: K }> {
  if (m.kind === 'error') {
    const e = m.name === 'ModelError' ? new ModelError(m.message) : new Error(`worker: ${m.message}`);
    throw e;
  }
  if (m.kind !== kind) throw new Error(`worker: expected ${kind}, got ${m.kind}`);
  return m as Extract<FromWorker, { kind: K }>;
}

/**
 * Like {@link check}, with `options.workers` threads (default: the number of
 * cores). Falls back to `check` on this thread for one worker, for a model
 * without `origin`, or with a `visit` callback (which cannot cross threads).
 */
export async function checkParallel<F extends FieldSpec>(model: Model<F>, options: CheckOptions = {}): Promise<CheckResult> {
  const m = model as unknown as Model;
  const workers = options.workers ?? defaultWorkers();
  if (workers <= 1 || !m.origin || options.visit) return check(model, { ...options, workers: 1 });
  validateModel(m);
  const opts = resolveOptions(m, { ...options, workers });
  const start = performance.now();
  const ctlBuffer = new SharedArrayBuffer(4 * ctlSize(workers));
  const ctl = new Int32Array(ctlBuffer);
  const { onProgress: _p, visit: _v, ...crossing } = options;
  const origin: ModelOrigin = { ...m.origin, module: runnableUrl(m.origin.module) };
  const url = workerUrl();
  const handles = Array.from({ length: workers }, (_, self) => {
    const data: WorkerData = { origin, options: { ...crossing, workers }, workers, self, ctl: ctlBuffer, startEpochMs: Date.now() };
    return new WorkerHandle(new Worker(url, { workerData: data }));
  });
  const timer = opts.onProgress
    ? setInterval(() => {
        let generated = 0;
        let expanded = 0;
        for (let w = 0; w < workers; w++) {
          generated += Atomics.load(ctl, CTL_PER + 2 * w);
          expanded += Atomics.load(ctl, CTL_PER + 2 * w + 1);
        }
        let distinct = Atomics.load(ctl, CTL_DISTINCT);
        if (opts.maxStates === Infinity) {
          distinct = 0;
          for (let w = 0; w < workers; w++) distinct += Atomics.load(ctl, ctlDistinctSlot(workers, w));
        }
        opts.onProgress?.({ distinctStates: distinct, generatedStates: generated, queue: distinct - expanded, depth, elapsedMs: performance.now() - start });
      }, opts.progressIntervalMs)
    : undefined;
  let depth = 0;
  try {
    for (const h of handles) unwrap(await h.next(), 'ready');
    const all = <K extends FromWorker['kind']>(kind: K, msgs: Promise<FromWorker>[]): Promise<Extract<FromWorker, { kind: K }>[]> =>
      Promise.all(msgs).then((ms) => ms.map((x) => unwrap(x, kind)));
    let stoppedBy: CheckResult['stoppedBy'] = null;
    const seeded = await all('seeded', handles.map((h) => h.ask({ cmd: 'seed' })));
    let frontier = seeded.reduce((n, s) => n + s.frontier, 0);
    let found = seeded.reduce((n, s) => n + s.violations, 0);
    for (;;) {
      if (Atomics.load(ctl, CTL_STOP) !== 0 || (found > 0 && !opts.continueAfterViolation) || frontier === 0) break;
      if (depth >= opts.maxDepth) {
        stoppedBy = 'max-depth';
        break;
      }
      const expanded = await all('expanded', handles.map((h) => h.ask({ cmd: 'expand' })));
      // Route: worker v receives, in worker order, what each other worker found for it.
      const absorbed = await all(
        'absorbed',
        handles.map((h, v) => {
          const boxes = expanded.filter((_, w) => w !== v).map((e) => e.outbox[v]);
          return h.ask({ cmd: 'absorb', boxes }, boxes.map((b) => b.buffer as ArrayBuffer));
        }),
      );
      frontier = absorbed.reduce((n, a) => n + a.frontier, 0);
      found = absorbed.reduce((n, a) => n + a.violations, 0);
      if (frontier > 0) depth++;
    }
    stoppedBy ??= stopReason(Atomics.load(ctl, CTL_STOP));
    const finished = await all('finished', handles.map((h) => h.ask({ cmd: 'finish' })));
    const { violations, search } = rebuildViolations(m, opts, finished.flatMap((f) => f.violations));
    if (search && !opts.continueAfterViolation) {
      // Stopped at the first violation: the rebuilding search stopped exactly where a
      // sequential one does (the workers finished their layer), so its counts are reported.
      return assemble(m, opts, start, { ...totalsOf(search, null, workers), engineBytes: finished.reduce((n, f) => n + f.bytes, 0) }, violations);
    }
    const fired = new Float64Array(m.actions.length);
    for (const f of finished) f.fired.forEach((n, i) => (fired[i] += n));
    return assemble(
      m,
      opts,
      start,
      {
        distinctStates: finished.reduce((n, f) => n + f.distinct, 0),
        generated: finished.reduce((n, f) => n + f.generated, 0),
        expanded: finished.reduce((n, f) => n + f.expanded, 0),
        fired,
        depth: Math.max(...finished.map((f) => f.deepest)),
        stoppedBy,
        engineBytes: finished.reduce((n, f) => n + f.bytes, 0),
        exact: finished.every((f) => f.exact),
        workers,
      },
      violations,
    );
  } finally {
    if (timer) clearInterval(timer);
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }
}
