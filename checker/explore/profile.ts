/**
 * Where a search's time goes, layer by layer and thread by thread, measured
 * when `CheckOptions.profile` asks for it (a few clock reads per layer and
 * per stalled queue; nothing per edge). Without it no clock is read.
 */

/** One thread's part of one layer. */
export interface ThreadLayerProfile {
  /** Milliseconds from the layer's start until this thread had nothing left to claim. */
  readonly expandMs: number;
  /** Milliseconds from then until every thread had finished the layer (the barrier). */
  readonly waitMs: number;
  /** States of the layer this thread expanded. */
  readonly expanded: number;
  /** New states this thread stored (its share of the next layer). */
  readonly stored: number;
  /** Times a queue to another thread was full when this thread pushed to it, and the milliseconds it then waited. */
  readonly stalls: number;
  readonly stallMs: number;
}

/** One layer of the search. */
export interface LayerProfile {
  readonly depth: number;
  /** States in the layer. */
  readonly states: number;
  /** Milliseconds since the search began when the layer began, and the layer's own milliseconds (on the coordinating thread). */
  readonly atMs: number;
  readonly ms: number;
  /** Threads searching this layer: 1 until the worker threads have joined. */
  readonly threads: readonly ThreadLayerProfile[];
}

/** A search's profile (`CheckResult.profile`). */
export interface SearchProfile {
  /** `performance.now()` on the calling thread when the search began (milliseconds since the process started). */
  readonly startedAtMs: number;
  /** Milliseconds since the search began when each worker thread was ready (its modules loaded and its model built); empty on one thread. */
  readonly workersReadyMs: readonly number[];
  /** When the workers joined the search (milliseconds since it began, and the depth of the first layer they searched); null when they never did. */
  readonly joinedMs: number | null;
  readonly joinedDepth: number | null;
  readonly layers: readonly LayerProfile[];
  /** Times the visited set grew, and the milliseconds it took (every thread's, summed). */
  readonly grows: number;
  readonly growMs: number;
  /** Milliseconds spent rebuilding counterexamples after the search. */
  readonly rebuildMs: number;
}

/** A thread's counters for the layer it expands, kept by its searcher when profiling. */
export class LayerClock {
  start = 0;
  doneAt = 0;
  endAt = 0;
  expanded = 0;
  stored = 0;
  stalls = 0;
  stallMs = 0;

  /** Starts a layer, given the searcher's counts so far. */
  begin(expanded: number, stored: number): void {
    this.start = performance.now();
    this.doneAt = this.endAt = this.start;
    this.expanded = expanded;
    this.stored = stored;
    this.stalls = 0;
    this.stallMs = 0;
  }

  /** The thread's part of the layer, given its counts at the layer's end. */
  part(expanded: number, stored: number): ThreadLayerProfile {
    return {
      expandMs: this.doneAt - this.start,
      waitMs: this.endAt - this.doneAt,
      expanded: expanded - this.expanded,
      stored: stored - this.stored,
      stalls: this.stalls,
      stallMs: this.stallMs,
    };
  }
}

const ms = (x: number): string => `${Math.round(x)} ms`;

/**
 * The profile as a few lines of text: the layers before the workers joined
 * and after, each thread's expanding and waiting time, its share of the
 * states, its stalls on full queues, and the visited set's growth.
 */
export function profileLines(p: SearchProfile): string[] {
  const out: string[] = [];
  const alone = p.layers.filter((l) => l.threads.length <= 1);
  const together = p.layers.filter((l) => l.threads.length > 1);
  const sum = (ls: readonly LayerProfile[]): number => ls.reduce((n, l) => n + l.ms, 0);
  const states = (ls: readonly LayerProfile[]): number => ls.reduce((n, l) => n + l.states, 0);
  if (p.workersReadyMs.length > 0)
    out.push(
      `workers ready at ${p.workersReadyMs.map(ms).join(', ')}; joined ${p.joinedMs === null ? 'never' : `at ${ms(p.joinedMs)} (depth ${p.joinedDepth})`}`,
    );
  out.push(`layers on one thread: ${alone.length}, ${states(alone).toLocaleString('en-US')} states, ${ms(sum(alone))}`);
  if (together.length > 0) {
    out.push(`layers on ${together[0].threads.length} threads: ${together.length}, ${states(together).toLocaleString('en-US')} states, ${ms(sum(together))}`);
    const n = together[0].threads.length;
    const expanded = states(together);
    for (let t = 0; t < n; t++) {
      const parts = together.map((l) => l.threads[t]).filter((x) => x !== undefined);
      const f = (k: keyof ThreadLayerProfile): number => parts.reduce((s, x) => s + x[k], 0);
      out.push(
        `  thread ${t}: expanding ${ms(f('expandMs'))}, waiting at layer ends ${ms(f('waitMs'))}, ` +
          `${((100 * f('expanded')) / Math.max(1, expanded)).toFixed(1)}% of the states expanded, ${f('stored').toLocaleString('en-US')} stored, ` +
          `${f('stalls')} stalls on full queues (${ms(f('stallMs'))})`,
      );
    }
    const gaps = together.reduce((s, l) => s + l.ms - Math.max(...l.threads.map((x) => x.expandMs + x.waitMs)), 0);
    out.push(`  between layers (messages, hand-over): ${ms(gaps)}`);
  }
  out.push(`visited set grew ${p.grows} times: ${ms(p.growMs)}; counterexamples rebuilt in ${ms(p.rebuildMs)}`);
  return out;
}
