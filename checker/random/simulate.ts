/**
 * Random simulation: many random walks from the initial states, each up to a
 * depth bound, checking the chosen properties at every step, as TLC's
 * simulation mode and Quint's simulator do. For configurations too big for
 * an exhaustive search.
 *
 *  - A walk starts from an initial state (chosen at random when the model has
 *    several) and at each step asks the scheduler for one of the enabled
 *    transitions. It ends at the depth bound, or at a state with no enabled
 *    transition (a deadlock unless the model accepts it as an end).
 *  - Every step is checked against the step invariants; every state reached
 *    is checked against the state invariants the first time it is seen (the
 *    invariants are functions of the state, so a state seen again gives the
 *    same answer).
 *  - Distinct states are counted with a FingerprintSet over the layout's
 *    packed words (exact up to 64 bits of state; hashed beyond).
 *  - The walk for run `r` draws from a generator seeded with
 *    `deriveSeed(seed, r)`: the whole simulation is a function of the seed.
 *  - A violation is recorded once per property (the first walk to break it),
 *    and that property is checked no further; the walks go on checking the
 *    others. The simulation stops when every checked property (and deadlock,
 *    when checked) has a violation, or after the last walk. Each violation is
 *    then shrunk (see shrink.ts).
 *
 * Like the breadth-first search, the step loop allocates nothing per step.
 */
import type { Violation } from '../explore/bfs.js';
import { FingerprintSet, collisionProbability } from '../state/fingerprint.js';
import { diagnose } from '../explore/diagnose.js';
import { brokenInvariant, brokenStep, kernelOf, selectProperties, statusOf, type Kernel, type Status } from '../model/kernel.js';
import type { FieldSpec, StateOf } from '../state/layout.js';
import type { Invariant, Model, StepInvariant } from '../model/model.js';
import { validateModel } from '../model/model.js';
import { Rng, deriveSeed } from './random.js';
import { shrinkViolation } from './shrink.js';
import { resolveSimulateOptions, SLOW_PROBABILITY, type ResolvedSimulateOptions, type Scheduler, type SimulateOptions } from './simulate-options.js';
import type { Transition } from '../model/transitions.js';

export { resolveSimulateOptions, SLOW_PROBABILITY, type ResolvedSimulateOptions, type Scheduler, type SimulateOptions } from './simulate-options.js';
export { swarmShard, type SwarmShard } from './swarm.js';

/** A violation a simulation found, shrunk. */
export interface SimulationViolation extends Violation {
  /** The shrunk schedule (what `schedule` holds), so that `traceOf(model, v)` gives the minimal trace. */
  readonly schedule: readonly Transition[];
  /** The walk's schedule as found, up to the violation. */
  readonly found: readonly Transition[];
  /** The number of the walk that found it. */
  readonly run: number;
  /** The seed that walk drew from. */
  readonly runSeed: number;
  /** Candidate schedules tried while shrinking (0 when not shrunk). */
  readonly shrinkTests: number;
}

export interface SimulateResult {
  readonly status: Status;
  readonly stoppedBy: 'time-limit' | null;
  readonly seed: number;
  readonly scheduler: Scheduler;
  readonly depth: number;
  readonly properties: readonly string[];
  /** Walks run (the violating walk included). */
  readonly runs: number;
  /** Steps taken over all walks. */
  readonly steps: number;
  /** Distinct states seen over all walks, initial states included. */
  readonly distinctStates: number;
  /** Walks that ended in a state with no enabled transition that the model accepts as an end. */
  readonly terminalRuns: number;
  /** Longest walk, in steps. */
  readonly longestRun: number;
  /** How often each action fired, by name, in the model's order. */
  readonly actions: Readonly<Record<string, number>>;
  readonly unfired: readonly string[];
  /** The first violation of each property, in the order found, each shrunk. */
  readonly violations: readonly SimulationViolation[];
  readonly durationMs: number;
  readonly collisionProbability: number;
}

/** How a walk picks its next step among the enabled transitions: the scheduler's tables. */
class Picker {
  private readonly weight: Float64Array;
  private readonly weighted: boolean;
  /** 1 for the slow actor's transitions (`slow-actor`). */
  private readonly slow: Uint8Array;
  private readonly slowP: number;
  private readonly fast: Int32Array;
  private readonly slowOnes: Int32Array;

  constructor(transitions: readonly Transition[], sch: Scheduler) {
    const T = transitions.length;
    this.weight = Float64Array.from(transitions, (t) => sch.weights?.[t.name] ?? 1);
    this.weighted = this.weight.some((w) => w !== 1);
    this.slow = new Uint8Array(T);
    this.slowP = sch.kind === 'slow-actor' ? (sch.probability ?? SLOW_PROBABILITY) : 0;
    if (sch.kind === 'slow-actor') {
      transitions.forEach((t, i) => {
        this.slow[i] = t.role === sch.role && t.actor === sch.actor ? 1 : 0;
      });
    }
    this.fast = new Int32Array(T);
    this.slowOnes = new Int32Array(T);
  }

  /** Picks among `list[0 .. n)` uniformly or by weight. */
  private among(rng: Rng, list: Int32Array, n: number): number {
    if (!this.weighted) return list[rng.below(n)];
    const weight = this.weight;
    let total = 0;
    for (let i = 0; i < n; i++) total += weight[list[i]];
    let x = rng.float() * total;
    for (let i = 0; i < n - 1; i++) {
      x -= weight[list[i]];
      if (x < 0) return list[i];
    }
    return list[n - 1];
  }

  /** The next transition among the `n` enabled ones in `enabled`. */
  pick(rng: Rng, enabled: Int32Array, n: number): number {
    if (this.slowP === 0) return this.among(rng, enabled, n);
    const { fast, slowOnes, slow } = this;
    let nf = 0;
    let ns = 0;
    for (let i = 0; i < n; i++) {
      if (slow[enabled[i]]) slowOnes[ns++] = enabled[i];
      else fast[nf++] = enabled[i];
    }
    if (ns === 0) return this.among(rng, fast, nf);
    if (nf === 0) return this.among(rng, slowOnes, ns);
    return rng.float() < this.slowP ? this.among(rng, slowOnes, ns) : this.among(rng, fast, nf);
  }
}

/** A violation as a walk found it, before shrinking. */
interface Found {
  readonly property: string;
  readonly kind: Violation['kind'];
  readonly run: number;
  readonly runSeed: number;
  readonly initial: number;
  readonly walk: Transition[];
}

/** The walks of one simulation: the kernel, scratch states, what was seen and found. Nothing is allocated per step. */
class Walks<F extends FieldSpec> {
  private readonly kernel: Kernel<F>;
  readonly fired: Float64Array;
  readonly seen: FingerprintSet;
  readonly found: Found[] = [];
  /** Properties still checked; one drops out when it is first violated. */
  private invariants: readonly Invariant<StateOf<F>>[];
  private stepInvariants: readonly StepInvariant<StateOf<F>>[];
  private deadlockOpen: boolean;
  /** Checks still open: the simulation stops once every one has a violation (never when none was asked for). */
  open: number;
  private cur: Int32Array;
  private next: Int32Array;
  /** Read views over `cur` and `next` (guards and properties, see Layout.readView); `nextWrites` over `next` is the one effects write through. */
  private curView: StateOf<F>;
  private nextView: StateOf<F>;
  private curWrites: StateOf<F>;
  private nextWrites: StateOf<F>;
  private readonly scratch: Uint32Array;
  private readonly enabled: Int32Array;
  private readonly path: Int32Array;
  private readonly picker: Picker;
  steps = 0;
  runs = 0;
  terminalRuns = 0;
  longestRun = 0;
  stoppedBy: SimulateResult['stoppedBy'] = null;
  private lastProgress: number;
  // The walk under way.
  private run = 0;
  private runSeed = 0;
  private initial = 0;
  private len = 0;

  constructor(
    private readonly model: Model<F>,
    private readonly o: ResolvedSimulateOptions,
    private readonly start: number,
  ) {
    const layout = model.layout;
    this.kernel = kernelOf(model);
    this.fired = new Float64Array(model.actions.length);
    const props = selectProperties('simulate', model, o.properties);
    this.invariants = props.invariants;
    this.stepInvariants = props.stepInvariants;
    this.deadlockOpen = o.checkDeadlock;
    this.open = this.invariants.length + this.stepInvariants.length + (this.deadlockOpen ? 1 : 0);
    if (this.open === 0) this.open = Infinity;
    this.cur = layout.vector();
    this.next = layout.vector();
    this.curView = layout.readView(this.cur);
    this.nextView = layout.readView(this.next);
    this.curWrites = layout.view(this.cur);
    this.nextWrites = layout.view(this.next);
    this.scratch = new Uint32Array(layout.words);
    this.seen = new FingerprintSet(layout.words, 1 << 12);
    this.enabled = new Int32Array(this.kernel.size);
    this.path = new Int32Array(o.depth);
    this.picker = new Picker(this.kernel.transitions, o.scheduler);
    this.lastProgress = start;
  }

  private note(property: string, kind: Violation['kind']): void {
    const walk = Array.from(this.path.subarray(0, this.len), (t) => this.kernel.transitions[t]);
    this.found.push({ property, kind, run: this.run, runSeed: this.runSeed, initial: this.initial, walk });
    this.open--;
  }

  /** Checks a newly seen state (in `nextView`) against the invariants still open; drops those it breaks. */
  private checkNew(): void {
    for (let p = brokenInvariant(this.invariants, this.nextView); p >= 0; p = brokenInvariant(this.invariants, this.nextView)) {
      this.note(this.invariants[p].name, 'invariant');
      this.invariants = this.invariants.filter((_, i) => i !== p);
    }
  }

  /** Checks the step `curView -> nextView` against the step invariants still open; drops those it breaks. */
  private checkStep(): void {
    for (let p = brokenStep(this.stepInvariants, this.curView, this.nextView); p >= 0; p = brokenStep(this.stepInvariants, this.curView, this.nextView)) {
      this.note(this.stepInvariants[p].name, 'step');
      this.stepInvariants = this.stepInvariants.filter((_, i) => i !== p);
    }
  }

  /** Counts the state in `next` as seen, checking it when it is new. */
  private see(): void {
    this.model.layout.pack(this.next, this.scratch, 0);
    if (this.seen.add(this.scratch, 0)) this.checkNew();
  }

  /** Runs walk number `run` (its seed derived from the simulation's). */
  walk(run: number): void {
    const { model, kernel, o } = this;
    this.run = run;
    this.runSeed = deriveSeed(o.seed, run);
    const rng = new Rng(this.runSeed);
    this.initial = model.init.length === 1 ? 0 : rng.below(model.init.length);
    this.runs++;
    this.len = 0;
    model.layout.fromPlain(model.init[this.initial], this.next);
    this.see();
    this.cur.set(this.next);
    while (this.len < o.depth && this.open > 0) {
      try {
        const n = kernel.enabledList(this.curView, this.enabled);
        if (n === 0) {
          // The deadlock predicate, with the enabled count at hand.
          if (kernel.terminalOk(this.curView)) this.terminalRuns++;
          else if (this.deadlockOpen) {
            this.note('deadlock', 'deadlock');
            this.deadlockOpen = false;
          }
          break;
        }
        const t = this.picker.pick(rng, this.enabled, n);
        kernel.step(this.cur, this.next, this.nextWrites, t);
        this.path[this.len++] = t;
        this.steps++;
        this.fired[kernel.actionOf[t]]++;
        if (this.stepInvariants.length > 0) this.checkStep();
        this.see();
      } catch (e) {
        // A model that throws or writes what its layout cannot hold: named, with the state it was in.
        throw diagnose(kernel, this.cur, e);
      }
      this.swap();
      if ((this.steps & 1023) === 0 && this.tick()) break;
    }
    if (this.len > this.longestRun) this.longestRun = this.len;
  }

  /** The successor becomes the current state. */
  private swap(): void {
    const tv = this.cur;
    this.cur = this.next;
    this.next = tv;
    const tw = this.curView;
    this.curView = this.nextView;
    this.nextView = tw;
    const ww = this.curWrites;
    this.curWrites = this.nextWrites;
    this.nextWrites = ww;
  }

  /** Every thousand steps: the time limit and progress. True when the simulation must stop. */
  private tick(): boolean {
    const o = this.o;
    const now = performance.now();
    if (now - this.start >= o.timeLimitMs) {
      this.stoppedBy = 'time-limit';
      return true;
    }
    if (o.onProgress && now - this.lastProgress >= o.progressIntervalMs) {
      this.lastProgress = now;
      o.onProgress({ distinctStates: this.seen.size, generatedStates: this.steps, queue: o.runs - this.runs, depth: this.runs, elapsedMs: now - this.start });
    }
    return false;
  }
}

/**
 * Runs random walks over the model, checking the chosen properties at every
 * step; stops at the first violation and shrinks it. Deterministic: the same
 * model and options give the same result, whatever the machine.
 */
export function simulate<F extends FieldSpec>(model: Model<F>, options: SimulateOptions = {}): SimulateResult {
  const m: Model = model;
  validateModel(m);
  const o = resolveSimulateOptions(m, options);
  const start = performance.now();
  const w = new Walks(model, o, start);
  for (let r = 0; r < o.runs && w.open > 0 && !w.stoppedBy; r++) w.walk(o.firstRun + r);
  const violations: SimulationViolation[] = w.found.map((f) => {
    const v: Violation = { property: f.property, kind: f.kind, initial: f.initial, schedule: f.walk };
    const shrunk = o.shrink ? shrinkViolation(model, v) : { ...v, tests: 0 };
    return { ...v, schedule: shrunk.schedule, found: f.walk, run: f.run, runSeed: f.runSeed, shrinkTests: shrunk.tests };
  });
  const actions: Record<string, number> = {};
  model.actions.forEach((a, i) => {
    actions[a.name] = w.fired[i];
  });
  return {
    status: statusOf(violations, w.stoppedBy !== null),
    stoppedBy: w.stoppedBy,
    seed: o.seed,
    scheduler: o.scheduler,
    depth: o.depth,
    properties: o.properties,
    runs: w.runs,
    steps: w.steps,
    distinctStates: w.seen.size,
    terminalRuns: w.terminalRuns,
    longestRun: w.longestRun,
    actions,
    unfired: model.actions.filter((_, i) => w.fired[i] === 0).map((a) => a.name),
    violations,
    durationMs: performance.now() - start,
    collisionProbability: collisionProbability(w.seen.size, w.seen.exact),
  };
}
