/**
 * Search options (all optional for users) and their resolution into one
 * fully-specified object, done once before a search.
 */
import { propertyList } from '../model/kernel.js';
import type { Interrupt, Model } from '../model/model.js';
import { limitOption, OptionError } from '../model/validate.js';

export { OptionError } from '../model/validate.js';

/** Progress the engine reports about once per `progressIntervalMs`. */
export interface Progress {
  readonly distinctStates: number;
  readonly generatedStates: number;
  /** States discovered but not yet expanded. */
  readonly queue: number;
  readonly depth: number;
  readonly elapsedMs: number;
}

export type { Interrupt } from '../model/model.js';

export interface CheckOptions {
  /** Properties to check, by name (an empty list checks none). Default: every property of the model. */
  properties?: readonly string[];
  /** Report states with no enabled action that the model does not accept as terminal. Default: true. */
  checkDeadlock?: boolean;
  /** Keep exploring after a violation and report the first (shortest) violation of each property. Default: false. */
  continueAfterViolation?: boolean;
  /** Stop (status `incomplete`) once this many distinct states are stored. Default: no limit. */
  maxStates?: number;
  /** Do not expand states at this depth (status `incomplete` if any exist). Default: no limit. */
  maxDepth?: number;
  /** Stop (status `incomplete`) after this many milliseconds. Default: no limit. */
  timeLimitMs?: number;
  /**
   * Set `requested` to stop the search as soon as it looks (about every
   * thousand states): it then ends as `incomplete`, stopped by
   * `interrupted`, with what it has found. The CLI sets it on Ctrl-C. With
   * `checkParallel`, the search on this thread pauses every few tens of
   * milliseconds so that the caller's event loop can set it. Default: none.
   */
  interrupt?: Interrupt;
  /** Called about once per `progressIntervalMs` while the search runs. */
  onProgress?: (p: Progress) => void;
  /** Default: 1000. */
  progressIntervalMs?: number;
  /**
   * Called once for every distinct state, when it is discovered, with its
   * depth. The state is the engine's scratch view: read it, or copy it with
   * `layout.toPlain`, but do not keep it. Default: none.
   */
  visit?: (state: unknown, depth: number) => void;
  /** Store one state per class of states equal up to renaming the model's symmetric actors. Default: false. */
  symmetry?: boolean;
  /** Threads to search with (`checkParallel` only; `check` uses one). Default: 1. */
  workers?: number;
  /** Stop (status `incomplete`) before the process's resident memory would pass this many bytes. Default: no limit. */
  maxMemoryBytes?: number;
  /**
   * Size the visited set for this many states from the start, as Spin's
   * `-w` and TLC's `-fpmem` do: the search then never stops to grow it
   * while it finds no more. Default: start small and grow by half when three
   * quarters full.
   */
  expectedStates?: number;
  /**
   * Measure where the search's time goes (`CheckResult.profile`): each
   * layer's time, each thread's expanding and waiting, stalls on full
   * queues, the visited set's growth. Default: false (no clock is read).
   */
  profile?: boolean;
}

/** Options after resolution: every field present. */
export interface ResolvedOptions {
  readonly properties: readonly string[];
  readonly checkDeadlock: boolean;
  readonly continueAfterViolation: boolean;
  readonly maxStates: number;
  readonly maxDepth: number;
  readonly timeLimitMs: number;
  readonly interrupt: Interrupt | undefined;
  readonly onProgress: ((p: Progress) => void) | undefined;
  readonly progressIntervalMs: number;
  readonly visit: ((state: unknown, depth: number) => void) | undefined;
  readonly symmetry: boolean;
  readonly workers: number;
  readonly maxMemoryBytes: number;
  /** 0 when not given. */
  readonly expectedStates: number;
  readonly profile: boolean;
}

/** The most states a visited set can be sized for up front (a table of about 5.3 GiB). */
export const MAX_EXPECTED_STATES = 500_000_000;

function expected(who: string, v: number): number {
  const n = limitOption(who, 'expectedStates', v, 1);
  if (n > MAX_EXPECTED_STATES) throw new OptionError(`${who}: option expectedStates must be at most ${MAX_EXPECTED_STATES}, got ${v}`);
  return n;
}

/**
 * Resolves user options against a model once. Throws OptionError naming the
 * field; `who` names the caller in the message (default `check`).
 */
export function resolveOptions(model: Model, o: CheckOptions = {}, who = 'check'): ResolvedOptions {
  const properties = propertyList(who, model, o.properties);
  if (o.symmetry && !model.symmetry) throw new OptionError(`${who}: option symmetry: model ${model.name} declares no symmetric actors`);
  return {
    properties,
    checkDeadlock: o.checkDeadlock ?? true,
    continueAfterViolation: o.continueAfterViolation ?? false,
    maxStates: limitOption(who, 'maxStates', o.maxStates, 1),
    maxDepth: limitOption(who, 'maxDepth', o.maxDepth, 0),
    timeLimitMs: limitOption(who, 'timeLimitMs', o.timeLimitMs, 0, true),
    interrupt: o.interrupt,
    onProgress: o.onProgress,
    progressIntervalMs: o.progressIntervalMs ?? 1000,
    visit: o.visit,
    symmetry: o.symmetry ?? false,
    workers: o.workers === undefined ? 1 : limitOption(who, 'workers', o.workers, 1),
    maxMemoryBytes: limitOption(who, 'maxMemoryBytes', o.maxMemoryBytes, 1),
    expectedStates: o.expectedStates === undefined ? 0 : expected(who, o.expectedStates),
    profile: o.profile ?? false,
  };
}
