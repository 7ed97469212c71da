/**
 * Breadth-first search over a model's state graph.
 *
 * Layout of the search:
 *  - States are numbered in discovery order. BFS discovers them layer by
 *    layer, so the number is also the queue position: the frontier is the
 *    packed words of the current layer, and the next layer is appended as it
 *    is found.
 *  - Per state the engine keeps only its parent's number and the transition
 *    that reached it (typed arrays); the visited set keeps 64-bit
 *    fingerprints. A counterexample is rebuilt by following parent links back
 *    to an initial state and replaying the transitions forward (see path.ts).
 *  - Each state is unpacked once into a scratch vector; each enabled
 *    transition copies it into a second scratch vector, applies the effect
 *    there, packs the result into a scratch word buffer and fingerprints it.
 *    Nothing is allocated per edge.
 */
import { FingerprintSet, collisionProbability } from './fingerprint.js';
import type { FieldSpec, StateOf } from './layout.js';
import type { Model } from './model.js';
import { validateModel } from './model.js';
import type { CheckOptions, ResolvedOptions } from './options.js';
import { resolveOptions } from './options.js';
import type { Transition } from './transitions.js';
import { transitionsOf } from './transitions.js';
import { compileExpand } from './expand.js';

export type Status = 'ok' | 'violation' | 'deadlock' | 'incomplete';

/** The first violation found of one property: a shortest schedule that leads to it. */
export interface Violation {
  readonly property: string;
  /** `invariant`: a state breaks it; `step`: the last step breaks it; `deadlock`: the last state has no way on. */
  readonly kind: 'invariant' | 'step' | 'deadlock';
  /** Index into `model.init` of the state the schedule starts from. */
  readonly initial: number;
  /** The transitions taken, in order. */
  readonly schedule: readonly Transition[];
}

export interface CheckResult {
  readonly status: Status;
  /** Why the search stopped early, when it did. */
  readonly stoppedBy: 'max-states' | 'max-depth' | 'time-limit' | null;
  /** False when states were left unexplored (a limit, or stopping at the first violation). */
  readonly complete: boolean;
  readonly properties: readonly string[];
  /** First violation of each property, in the order found. */
  readonly violations: readonly Violation[];
  readonly distinctStates: number;
  /** Transitions taken: every enabled action from every expanded state. */
  readonly generatedStates: number;
  /** Longest shortest path from an initial state, in steps (depth of the deepest layer reached). */
  readonly diameter: number;
  /** States discovered and not expanded when the search stopped. */
  readonly queue: number;
  readonly durationMs: number;
  readonly statesPerSecond: number;
  /** Peak resident set size of the process, in bytes. */
  readonly peakMemoryBytes: number;
  /** Bytes of the engine's own per-state structures at the end (visited table, parent links, frontier). */
  readonly engineBytes: number;
  /** How often each action fired, by name, in the model's order. */
  readonly actions: Readonly<Record<string, number>>;
  /** Actions that never fired (as TLC's coverage flags them). */
  readonly unfired: readonly string[];
  /** Probability that a fingerprint collision hid a state (0 when fingerprints are exact). */
  readonly collisionProbability: number;
}

/** An append-only typed array that doubles when full. */
class Growable<A extends Int32Array | Uint16Array> {
  data: A;
  length = 0;
  constructor(
    private readonly make: (n: number) => A,
    cap: number,
  ) {
    this.data = make(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = this.make(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
}

class WordQueue {
  data: Uint32Array;
  length = 0; // in words
  constructor(cap: number) {
    this.data = new Uint32Array(cap);
  }
  reserve(n: number): void {
    if (this.length + n > this.data.length) {
      let cap = this.data.length * 2;
      while (cap < this.length + n) cap *= 2;
      const d = new Uint32Array(cap);
      d.set(this.data.subarray(0, this.length));
      this.data = d;
    }
  }
}

/** Peak resident set size so far, in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

const NO_PARENT = -1;

/**
 * Explores every state reachable from the model's initial states, breadth
 * first, checking the chosen properties. Deterministic: the same model and
 * options give the same counts and the same counterexamples.
 */
export function check<F extends FieldSpec>(model: Model<F>, options: CheckOptions = {}): CheckResult {
  validateModel(model as unknown as Model);
  const opts: ResolvedOptions = resolveOptions(model as unknown as Model, options);
  const start = performance.now();
  const layout = model.layout;
  const W = layout.words;
  const transitions = transitionsOf(model as unknown as Model);
  const T = transitions.length;
  const expand = compileExpand(
    transitions.map((t) => model.actions[t.action].guard),
    transitions.map((t) => model.actions[t.action].effect),
    transitions.map((t) => t.actor),
  );
  const actionOf = Int32Array.from(transitions, (t) => t.action);
  const fired = new Float64Array(model.actions.length);

  const chosen = new Set(opts.properties);
  const invariants = model.invariants.filter((p) => chosen.has(p.name));
  const stepInvariants = model.stepInvariants.filter((p) => chosen.has(p.name));
  // Which properties have been found violated, by position: no string keys in the loop.
  const invBroken = new Uint8Array(invariants.length);
  const stepBroken = new Uint8Array(stepInvariants.length);
  const violated = new Set<string>();
  const violations: Violation[] = [];
  let deadlockFound = false;

  const cur = layout.vector();
  const next = layout.vector();
  const curView = layout.view(cur) as StateOf<F>;
  const nextView = layout.view(next) as StateOf<F>;
  const scratch = new Uint32Array(W);

  const seen = new FingerprintSet(W);
  const parent = new Growable((n) => new Int32Array(n), 1 << 16);
  const via = new Growable((n) => new Uint16Array(n), 1 << 16);
  const initialOf: number[] = []; // for initial states: index into model.init
  let layer = new WordQueue(1 << 12);
  let nextLayer = new WordQueue(1 << 12);

  let generated = 0;
  let depth = 0;
  let stoppedBy: CheckResult['stoppedBy'] = null;
  let stop = false;
  let expanded = 0;
  let lastProgress = start;

  const schedule = (index: number, extra: number): { initial: number; schedule: Transition[] } => {
    const steps: Transition[] = [];
    if (extra >= 0) steps.push(transitions[extra]);
    let i = index;
    while (parent.data[i] !== NO_PARENT) {
      steps.push(transitions[via.data[i]]);
      i = parent.data[i];
    }
    steps.reverse();
    return { initial: initialOf[i], schedule: steps };
  };
  const record = (property: string, kind: Violation['kind'], index: number, extra: number): void => {
    if (violated.has(property)) return;
    violated.add(property);
    violations.push({ property, kind, ...schedule(index, extra) });
    if (!opts.continueAfterViolation) stop = true;
  };
  const visit = opts.visit;
  const checkState = (index: number, d: number): void => {
    if (visit) visit(nextView, d);
    for (let p = 0; p < invariants.length; p++) {
      if (invBroken[p] === 0 && !invariants[p].holds(nextView)) {
        invBroken[p] = 1;
        record(invariants[p].name, 'invariant', index, -1);
      }
    }
  };

  // Initial states: checked like any discovered state.
  for (let k = 0; k < model.init.length && !stop; k++) {
    layout.fromPlain(model.init[k], next);
    layout.pack(next, scratch, 0);
    if (!seen.add(scratch, 0)) continue;
    const index = parent.length;
    parent.push(NO_PARENT);
    via.push(0);
    initialOf[index] = k;
    layer.reserve(W);
    layer.data.set(scratch, layer.length);
    layer.length += W;
    checkState(index, 0);
    if (seen.size >= opts.maxStates) {
      stoppedBy = 'max-states';
      stop = true;
    }
  }

  // The state being expanded, and what to do with each of its successors.
  let source = 0;
  const onSuccessor = (t: number): boolean => {
    generated++;
    fired[actionOf[t]]++;
    for (let p = 0; p < stepInvariants.length; p++) {
      if (stepBroken[p] === 0 && !stepInvariants[p].holds(curView, nextView)) {
        stepBroken[p] = 1;
        record(stepInvariants[p].name, 'step', source, t);
      }
    }
    if (stop) return true;
    layout.pack(next, scratch, 0);
    if (!seen.add(scratch, 0)) return false;
    const child = parent.length;
    parent.push(source);
    via.push(t);
    nextLayer.reserve(W);
    nextLayer.data.set(scratch, nextLayer.length);
    nextLayer.length += W;
    checkState(child, depth + 1);
    if (stop) return true;
    if (seen.size >= opts.maxStates) {
      stoppedBy = 'max-states';
      stop = true;
    }
    return stop;
  };

  let layerStart = 0; // state number of the first state in `layer`
  while (!stop && layer.length > 0) {
    if (depth >= opts.maxDepth) {
      stoppedBy = 'max-depth';
      break;
    }
    const count = layer.length / W;
    const words = layer.data;
    for (let j = 0; j < count && !stop; j++) {
      const index = layerStart + j;
      layout.unpack(words, j * W, cur);
      source = index;
      const enabled = expand(curView, nextView, cur, next, onSuccessor);
      if (enabled < 0) break;
      if (enabled === 0 && opts.checkDeadlock && !deadlockFound && !(model.terminalOk?.(curView) ?? false)) {
        deadlockFound = true;
        const s = schedule(index, -1);
        violations.push({ property: 'deadlock', kind: 'deadlock', ...s });
        if (!opts.continueAfterViolation) stop = true;
      }
      expanded++;
      if ((expanded & 1023) === 0) {
        const now = performance.now();
        if (now - start >= opts.timeLimitMs) {
          stoppedBy = 'time-limit';
          stop = true;
        } else if (opts.onProgress && now - lastProgress >= opts.progressIntervalMs) {
          lastProgress = now;
          opts.onProgress({
            distinctStates: seen.size,
            generatedStates: generated,
            queue: count - j - 1 + nextLayer.length / W,
            depth,
            elapsedMs: now - start,
          });
        }
      }
    }
    if (stop) break;
    layerStart += count;
    const t = layer;
    layer = nextLayer;
    nextLayer = t;
    nextLayer.length = 0;
    if (layer.length > 0) depth++;
  }

  const durationMs = performance.now() - start;
  const queue = seen.size - expanded;
  const actions: Record<string, number> = {};
  model.actions.forEach((a, i) => {
    actions[a.name] = fired[i];
  });
  const propertyViolations = violations.filter((v) => v.kind !== 'deadlock');
  const status: Status =
    propertyViolations.length > 0 ? 'violation' : violations.length > 0 ? 'deadlock' : stoppedBy ? 'incomplete' : 'ok';
  return {
    status,
    stoppedBy,
    complete: queue === 0 && stoppedBy === null,
    properties: opts.properties,
    violations,
    distinctStates: seen.size,
    generatedStates: generated,
    diameter: depth,
    queue,
    durationMs,
    statesPerSecond: durationMs > 0 ? Math.round((seen.size / durationMs) * 1000) : seen.size,
    peakMemoryBytes: peakRss(),
    engineBytes: seen.bytes + parent.data.byteLength + via.data.byteLength + layer.data.byteLength + nextLayer.data.byteLength,
    actions,
    unfired: model.actions.filter((_, i) => fired[i] === 0).map((a) => a.name),
    collisionProbability: collisionProbability(seen.size, seen.exact),
  };
}
