/**
 * Parallel breadth-first search over worker threads.
 *
 * This thread and `workers - 1` worker threads search together, layer by
 * layer. The visited set is split among them by fingerprint: each thread owns
 * a share, kept in a table only it touches, and sends successors that
 * another owns to that owner through a queue in shared memory (see
 * search.ts). Within a layer the threads claim chunks of its states from a
 * shared cursor, so none waits long for the others at the layer's end. The
 * layers are sets, whichever thread finds a state, so the counts equal the
 * single-threaded ones. A violation is reported at the end of its layer, and
 * the counterexamples are rebuilt by the same bounded sequential search as
 * `check`'s (see `rebuildViolations`), so they are the sequential ones on
 * every run.
 *
 * While the workers start (loading modules, building the model), this thread
 * explores the first layers alone, holding every share of the visited set;
 * at the first layer's end after they are ready, it hands each its share.
 *
 * Workers rebuild the model from `model.origin`; a model without one is
 * checked on this thread by `check`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { assemble, check, rebuildViolations, stopReason, totalsOf, type CheckResult } from './bfs.js';
import type { FingerprintImage } from './fingerprint.js';
import type { FieldSpec } from './layout.js';
import type { Model, ModelOrigin } from './model.js';
import { ModelError, validateModel } from './model.js';
import type { CheckOptions } from './options.js';
import { resolveOptions } from './options.js';
import { Ring } from './ring.js';
import {
  CTL_CURSOR,
  CTL_EXPANDING,
  CTL_READY,
  CTL_STOP,
  ctlSearcher,
  ctlSize,
  LAYER_DONE,
  LAYER_WAITING,
  LayerSearch,
  STOP_ERROR,
  STOP_NONE,
  type RawViolation,
} from './search.js';

/** `Atomics.waitAsync` (ES2024; in Node.js since 16): waits without blocking this thread's event loop. */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** The default number of workers: the machine's cores. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** What the coordinator sends a worker. */
export type ToWorker =
  /** What to search: sent first. */
  | { cmd: 'init'; data: WorkerData }
  /** Expand a layer; the first time, with the worker's share of the visited set. */
  | { cmd: 'layer'; segments: Uint32Array[]; chunk: number; depth: number; share?: FingerprintImage }
  | { cmd: 'finish' };

/** A searcher's counts at the end. */
export interface SearcherTotals {
  violations: RawViolation[];
  stored: number;
  generated: number;
  expanded: number;
  fired: Float64Array;
  deepest: number;
  /** Bytes of its per-state structures (its share of the visited set, frontier segments, queues to it). */
  bytes: number;
}

/** What a worker answers. */
export type FromWorker =
  | { kind: 'ready' }
  /** How `expandLayer` ended; when the layer is done, this worker's segment of the next layer. */
  | { kind: 'layer'; result: number; segment: Uint32Array; violations: number }
  | ({ kind: 'finished' } & SearcherTotals)
  | { kind: 'error'; message: string; name: string };

/** Options that cross to workers (no functions). */
export type WorkerOptions = Omit<CheckOptions, 'onProgress' | 'visit'>;

export interface WorkerData {
  origin: ModelOrigin;
  options: WorkerOptions;
  /** Searchers in the search: this thread and the workers. */
  searchers: number;
  self: number;
  ctl: SharedArrayBuffer;
  /** Queues to each other searcher and from each (`null` at its own place). */
  outbox: (SharedArrayBuffer | null)[];
  inbox: (SharedArrayBuffer | null)[];
  /** `Date.now()` when the search began: each thread has its own performance clock. */
  startEpochMs: number;
}

/** A searcher's totals. */
export function searcherTotals(s: LayerSearch): SearcherTotals {
  return { violations: s.violations, stored: s.stored, generated: s.generated, expanded: s.expanded, fired: s.fired, deepest: s.deepest, bytes: s.bytes };
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

/** Workers started ahead of a search by {@link startWorkers}, waiting for one. */
const spare: Worker[] = [];

/**
 * Starts `count` worker threads ahead of a parallel search, so that their
 * start (a Node.js thread, the engine's modules) overlaps with the caller's
 * own work, such as reading the command line. The next `checkParallel`
 * takes them; until then they do not keep the process alive.
 */
export function startWorkers(count: number): void {
  for (let i = 0; i < count; i++) {
    const w = new Worker(workerUrl());
    w.unref();
    w.on('error', () => undefined);
    w.once('exit', () => {
      const i = spare.indexOf(w);
      if (i >= 0) spare.splice(i, 1);
    });
    spare.push(w);
  }
}

class WorkerHandle {
  /** Answers that arrived before anyone waited for them, in order. */
  private readonly inbox: FromWorker[] = [];
  private pending: ((m: FromWorker) => void) | undefined;
  /** The first error the worker reported (or its exit). */
  error: Extract<FromWorker, { kind: 'error' }> | undefined;
  /** @param onFailure called when the worker reports an error or exits, before the error is delivered. */
  constructor(
    readonly worker: Worker,
    onFailure: () => void,
  ) {
    const deliver = (m: FromWorker): void => {
      if (m.kind === 'error' && !this.error) {
        this.error = m;
        onFailure();
      }
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
  ask(msg: ToWorker): Promise<FromWorker> {
    const answer = this.next();
    this.worker.postMessage(msg);
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

/** Throws the first error a worker reported, if any did. */
function rethrow(handles: readonly WorkerHandle[]): void {
  for (const h of handles) if (h.error) unwrap(h.error, 'ready');
}

/** Chunk of states a thread claims at a time: small enough to balance the threads, large enough that claims are rare. */
function chunkOf(states: number, searchers: number): number {
  return Math.max(1, Math.min(512, Math.ceil(states / (8 * searchers))));
}

/** Settings of the parallel search that change its speed, never its results (for tests and experiments). */
export interface ParallelTuning {
  /** Records each queue between two threads holds (a power of two). Default: 2^14. */
  readonly queueRecords?: number;
}

/**
 * Like {@link check}, with `options.workers` threads (default: the number of
 * cores). Falls back to `check` on this thread for one worker, for a model
 * without `origin`, or with a `visit` callback (which cannot cross threads).
 */
export async function checkParallel<F extends FieldSpec>(model: Model<F>, options: CheckOptions = {}, tuning: ParallelTuning = {}): Promise<CheckResult> {
  const m = model as unknown as Model;
  const workers = options.workers ?? defaultWorkers();
  if (workers <= 1 || !m.origin || options.visit) return check(model, { ...options, workers: 1 });
  validateModel(m);
  const opts = resolveOptions(m, { ...options, workers });
  const start = performance.now();
  // This thread is searcher 0; the worker threads are searchers 1, 2, ...
  const helpers = workers - 1;
  const ctl = new Int32Array(new SharedArrayBuffer(4 * ctlSize(workers)));
  const W = m.layout.words;
  // A queue from each thread to each other: 2^14 records, fewer with many threads (their memory grows with the square).
  const records = tuning.queueRecords ?? Math.max(1 << 8, Math.min(1 << 14, 2 ** Math.floor(Math.log2((1 << 16) / helpers))));
  const rings = Array.from({ length: workers }, (_, from) => Array.from({ length: workers }, (_, to) => (from === to ? null : Ring.memory(records, W))));
  const role = (self: number) => ({ searchers: workers, self, outbox: rings[self], inbox: rings.map((r) => r[self]) });
  const here = new LayerSearch(m, opts, ctl, start, { ...role(0), holdAll: true });
  const { onProgress: _p, visit: _v, ...crossing } = options;
  const origin: ModelOrigin = { ...m.origin, module: runnableUrl(m.origin.module) };
  const url = workerUrl();
  // A worker that fails stops every thread; the error it sent is reported.
  const failed = (): void => {
    Atomics.compareExchange(ctl, CTL_STOP, STOP_NONE, STOP_ERROR);
    Atomics.notify(ctl, CTL_EXPANDING);
    Atomics.notify(ctl, CTL_STOP);
  };
  const handles = Array.from({ length: helpers }, (_, w) => {
    const data: WorkerData = { origin, options: { ...crossing, workers }, ...role(w + 1), ctl: ctl.buffer as SharedArrayBuffer, startEpochMs: Date.now() };
    const worker = spare.shift() ?? new Worker(url);
    worker.ref();
    const handle = new WorkerHandle(worker, failed);
    worker.postMessage({ cmd: 'init', data } satisfies ToWorker);
    return handle;
  });
  let depth = 0;
  const progress = opts.onProgress
    ? (): void => {
        let generated = 0;
        let expanded = 0;
        let distinct = 0;
        for (let s = 0; s < workers; s++) {
          generated += Atomics.load(ctl, ctlSearcher(s));
          expanded += Atomics.load(ctl, ctlSearcher(s) + 1);
          distinct += Atomics.load(ctl, ctlSearcher(s) + 2);
        }
        opts.onProgress?.({ distinctStates: distinct, generatedStates: generated, queue: distinct - expanded, depth, elapsedMs: performance.now() - start });
      }
    : undefined;
  /** Whether the workers have joined the search; until then this thread searches alone. */
  let joined = false;
  try {
    const all = <K extends FromWorker['kind']>(kind: K, msgs: Promise<FromWorker>[]): Promise<Extract<FromWorker, { kind: K }>[]> =>
      Promise.all(msgs).then((ms) => ms.map((x) => unwrap(x, kind)));
    here.seedInitial();
    here.endLayer();
    let segments = [here.frontier.view()];
    let workerFound = 0;
    let stoppedBy: CheckResult['stoppedBy'] = null;
    for (;;) {
      const states = segments.reduce((n, s) => n + s.length, 0) / W;
      if (Atomics.load(ctl, CTL_STOP) !== 0 || (here.violations.length + workerFound > 0 && !opts.continueAfterViolation) || states === 0) break;
      if (depth >= opts.maxDepth) {
        stoppedBy = 'max-depth';
        break;
      }
      // Between two layers, the workers join once they are all ready. Until then this thread
      // turns its event loop once a layer, to hear of a worker that failed to start.
      let shares: FingerprintImage[] | undefined;
      if (!joined) await new Promise((resolve) => setImmediate(resolve));
      rethrow(handles);
      if (!joined && Atomics.load(ctl, CTL_READY) === helpers) {
        for (const h of handles) unwrap(await h.next(), 'ready');
        joined = true;
        shares = handles.map((_, w) => here.release(w + 1));
      }
      Atomics.store(ctl, CTL_CURSOR, 0);
      Atomics.store(ctl, CTL_EXPANDING, joined ? workers : 1);
      const chunk = chunkOf(states, joined ? workers : 1);
      here.beginLayer(segments, chunk, depth);
      const answers = joined ? handles.map((h, w) => h.ask({ cmd: 'layer', segments, chunk, depth, share: shares?.[w] })) : [];
      // This thread waits for the others without blocking its event loop, so that it hears of a worker that fails.
      let r = here.expandLayer(progress, false);
      while (r === LAYER_WAITING) {
        const expanding = Atomics.load(ctl, CTL_EXPANDING);
        r = here.takeIn();
        if (r === LAYER_WAITING && here.taken === 0) {
          const w = waitAsync(ctl, CTL_EXPANDING, expanding, 1);
          if (w.async) await w.value;
        }
      }
      const got = await all('layer', answers);
      here.endLayer();
      workerFound = got.reduce((n, a) => n + a.violations, 0);
      segments = [here.frontier.view(), ...got.map((a) => a.segment)].filter((s) => s.length > 0);
      if (segments.length > 0) depth++;
    }
    if (Atomics.load(ctl, CTL_STOP) === STOP_ERROR) {
      // A worker failed: its message is on its way (or its exit, should it have died first).
      while (!handles.some((h) => h.error)) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    rethrow(handles);
    stoppedBy ??= stopReason(Atomics.load(ctl, CTL_STOP));
    const finished: SearcherTotals[] = [searcherTotals(here)];
    if (joined) finished.push(...(await all('finished', handles.map((h) => h.ask({ cmd: 'finish' })))));
    const engineBytes = finished.reduce((n, f) => n + f.bytes, 0);
    const { violations, search } = rebuildViolations(m, opts, finished.flatMap((f) => f.violations));
    if (search && !opts.continueAfterViolation) {
      // Stopped at the first violation: the rebuilding search stopped exactly where a
      // sequential one does (the threads finished their layer), so its counts are reported.
      return assemble(m, opts, start, { ...totalsOf(search, null, workers), engineBytes }, violations);
    }
    const fired = new Float64Array(m.actions.length);
    for (const f of finished) f.fired.forEach((n, i) => (fired[i] += n));
    return assemble(
      m,
      opts,
      start,
      {
        distinctStates: finished.reduce((n, f) => n + f.stored, 0),
        generated: finished.reduce((n, f) => n + f.generated, 0),
        expanded: finished.reduce((n, f) => n + f.expanded, 0),
        fired,
        depth: Math.max(...finished.map((f) => f.deepest)),
        stoppedBy,
        engineBytes,
        exact: here.seen.exact,
        workers,
      },
      violations,
    );
  } finally {
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }
}
