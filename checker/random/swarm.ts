/**
 * Swarm simulation: one simulation job split into shards for several
 * machines (a CI matrix), each shard diversifying its search as swarm
 * testing does. `dnsmc merge` combines the shards' reports.
 */
import type { Model } from '../model/model.js';
import { Rng, deriveSeed } from './random.js';
import { resolveSimulateOptions, type Scheduler, type SimulateOptions } from './simulate-options.js';
import { OptionError } from '../model/validate.js';

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
  if (!Number.isInteger(of) || of < 1) throw new OptionError(`swarm: the number of shards must be a whole number of at least 1, got ${of}`);
  if (!Number.isInteger(shard) || shard < 1 || shard > of) throw new OptionError(`swarm: shard must be a whole number from 1 to ${of}, got ${shard}`);
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
