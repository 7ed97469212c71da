/**
 * The messages between the coordinator of a parallel search (parallel.ts)
 * and its worker threads (worker.ts). Shared memory (the control block, the
 * queues, the layers' segments) carries the search itself; messages carry
 * only commands, answers and the data that crosses once.
 */
import type { FingerprintImage } from '../state/fingerprint.js';
import type { ModelOrigin } from '../model/model.js';
import type { CheckOptions } from './options.js';
import type { LayerEnd } from './control.js';
import type { LayerSearch, RawViolation } from './search.js';
import type { ThreadLayerProfile } from './profile.js';

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
  /** The states its stored representatives stand for (the stored count without symmetry). */
  unreduced: number;
  generated: number;
  expanded: number;
  fired: Float64Array;
  deepest: number;
  /** Bytes of its per-state structures (its share of the visited set, frontier segments, queues to it). */
  bytes: number;
  /** Times the shares of the visited set it held grew, and the milliseconds that took. */
  grows: number;
  growMs: number;
}

/** What a worker answers. */
export type FromWorker =
  /** Ready to search, at `atMs` milliseconds since the search began. */
  | { kind: 'ready'; atMs: number }
  /** How `expandLayer` ended; when the layer is done, this worker's segment of the next layer (and its part of the layer, when profiling). */
  | { kind: 'layer'; result: LayerEnd; segment: Uint32Array; violations: number; profile?: ThreadLayerProfile }
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
  return {
    violations: s.violations,
    stored: s.stored,
    unreduced: s.unreduced,
    generated: s.generated,
    expanded: s.expanded,
    fired: s.fired,
    deepest: s.deepest,
    bytes: s.bytes,
    ...s.growth(),
  };
}
