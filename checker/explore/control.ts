/**
 * The control block a search's threads share: one Int32Array of counters,
 * each on a cache line of its own (16 words) so that a thread writing one
 * does not slow the others reading another. The codes stored in it are
 * numbers (Atomics work on integers); outside the block a search speaks of
 * them by name ({@link StopReason}).
 */

const LINE = 16;

/** Word offsets in the control block. */
export const Ctl = {
  /** Why the search stops ({@link StopCode}); `none` while it runs. */
  stop: 0,
  /** The layer's cursor: the next state to claim. */
  cursor: LINE,
  /** Threads still expanding the layer. */
  expanding: 2 * LINE,
  /** Worker threads ready. */
  ready: 3 * LINE,
} as const;

/** Offset of searcher `s`'s counters: generated, expanded, stored (refreshed about every thousand states, for progress). */
export const ctlSearcher = (s: number): number => (4 + s) * LINE;
/** Words of the control block of a search with `searchers` threads. */
export const ctlSize = (searchers: number): number => ctlSearcher(searchers);

/** Values of the block's `stop` word. */
export const StopCode = {
  none: 0,
  maxStates: 1,
  time: 2,
  violation: 3,
  memory: 4,
  /** A thread failed (an exception in the model or the engine); its coordinator reports why. */
  error: 5,
  /** The caller asked the search to stop (`CheckOptions.interrupt`: e.g. Ctrl-C). */
  interrupted: 6,
} as const;
export type StopCode = (typeof StopCode)[keyof typeof StopCode];

/** How a call of `LayerSearch.expandLayer` or `takeIn` ended. */
export const LayerEnd = {
  /** This searcher's part of the next layer is complete. */
  done: 0,
  /** The search stops. */
  stopped: 1,
  /** Done expanding; others are not: call `takeIn` until it says the layer is over. */
  waiting: 2,
  /** A sequential search paused part-way through the layer so that its caller's event loop can turn: call `expandLayer` again. */
  paused: 3,
} as const;
export type LayerEnd = (typeof LayerEnd)[keyof typeof LayerEnd];

/** Why a search (or a state graph's exploration) stopped early; null when it did not. */
export type StopReason = 'max-states' | 'max-depth' | 'time-limit' | 'max-memory' | 'interrupted' | null;

/** Maps the block's stop code to a {@link StopReason} (a violation or an error is not a limit: null). */
export function stopReason(code: number): StopReason {
  switch (code) {
    case StopCode.maxStates:
      return 'max-states';
    case StopCode.time:
      return 'time-limit';
    case StopCode.memory:
      return 'max-memory';
    case StopCode.interrupted:
      return 'interrupted';
    default:
      return null;
  }
}
