/**
 * Options of a random simulation (simulate.ts) and their resolution: the
 * schedulers a walk can follow, and one fully-checked options object.
 */
import { propertyList } from '../model/kernel.js';
import type { Model } from '../model/model.js';
import type { Progress } from '../explore/options.js';
import { MAX_SEED } from './random.js';
import { badOption, limitOption, wholeOption } from '../model/validate.js';

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

/** Resolves simulation options against a model once. Throws OptionError naming the field. */
export function resolveSimulateOptions(model: Model, o: SimulateOptions = {}): ResolvedSimulateOptions {
  const who = 'simulate';
  const bad = (field: string, want: string, got: unknown): never => badOption(who, field, want, got);
  const runs = wholeOption(who, 'runs', o.runs ?? 1000, 0);
  const depth = wholeOption(who, 'depth', o.depth ?? 100, 1);
  const seed = wholeOption(who, 'seed', o.seed ?? 0, 0, MAX_SEED);
  const firstRun = wholeOption(who, 'firstRun', o.firstRun ?? 0, 0);
  const timeLimitMs = limitOption(who, 'timeLimitMs', o.timeLimitMs, 0, true);
  const properties = propertyList(who, model, o.properties);
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
    wholeOption(who, 'scheduler.actor', scheduler.actor, 0, n - 1);
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
