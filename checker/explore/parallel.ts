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
 * Workers rebuild the model from `model.origin` (origin.ts); a model
 * without one is checked on this thread by `check`. The messages are in
 * protocol.ts, the threads in pool.ts.
 */
import { assemble, check, checkAsync, rebuildViolations, totalsOf, type CheckResult } from './bfs.js';
import { Ctl, ctlSearcher, ctlSize, LayerEnd, stopReason, StopCode } from './control.js';
import type { FingerprintImage } from '../state/fingerprint.js';
import type { FieldSpec } from '../state/layout.js';
import type { Model, ModelOrigin } from '../model/model.js';
import { validateModel } from '../model/model.js';
import type { CheckOptions, Progress } from './options.js';
import { resolveOptions } from './options.js';
import { defaultWorkers, rethrow, stopSpareWorkers, takeWorker, unwrap, WorkerHandle } from './pool.js';
import { searcherTotals, type FromWorker, type SearcherTotals, type ToWorker, type WorkerData } from './protocol.js';
import { Ring } from '../state/ring.js';
import { LayerSearch } from './search.js';
import type { LayerProfile, SearchProfile, ThreadLayerProfile } from './profile.js';

export { defaultWorkers, startWorkers, stopSpareWorkers } from './pool.js';
export type { FromWorker, SearcherTotals, ToWorker, WorkerData, WorkerOptions } from './protocol.js';

/** `Atomics.waitAsync` (ES2024; in Node.js since 16): waits without blocking this thread's event loop. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

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
 * without `origin`, with a `visit` callback (which cannot cross threads), or
 * with a state limit: threads stop a layer part-way through in an order
 * that depends on timing, and a limited search must report the same counts
 * on every run.
 */
export async function checkParallel<F extends FieldSpec>(model: Model<F>, options: CheckOptions = {}, tuning: ParallelTuning = {}): Promise<CheckResult> {
  const m: Model = model;
  const workers = options.workers ?? defaultWorkers();
  if (workers <= 1 || !m.origin || options.visit || options.maxStates !== undefined) {
    stopSpareWorkers();
    // An interruptible search lets the event loop turn while it runs.
    return options.interrupt ? checkAsync(model, { ...options, workers: 1 }) : check(model, { ...options, workers: 1 });
  }
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
  const { onProgress: _p, visit: _v, interrupt: _i, ...crossing } = options;
  const origin: ModelOrigin = m.origin;
  // A worker that fails stops every thread; the error it sent is reported.
  const failed = (): void => {
    Atomics.compareExchange(ctl, Ctl.stop, StopCode.none, StopCode.error);
    Atomics.notify(ctl, Ctl.expanding);
    Atomics.notify(ctl, Ctl.stop);
  };
  const handles = Array.from({ length: helpers }, (_, w) => {
    const data: WorkerData = { origin, options: { ...crossing, workers }, ...role(w + 1), ctl: ctl.buffer as SharedArrayBuffer, startEpochMs: Date.now() };
    const worker = takeWorker();
    const handle = new WorkerHandle(worker, failed);
    worker.postMessage({ cmd: 'init', data } satisfies ToWorker);
    return handle;
  });
  let depth = 0;
  /** The threads' counts so far: states generated, expanded and stored. */
  const counts = (): Progress => {
    let generated = 0;
    let expanded = 0;
    let distinct = 0;
    for (let s = 0; s < workers; s++) {
      generated += Atomics.load(ctl, ctlSearcher(s));
      expanded += Atomics.load(ctl, ctlSearcher(s) + 1);
      distinct += Atomics.load(ctl, ctlSearcher(s) + 2);
    }
    return { distinctStates: distinct, generatedStates: generated, queue: distinct - expanded, depth, elapsedMs: performance.now() - start };
  };
  // A search that stops at its first violation reports the counts of a sequential search, which
  // stops part-way through the violation's layer, while the threads finish that layer first. So
  // that no progress line shows more states than the final report, such a search shows the
  // counts at the end of the last layer that found no violation; one that goes on shows them live.
  let settled: Progress | undefined;
  const progress = opts.onProgress
    ? (): void => opts.onProgress?.(opts.continueAfterViolation ? counts() : { ...(settled ?? counts()), depth, elapsedMs: performance.now() - start })
    : undefined;
  /** Whether the workers have joined the search; until then this thread searches alone. */
  let joined = false;
  const layers: LayerProfile[] | undefined = opts.profile ? [] : undefined;
  const workersReadyMs: number[] = [];
  let joinedMs: number | null = null;
  let joinedDepth: number | null = null;
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
      if (options.interrupt?.requested) Atomics.compareExchange(ctl, Ctl.stop, StopCode.none, StopCode.interrupted);
      if (Atomics.load(ctl, Ctl.stop) !== 0 || (here.violations.length + workerFound > 0 && !opts.continueAfterViolation) || states === 0) break;
      if (depth >= opts.maxDepth) {
        stoppedBy = 'max-depth';
        break;
      }
      if (progress) settled = counts();
      // Between two layers, the workers join once they are all ready. Until then this thread
      // turns its event loop once a layer, to hear of a worker that failed to start.
      let shares: FingerprintImage[] | undefined;
      if (!joined) await new Promise((resolve) => setImmediate(resolve));
      rethrow(handles);
      if (!joined && Atomics.load(ctl, Ctl.ready) === helpers) {
        for (const h of handles) workersReadyMs.push(unwrap(await h.next(), 'ready').atMs);
        joined = true;
        joinedMs = performance.now() - start;
        joinedDepth = depth;
        shares = handles.map((_, w) => here.release(w + 1));
      }
      const layerAt = layers ? performance.now() : 0;
      Atomics.store(ctl, Ctl.cursor, 0);
      Atomics.store(ctl, Ctl.expanding, joined ? workers : 1);
      const chunk = chunkOf(states, joined ? workers : 1);
      here.beginLayer(segments, chunk, depth);
      const answers = joined ? handles.map((h, w) => h.ask({ cmd: 'layer', segments, chunk, depth, share: shares?.[w] })) : [];
      // This thread waits for the others without blocking its event loop, so that it hears of a worker that fails.
      let r = here.expandLayer(progress, false);
      while (r === LayerEnd.waiting) {
        // Asked to stop while this thread waited (its event loop turned): every thread stops.
        if (options.interrupt?.requested && Atomics.compareExchange(ctl, Ctl.stop, StopCode.none, StopCode.interrupted) === StopCode.none) {
          Atomics.notify(ctl, Ctl.expanding);
          Atomics.notify(ctl, Ctl.stop);
        }
        const expanding = Atomics.load(ctl, Ctl.expanding);
        r = here.takeIn();
        if (r === LayerEnd.waiting && here.taken === 0) {
          const w = waitAsync(ctl, Ctl.expanding, expanding, 1);
          if (w.async) await w.value;
        }
      }
      if (here.clock) here.clock.endAt = performance.now();
      const got = await all('layer', answers);
      const mine = here.layerPart();
      here.endLayer();
      if (layers && mine) {
        const threads = [mine, ...got.map((a) => a.profile).filter((p): p is ThreadLayerProfile => p !== undefined)];
        layers.push({ depth, states, atMs: layerAt - start, ms: performance.now() - layerAt, threads });
      }
      workerFound = got.reduce((n, a) => n + a.violations, 0);
      segments = [here.frontier.view(), ...got.map((a) => a.segment)].filter((s) => s.length > 0);
      if (segments.length > 0) depth++;
    }
    if (Atomics.load(ctl, Ctl.stop) === StopCode.error) {
      // A worker failed: its message is on its way (or its exit, should it have died first).
      while (!handles.some((h) => h.error)) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    rethrow(handles);
    stoppedBy ??= stopReason(Atomics.load(ctl, Ctl.stop));
    const finished: SearcherTotals[] = [searcherTotals(here)];
    if (joined)
      finished.push(
        ...(await all(
          'finished',
          handles.map((h) => h.ask({ cmd: 'finish' })),
        )),
      );
    const engineBytes = finished.reduce((n, f) => n + f.bytes, 0);
    const rebuilding = performance.now();
    const { violations, search } = rebuildViolations(
      m,
      opts,
      finished.flatMap((f) => f.violations),
    );
    const profile: SearchProfile | undefined = layers && {
      startedAtMs: start,
      workersReadyMs,
      joinedMs,
      joinedDepth,
      layers,
      grows: finished.reduce((n, f) => n + f.grows, 0),
      growMs: finished.reduce((n, f) => n + f.growMs, 0),
      rebuildMs: performance.now() - rebuilding,
    };
    if (search && !opts.continueAfterViolation) {
      // Stopped at the first violation: the rebuilding search stopped exactly where a
      // sequential one does (the threads finished their layer), so its counts are reported.
      return assemble(m, opts, start, { ...totalsOf(search, null, workers), engineBytes }, violations, profile);
    }
    const fired = new Float64Array(m.actions.length);
    for (const f of finished) for (let i = 0; i < fired.length; i++) fired[i] += f.fired[i];
    return assemble(
      m,
      opts,
      start,
      {
        distinctStates: finished.reduce((n, f) => n + f.stored, 0),
        unreducedStates: finished.reduce((n, f) => n + f.unreduced, 0),
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
      profile,
    );
  } finally {
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }
}
