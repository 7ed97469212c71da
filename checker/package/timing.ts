/**
 * Timing profiles: how long each action of a model takes, or how long its
 * actor waits before it, as a distribution in milliseconds (the file format
 * is docs/risk.md's; `--timing FILE`). A package may ship a default profile
 * (`ModelPackage.timing`); the timed simulation (checker/risk/) draws every
 * delay from one.
 *
 * A profile names actions by the model's transition names. Optionally, one
 * actor is slowed down (`slow`: an extra delay before some of its actions,
 * the postmortem's "unusually high delays"), and an action may back off
 * exponentially (`backoff`: `baseMs * 2^field[actor]` added to its drawn
 * delay, `field` a per-actor array of the state, such as a failure count).
 *
 * Sampling takes any source of uniform floats in [0, 1) (the engine's
 * seeded Rng, checker/random/random.ts), so that a run is a function of its seed.
 */
import { OptionError } from '../model/validate.js';

/** A distribution of delays, in milliseconds. */
export type Dist =
  | { readonly dist: 'fixed'; readonly ms: number }
  | { readonly dist: 'uniform'; readonly min: number; readonly max: number }
  | { readonly dist: 'exponential'; readonly mean: number }
  /** ln(X) ~ N(ln(median), sigma^2). */
  | { readonly dist: 'lognormal'; readonly median: number; readonly sigma: number }
  /** Drawn uniformly from the samples. */
  | { readonly dist: 'empirical'; readonly samples: readonly number[] };

/** One slowed actor: an extra delay before each of the named actions it takes. */
export interface SlowActor {
  readonly role: string;
  readonly actor: number;
  readonly actions: readonly string[];
  readonly extra: Dist;
}

/** Exponential backoff of one action: `baseMs * 2^state[field][actor]` added to the drawn delay. */
export interface Backoff {
  readonly baseMs: number;
  readonly field: string;
}

export interface TimingProfile {
  readonly format: 'dnsmc-timing-profile';
  readonly version: 1;
  /** The package the profile is meant for. */
  readonly model: string;
  readonly unit: 'ms';
  /** By action name: how long the actor takes for, or waits before, the action. */
  readonly actions: Readonly<Record<string, Dist>>;
  readonly slow?: SlowActor;
  /** Optional (an addition to the shared format): by action name, its exponential backoff. */
  readonly backoff?: Readonly<Record<string, Backoff>>;
  /** Where the figures come from. */
  readonly source?: string;
}

/** A source of uniform floats in [0, 1): the engine's Rng. */
export interface Uniform {
  float(): number;
}

/** One delay drawn from `d` (milliseconds, never negative). */
export function sample(d: Dist, u: Uniform): number {
  switch (d.dist) {
    case 'fixed':
      return d.ms;
    case 'uniform':
      return d.min + (d.max - d.min) * u.float();
    case 'exponential':
      return -d.mean * Math.log(1 - u.float());
    case 'lognormal': {
      // Box-Muller: one standard normal from two uniforms (1 - u keeps the logarithm finite).
      const z = Math.sqrt(-2 * Math.log(1 - u.float())) * Math.cos(2 * Math.PI * u.float());
      return d.median * Math.exp(d.sigma * z);
    }
    case 'empirical':
      return d.samples[Math.floor(u.float() * d.samples.length)];
  }
}

/** The mean of a distribution (ms). */
export function meanOf(d: Dist): number {
  switch (d.dist) {
    case 'fixed':
      return d.ms;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'exponential':
      return d.mean;
    case 'lognormal':
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
    case 'empirical':
      return d.samples.reduce((a, b) => a + b, 0) / d.samples.length;
  }
}

/** A distribution as a short phrase: `uniform 7.5..22.5 ms`. */
export function describeDist(d: Dist): string {
  switch (d.dist) {
    case 'fixed':
      return `${d.ms} ms`;
    case 'uniform':
      return `uniform ${d.min}..${d.max} ms`;
    case 'exponential':
      return `exponential, mean ${d.mean} ms`;
    case 'lognormal':
      return `lognormal, median ${d.median} ms, sigma ${d.sigma}`;
    case 'empirical':
      return `empirical, ${d.samples.length} samples, mean ${+meanOf(d).toFixed(3)} ms`;
  }
}

/** What a profile is checked against: the model's name, action names, roles and per-actor array fields. */
export interface TimingTarget {
  readonly model: string;
  readonly actions: readonly string[];
  readonly roles: Readonly<Record<string, number>>;
  /** Fields a backoff may name (per-actor arrays of the state). */
  readonly fields?: readonly string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates profiles: every error is one line naming the field (`where: field ...`). */
class Checker {
  constructor(private readonly where: string) {}

  fail(field: string, what: string): never {
    throw new OptionError(`${this.where}: ${field} ${what}`);
  }

  obj(v: unknown, field: string): Obj {
    if (!isObj(v)) this.fail(field, 'must be an object');
    return v;
  }

  keys(o: Obj, field: string, allowed: readonly string[], required: readonly string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(field ? `${field}.${k}` : k, `is not a known key (${allowed.join(', ')})`);
    for (const k of required) if (!(k in o)) this.fail(field ? `${field}.${k}` : k, 'is missing');
  }

  num(v: unknown, field: string, positive: boolean): number {
    const ok = typeof v === 'number' && Number.isFinite(v) && (positive ? v > 0 : v >= 0);
    if (!ok) this.fail(field, `must be a ${positive ? 'positive' : 'non-negative'} number`);
    return v;
  }

  dist(v: unknown, field: string): Dist {
    const o = this.obj(v, field);
    const kinds = ['fixed', 'uniform', 'exponential', 'lognormal', 'empirical'];
    if (typeof o.dist !== 'string' || !kinds.includes(o.dist)) this.fail(`${field}.dist`, `must be one of ${kinds.join('|')}`);
    switch (o.dist) {
      case 'fixed':
        this.keys(o, field, ['dist', 'ms'], ['ms']);
        return { dist: 'fixed', ms: this.num(o.ms, `${field}.ms`, false) };
      case 'uniform': {
        this.keys(o, field, ['dist', 'min', 'max'], ['min', 'max']);
        const min = this.num(o.min, `${field}.min`, false);
        const max = this.num(o.max, `${field}.max`, false);
        if (max < min) this.fail(`${field}.max`, `must be at least min (${min})`);
        return { dist: 'uniform', min, max };
      }
      case 'exponential':
        this.keys(o, field, ['dist', 'mean'], ['mean']);
        return { dist: 'exponential', mean: this.num(o.mean, `${field}.mean`, true) };
      case 'lognormal':
        this.keys(o, field, ['dist', 'median', 'sigma'], ['median', 'sigma']);
        return { dist: 'lognormal', median: this.num(o.median, `${field}.median`, true), sigma: this.num(o.sigma, `${field}.sigma`, false) };
      default: {
        this.keys(o, field, ['dist', 'samples'], ['samples']);
        if (!Array.isArray(o.samples) || o.samples.length === 0) this.fail(`${field}.samples`, 'must be a list of at least one number');
        return { dist: 'empirical', samples: o.samples.map((x, i) => this.num(x, `${field}.samples[${i}]`, false)) };
      }
    }
  }
}

/**
 * A timing profile from parsed JSON, checked against the model it is for.
 * Throws OptionError (one line naming the field; `where` names the file)
 * for unknown keys, unknown action names, bad numbers.
 */
export function parseTimingProfile(json: unknown, where: string, target: TimingTarget): TimingProfile {
  const c: Checker = new Checker(where);
  const o = c.obj(json, 'the profile');
  c.keys(o, '', ['format', 'version', 'model', 'unit', 'actions', 'slow', 'backoff', 'source'], ['format', 'version', 'model', 'unit', 'actions']);
  if (o.format !== 'dnsmc-timing-profile') c.fail('format', 'must be "dnsmc-timing-profile"');
  if (o.version !== 1) c.fail('version', 'must be 1');
  if (o.model !== target.model) c.fail('model', `must be "${target.model}" (the model it is used with), got ${JSON.stringify(o.model)}`);
  if (o.unit !== 'ms') c.fail('unit', 'must be "ms"');
  if (o.source !== undefined && typeof o.source !== 'string') c.fail('source', 'must be a string');
  const names = target.actions;
  const actionName = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || !names.includes(v)) c.fail(field, `must be an action of model ${target.model} (${names.join(', ')})`);
    return v;
  };
  const acts = c.obj(o.actions, 'actions');
  const actions: Record<string, Dist> = {};
  for (const [k, v] of Object.entries(acts)) {
    actionName(k, `actions.${k}`);
    actions[k] = c.dist(v, `actions.${k}`);
  }
  for (const a of names) if (!(a in actions)) c.fail(`actions.${a}`, 'is missing (every action needs a distribution)');
  let slow: SlowActor | undefined;
  if (o.slow !== undefined) {
    const s = c.obj(o.slow, 'slow');
    c.keys(s, 'slow', ['role', 'actor', 'actions', 'extra'], ['role', 'actor', 'actions', 'extra']);
    const roles = Object.keys(target.roles);
    if (typeof s.role !== 'string' || !roles.includes(s.role)) c.fail('slow.role', `must be a role of model ${target.model} (${roles.join(', ')})`);
    const role = s.role;
    const n = target.roles[role];
    if (typeof s.actor !== 'number' || !Number.isInteger(s.actor) || s.actor < 0 || s.actor >= n)
      c.fail('slow.actor', `must be an actor of role ${role} (0 to ${n - 1})`);
    if (!Array.isArray(s.actions)) c.fail('slow.actions', 'must be a list of action names');
    const list = s.actions.map((a, i) => actionName(a, `slow.actions[${i}]`));
    slow = { role, actor: s.actor, actions: list, extra: c.dist(s.extra, 'slow.extra') };
  }
  let backoff: Record<string, Backoff> | undefined;
  if (o.backoff !== undefined) {
    backoff = {};
    for (const [k, v] of Object.entries(c.obj(o.backoff, 'backoff'))) {
      actionName(k, `backoff.${k}`);
      const b = c.obj(v, `backoff.${k}`);
      c.keys(b, `backoff.${k}`, ['baseMs', 'field'], ['baseMs', 'field']);
      const fields = target.fields ?? [];
      if (typeof b.field !== 'string' || !fields.includes(b.field))
        c.fail(`backoff.${k}.field`, `must be a per-actor field of the state (${fields.join(', ') || 'none'})`);
      backoff[k] = { baseMs: c.num(b.baseMs, `backoff.${k}.baseMs`, false), field: b.field };
    }
  }
  return {
    format: 'dnsmc-timing-profile',
    version: 1,
    model: target.model,
    unit: 'ms',
    actions,
    ...(slow ? { slow } : {}),
    ...(backoff ? { backoff } : {}),
    ...(typeof o.source === 'string' ? { source: o.source } : {}),
  };
}

/** Parses a profile's text (JSON); bad JSON is one line too. */
export function parseTimingText(text: string, where: string, target: TimingTarget): TimingProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new OptionError(`${where}: not JSON (${(e as Error).message})`);
  }
  return parseTimingProfile(json, where, target);
}

/** The profile with its slow actor's extra delay set to a fixed `ms` (the package's slow actor; an error when it declares none). */
export function withSlowDelay(p: TimingProfile, ms: number): TimingProfile {
  if (!p.slow) throw new OptionError(`the timing profile for ${p.model} names no slow actor, so its delay cannot be set`);
  return { ...p, slow: { ...p.slow, extra: { dist: 'fixed', ms } } };
}
