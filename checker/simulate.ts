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
import type { Violation } from './bfs.js';
import { FingerprintSet, collisionProbability } from './fingerprint.js';
import type { FieldSpec, StateOf } from './layout.js';
import type { Model } from './model.js';
import { propertyNames, validateModel } from './model.js';
import type { Progress } from './options.js';
import { OptionError } from './options.js';
import { MAX_SEED, Rng, deriveSeed } from './random.js';
import { shrinkViolation } from './shrink.js';
import type { Transition } from './transitions.js';
import { transitionsOf } from './transitions.js';

/**
 * How a walk picks its next step among the enabled transitions.
 *
 *  - `uniform`: each enabled transition equally likely (or in proportion to
 *    its action's weight, when `weights` are given).
 *  - `slow-actor`: actor `actor` of role `role` is scheduled rarely: when it
 *    and others can move, it moves with probability `probability` (default
 *    0.05) and the others otherwise; when only it can move, it moves.
 *    Within each group, the choice is as `uniform`'s.
 */
export type Scheduler =
  | { readonly kind: 'uniform'; readonly weights?: Readonly<Record<string, number>> }
  | {
      readonly kind: 'slow-actor';
      readonly role: string;
      readonly actor: number;
      /** Default 0.05. */
      readonly probability?: number;
      readonly weights?: Readonly<Record<string, number>>;
    };

/** Default probability that a slow actor moves when others could. */
export const SLOW_PROBABILITY = 0.05;

export interface SimulateOptions {
  /** Random walks to run. Default 1000. */
  runs?: number;
  /** Most steps per walk. Default 100. */
  depth?: number;
  /** An unsigned 32-bit integer. Default 0. */
  seed?: number;
  /** Default `{ kind: 'uniform' }`. */
  scheduler?: Scheduler;
  /** Properties to check, by name. Default: every property of the model. */
  properties?: readonly string[];
  /** Report a walk that ends in a state the model does not accept as an end. Default true. */
  checkDeadlock?: boolean;
  /** Shrink the violation found. Default true. */
  shrink?: boolean;
  /** Number the walks from here (the walk numbered r draws from `deriveSeed(seed, r)`). Default 0. */
  firstRun?: number;
  /** Stop (status `incomplete`) after this many milliseconds. Default: no limit. */
  timeLimitMs?: number;
  /**
   * Called about once per `progressIntervalMs`, with the walk's figures in
   * the search's fields: `generatedStates` is the steps taken, `depth` the
   * walks done, `queue` the walks left.
   */
  onProgress?: (p: Progress) => void;
  /** Default 1000. */
  progressIntervalMs?: number;
}

/** Options after resolution: every field present and checked. */
export interface ResolvedSimulateOptions {
  readonly runs: number;
  readonly depth: number;
  readonly seed: number;
  readonly scheduler: Scheduler;
  readonly properties: readonly string[];
  readonly checkDeadlock: boolean;
  readonly shrink: boolean;
  readonly firstRun: number;
  readonly timeLimitMs: number;
  readonly onProgress: ((p: Progress) => void) | undefined;
  readonly progressIntervalMs: number;
}

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
  readonly status: 'ok' | 'violation' | 'deadlock' | 'incomplete';
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

const isWhole = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Resolves simulation options against a model once. Throws OptionError naming the field. */
export function resolveSimulateOptions(model: Model, o: SimulateOptions = {}): ResolvedSimulateOptions {
  const bad = (field: string, want: string, got: unknown): never => {
    throw new OptionError(`simulate: option ${field} must be ${want}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`);
  };
  const runs = o.runs ?? 1000;
  if (!isWhole(runs, 0)) bad('runs', 'a whole number of at least 0', runs);
  const depth = o.depth ?? 100;
  if (!isWhole(depth, 1)) bad('depth', 'a whole number of at least 1', depth);
  const seed = o.seed ?? 0;
  if (!isWhole(seed, 0, MAX_SEED)) bad('seed', `a whole number from 0 to ${MAX_SEED}`, seed);
  const firstRun = o.firstRun ?? 0;
  if (!isWhole(firstRun, 0)) bad('firstRun', 'a whole number of at least 0', firstRun);
  const timeLimitMs = o.timeLimitMs ?? Infinity;
  if (typeof timeLimitMs !== 'number' || Number.isNaN(timeLimitMs) || timeLimitMs < 0) bad('timeLimitMs', 'a number of at least 0', timeLimitMs);
  const all = propertyNames(model);
  const properties = o.properties === undefined ? all : [...new Set(o.properties)];
  for (const p of properties) {
    if (!all.includes(p)) throw new OptionError(`simulate: property ${p} is not a property of model ${model.name} (${all.join(', ') || 'none'})`);
  }
  const scheduler = o.scheduler ?? { kind: 'uniform' };
  const actionNames = model.actions.map((a) => a.name);
  if (scheduler.weights !== undefined) {
    for (const [name, w] of Object.entries(scheduler.weights)) {
      if (!actionNames.includes(name)) bad(`scheduler.weights.${name}`, `an action of model ${model.name} (${actionNames.join(', ')})`, name);
      if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) bad(`scheduler.weights.${name}`, 'a number above 0', w);
    }
  }
  if (scheduler.kind === 'slow-actor') {
    const n = model.roles[scheduler.role];
    if (n === undefined) bad('scheduler.role', `a role of model ${model.name} (${Object.keys(model.roles).join(', ')})`, scheduler.role);
    if (!isWhole(scheduler.actor, 0, n - 1)) bad('scheduler.actor', `a whole number from 0 to ${n - 1}`, scheduler.actor);
    const p = scheduler.probability ?? SLOW_PROBABILITY;
    if (typeof p !== 'number' || !(p > 0 && p <= 1)) bad('scheduler.probability', 'a number above 0 and at most 1', p);
  } else if (scheduler.kind !== 'uniform') {
    bad('scheduler.kind', 'uniform or slow-actor', (scheduler as { kind: unknown }).kind);
  }
  return {
    runs,
    depth,
    seed,
    scheduler,
    properties,
    checkDeadlock: o.checkDeadlock ?? true,
    shrink: o.shrink ?? true,
    firstRun,
    timeLimitMs,
    onProgress: o.onProgress,
    progressIntervalMs: o.progressIntervalMs ?? 1000,
  };
}

/**
 * Runs random walks over the model, checking the chosen properties at every
 * step; stops at the first violation and shrinks it. Deterministic: the same
 * model and options give the same result, whatever the machine.
 */
export function simulate<F extends FieldSpec>(model: Model<F>, options: SimulateOptions = {}): SimulateResult {
  const m = model as unknown as Model;
  validateModel(m);
  const o = resolveSimulateOptions(m, options);
  const start = performance.now();
  const layout = model.layout;
  const transitions = transitionsOf(m);
  const T = transitions.length;
  const guards = transitions.map((t) => model.actions[t.action].guard);
  const effects = transitions.map((t) => model.actions[t.action].effect);
  const actors = Int32Array.from(transitions, (t) => t.actor);
  const actionOf = Int32Array.from(transitions, (t) => t.action);
  const fired = new Float64Array(model.actions.length);

  // Scheduler tables: a weight per transition, and which transitions are the slow actor's.
  const sch = o.scheduler;
  const weight = Float64Array.from(transitions, (t) => sch.weights?.[t.name] ?? 1);
  const weighted = weight.some((w) => w !== 1);
  const slow = new Uint8Array(T);
  const slowP = sch.kind === 'slow-actor' ? (sch.probability ?? SLOW_PROBABILITY) : 0;
  if (sch.kind === 'slow-actor') transitions.forEach((t, i) => (slow[i] = t.role === sch.role && t.actor === sch.actor ? 1 : 0));

  const chosen = new Set(o.properties);
  // Properties still checked; one drops out when it is first violated.
  let invariants = model.invariants.filter((p) => chosen.has(p.name));
  let stepInvariants = model.stepInvariants.filter((p) => chosen.has(p.name));
  let deadlockOpen = o.checkDeadlock;

  let cur = layout.vector();
  let next = layout.vector();
  let curView = layout.view(cur) as StateOf<F>;
  let nextView = layout.view(next) as StateOf<F>;
  const scratch = new Uint32Array(layout.words);
  const seen = new FingerprintSet(layout.words, 1 << 12);
  const enabled = new Int32Array(T);
  const fast = new Int32Array(T); // enabled transitions of the other actors (slow-actor scheduler)
  const slowOnes = new Int32Array(T);
  const path = new Int32Array(o.depth);

  // Picks among `list[0 .. n)` uniformly or by weight.
  const pickFrom = (rng: Rng, list: Int32Array, n: number): number => {
    if (!weighted) return list[rng.below(n)];
    let total = 0;
    for (let i = 0; i < n; i++) total += weight[list[i]];
    let x = rng.float() * total;
    for (let i = 0; i < n - 1; i++) {
      x -= weight[list[i]];
      if (x < 0) return list[i];
    }
    return list[n - 1];
  };

  let steps = 0;
  let runs = 0;
  let terminalRuns = 0;
  let longestRun = 0;
  let stoppedBy: SimulateResult['stoppedBy'] = null;
  let lastProgress = start;
  interface Found {
    property: string;
    kind: Violation['kind'];
    run: number;
    runSeed: number;
    initial: number;
    walk: Transition[];
  }
  const found: Found[] = [];
  // Open checks: the simulation stops once every one has a violation (never when none was asked for).
  let open = invariants.length + stepInvariants.length + (deadlockOpen ? 1 : 0);
  if (open === 0) open = Infinity;
  let run = 0;
  let runSeed = 0;
  let initial = 0;
  let len = 0;
  const note = (property: string, kind: Violation['kind']): void => {
    found.push({ property, kind, run, runSeed, initial, walk: Array.from(path.subarray(0, len), (t) => transitions[t]) });
    open--;
  };
  // Checks a newly seen state (in `nextView`) against the invariants still open.
  const checkNew = (): void => {
    let broken = false;
    for (let p = 0; p < invariants.length; p++) {
      if (!invariants[p].holds(nextView)) {
        note(invariants[p].name, 'invariant');
        broken = true;
      }
    }
    if (broken) invariants = invariants.filter((p) => !found.some((f) => f.property === p.name));
  };

  for (let r = 0; r < o.runs && open > 0 && !stoppedBy; r++) {
    run = o.firstRun + r;
    runSeed = deriveSeed(o.seed, run);
    const rng = new Rng(runSeed);
    initial = model.init.length === 1 ? 0 : rng.below(model.init.length);
    runs++;
    len = 0;
    layout.fromPlain(model.init[initial], next);
    layout.pack(next, scratch, 0);
    if (seen.add(scratch, 0)) checkNew();
    cur.set(next);
    while (len < o.depth && open > 0) {
      let n = 0;
      for (let t = 0; t < T; t++) if (guards[t](curView, actors[t])) enabled[n++] = t;
      if (n === 0) {
        if (model.terminalOk?.(curView) ?? false) terminalRuns++;
        else if (deadlockOpen) {
          note('deadlock', 'deadlock');
          deadlockOpen = false;
        }
        break;
      }
      let t: number;
      if (slowP > 0) {
        let nf = 0;
        let ns = 0;
        for (let i = 0; i < n; i++) {
          if (slow[enabled[i]]) slowOnes[ns++] = enabled[i];
          else fast[nf++] = enabled[i];
        }
        if (ns === 0) t = pickFrom(rng, fast, nf);
        else if (nf === 0) t = pickFrom(rng, slowOnes, ns);
        else t = rng.float() < slowP ? pickFrom(rng, slowOnes, ns) : pickFrom(rng, fast, nf);
      } else {
        t = pickFrom(rng, enabled, n);
      }
      next.set(cur);
      effects[t](nextView, actors[t]);
      path[len++] = t;
      steps++;
      fired[actionOf[t]]++;
      if (stepInvariants.length > 0) {
        let broken = false;
        for (let p = 0; p < stepInvariants.length; p++) {
          if (!stepInvariants[p].holds(curView, nextView)) {
            note(stepInvariants[p].name, 'step');
            broken = true;
          }
        }
        if (broken) stepInvariants = stepInvariants.filter((p) => !found.some((f) => f.property === p.name));
      }
      layout.pack(next, scratch, 0);
      if (seen.add(scratch, 0)) checkNew();
      const tv = cur;
      cur = next;
      next = tv;
      const tw = curView;
      curView = nextView;
      nextView = tw;
      if ((steps & 1023) === 0) {
        const now = performance.now();
        if (now - start >= o.timeLimitMs) {
          stoppedBy = 'time-limit';
          break;
        }
        if (o.onProgress && now - lastProgress >= o.progressIntervalMs) {
          lastProgress = now;
          o.onProgress({ distinctStates: seen.size, generatedStates: steps, queue: o.runs - runs, depth: runs, elapsedMs: now - start });
        }
      }
    }
    if (len > longestRun) longestRun = len;
  }

  const violations: SimulationViolation[] = found.map((f) => {
    const v: Violation = { property: f.property, kind: f.kind, initial: f.initial, schedule: f.walk };
    const shrunk = o.shrink ? shrinkViolation(model, v) : { ...v, tests: 0 };
    return { ...v, schedule: shrunk.schedule, found: f.walk, run: f.run, runSeed: f.runSeed, shrinkTests: shrunk.tests };
  });
  const actions: Record<string, number> = {};
  model.actions.forEach((a, i) => {
    actions[a.name] = fired[i];
  });
  const propertyViolations = violations.filter((v) => v.kind !== 'deadlock');
  return {
    status: propertyViolations.length > 0 ? 'violation' : violations.length > 0 ? 'deadlock' : stoppedBy ? 'incomplete' : 'ok',
    stoppedBy,
    seed: o.seed,
    scheduler: o.scheduler,
    depth: o.depth,
    properties: o.properties,
    runs,
    steps,
    distinctStates: seen.size,
    terminalRuns,
    longestRun,
    actions,
    unfired: model.actions.filter((_, i) => fired[i] === 0).map((a) => a.name),
    violations,
    durationMs: performance.now() - start,
    collisionProbability: collisionProbability(seen.size, seen.exact),
  };
}

/** One shard of a swarm: its number (1-based), how many there are, and the options it runs with. */
export interface SwarmShard {
  readonly shard: number;
  readonly of: number;
  readonly options: SimulateOptions & { runs: number; depth: number; seed: number; scheduler: Scheduler; firstRun: number };
}

const DEPTH_FACTORS = [1, 2, 0.5];
const SLOW_PROBABILITIES = [0.02, 0.05, 0.1, 0.2];
const WEIGHTS = [0.25, 1, 4];

/**
 * Shard `shard` (1-based) of `of` for a swarm: `of` machines split one
 * simulation job. The runs are divided among the shards (shard k runs walks
 * numbered after the earlier shards', so no walk is repeated). Shard 1 runs
 * exactly the options given, so `1/1` equals an unsharded run. Every other
 * shard diversifies its search, as swarm testing does, from a seed derived
 * from (seed, shard):
 *  - depth: the bound times 1, 2 or 1/2 (by shard number);
 *  - scheduler `uniform`: each action gets a weight of 1/4, 1 or 4;
 *  - scheduler `slow-actor`: a seeded choice of slow actor within the role,
 *    and a probability of 0.02, 0.05, 0.1 or 0.2.
 * The shard's options say exactly what it ran.
 */
export function swarmShard(model: Model, options: SimulateOptions, shard: number, of: number): SwarmShard {
  if (!isWhole(of, 1)) throw new OptionError(`swarm: the number of shards must be a whole number of at least 1, got ${of}`);
  if (!isWhole(shard, 1, of)) throw new OptionError(`swarm: shard must be a whole number from 1 to ${of}, got ${shard}`);
  const o = resolveSimulateOptions(model, options);
  const k = shard - 1;
  const runs = Math.floor(o.runs / of) + (k < o.runs % of ? 1 : 0);
  const firstRun = o.firstRun + k * Math.floor(o.runs / of) + Math.min(k, o.runs % of);
  if (shard === 1) return { shard, of, options: { ...options, runs, depth: o.depth, seed: o.seed, scheduler: o.scheduler, firstRun } };
  const seed = deriveSeed(o.seed, 0x5a4d, shard);
  const rng = new Rng(seed);
  const depth = Math.max(1, Math.round(o.depth * DEPTH_FACTORS[k % DEPTH_FACTORS.length]));
  const weights: Record<string, number> = {};
  for (const a of model.actions) weights[a.name] = WEIGHTS[rng.below(WEIGHTS.length)];
  const base = o.scheduler;
  const scheduler: Scheduler =
    base.kind === 'slow-actor'
      ? { kind: 'slow-actor', role: base.role, actor: rng.below(model.roles[base.role]), probability: SLOW_PROBABILITIES[rng.below(SLOW_PROBABILITIES.length)] }
      : { kind: 'uniform', weights };
  return { shard, of, options: { ...options, runs, depth, seed, scheduler, firstRun } };
}
