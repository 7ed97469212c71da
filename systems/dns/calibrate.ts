/**
 * The dns system's calibration (`SystemAdapter.calibrate`): a timing profile
 * (the shared format, `--timing FILE`) derived from the event logs of storms
 * (`dnsmc storm --out DIR`, systems/dns/storm.ts), so that the timed
 * simulation draws what the private BIND 9 and the reference implementation
 * measured. Pure: the same logs give the same profile.
 *
 * Each action's samples are the milliseconds its actor spent before it, read
 * from the timestamps of one run's logs (one clock for every process):
 *
 *  - publishPlan: the gap since the planner's previous publish (the planner's
 *    interval and the write); a run's first publish has no previous one and gives none.
 *  - pickPlan: the gap since the enactor could pick, as the model's guard
 *    says: idle (the start of the run, or its step that left it idle) and
 *    some endpoint's alias behind the latest plan (the planner's publishes
 *    and every enactor's flips, merged by time, say when). Its polling and
 *    the freshness read. A step is stamped when its transaction has ended,
 *    so an enactor may read a flip's effect before the flip's stamp: a pick
 *    before any endpoint is behind, by the stamps, picked at once (0 ms).
 *  - acquireLock, buildTree, flipAlias: the gap since the enactor's previous
 *    step: its DNS transactions on the server (and, for acquireLock, a slowed
 *    enactor's delay: calibrate from storms without `--slow-enactor`).
 *  - retryLock: the gap since the failed lock attempt, less the backoff the
 *    storm waits (`backoffMs * 2^failures`, failures as the failed attempt
 *    saw them): what is left is the jitter; the profile's `backoff` adds the
 *    exponential part back at each draw.
 *  - cleanupPlans: the gap since the flip: the settling wait and the deletes.
 *
 * A run's steps after its last flip or cleanup give none: in a storm's round
 * that lost the name (a cleanup deleted the tree the alias names, or a flip
 * went back to a deleted tree) they are the enactors retrying builds that
 * cannot succeed until the storm ends, which a simulation does not run (the
 * loss is for good); in a round cut by the storm's end, a few steps in
 * progress. A step whose actor's previous step is not in the logs (a log's
 * first, but for pickPlan) gives no sample. Samples are rounded to the microsecond (the
 * logs' precision) and sorted.
 */
import type { Json } from '../../checker/state/layout.js';
import { SystemError, type LoggedStep } from '../../checker/package/system.js';
import type { Dist, TimingProfile } from '../../checker/package/timing.js';

/** The dns model's actions, in its order (models/dns/model.ts). */
export const DNS_ACTIONS = ['publishPlan', 'pickPlan', 'acquireLock', 'retryLock', 'buildTree', 'flipAlias', 'cleanupPlans'] as const;

/** A calibrated profile: every action's distribution is the samples measured. */
export type CalibratedProfile = TimingProfile & { readonly actions: Readonly<Record<string, Extract<Dist, { dist: 'empirical' }>>> };

export interface CalibrateOptions {
  /** The storm's backoff base (StormOptions.backoffMs): retryLock's samples leave out `base * 2^failures`. Default 2. */
  readonly backoffMs?: number;
}

const where = (e: LoggedStep): string => `${e.file}:${e.line}`;
const round3 = (x: number): number => Math.round(Math.max(0, x) * 1000) / 1000;

const wholeOf = (e: LoggedStep, key: string): number | undefined => {
  const v: Json | undefined = e.saw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new SystemError(`${where(e)}: saw ${key} must be a whole number from 0, got ${JSON.stringify(v)}`);
  return v;
};

/** One run's samples, added to `out` by action. */
function calibrateRun(run: readonly (readonly LoggedStep[])[], backoffMs: number, out: Map<string, number[]>): void {
  const steps = run.flat();
  for (const e of steps) {
    if (!(DNS_ACTIONS as readonly string[]).includes(e.action))
      throw new SystemError(`${where(e)}: action ${JSON.stringify(e.action)} is not one of the dns model's (${DNS_ACTIONS.join(', ')})`);
    if (e.action === 'publishPlan' && wholeOf(e, 'latest') === undefined)
      throw new SystemError(`${where(e)}: a publishPlan step must say the plan it published (saw latest)`);
  }
  // Endpoints: those any step names (an enactor's endpoint, an alias), at least one.
  let endpoints = 1;
  for (const e of steps)
    for (const key of Object.keys(e.saw)) {
      const m = /^(endpoint|alias)\[(\d+)\]$/.exec(key);
      if (!m) continue;
      const k = m[1] === 'alias' ? Number(m[2]) : (wholeOf(e, key) ?? 0);
      endpoints = Math.max(endpoints, k + 1);
    }
  // Every step in time order (a stable sort: a process's own order kept at equal stamps), up to the run's last flip or cleanup.
  const end = steps.reduce((t, e) => (e.action === 'flipAlias' || e.action === 'cleanupPlans' ? Math.max(t, e.ts) : t), Number.NEGATIVE_INFINITY);
  const ordered = [...steps].filter((e) => e.ts <= end).sort((a, b) => a.ts - b.ts);
  // The aliases flips set (the others are at 0, the initial state): a map, as an endpoint number comes from the logs.
  const alias = new Map<number, number>();
  let latest = 0;
  const behind = (): boolean => (latest > 0 && alias.size < endpoints) || [...alias.values()].some((a) => a < latest);
  /** Per enactor: its previous step's time and what it saw; when idle, since when it could pick (null: it cannot). */
  const prev = new Map<number, { ts: number; failures: number }>();
  const idle = new Map<number, { since: number; enabledAt: number | null }>();
  let planner: number | null = null;
  const add = (action: string, ms: number): void => {
    const l = out.get(action);
    if (l) l.push(round3(ms));
    else out.set(action, [round3(ms)]);
  };
  // Enactors first seen idle at the start of the run (the model's initial state): every enactor that logs.
  const start = ordered.length > 0 ? ordered[0].ts : 0;
  for (const e of steps) if (e.action !== 'publishPlan' && !idle.has(e.actor)) idle.set(e.actor, { since: start, enabledAt: null });
  const recheck = (ts: number): void => {
    const b = behind();
    for (const w of idle.values()) {
      if (!b) w.enabledAt = null;
      else if (w.enabledAt === null) w.enabledAt = Math.max(ts, w.since);
    }
  };
  for (const e of ordered) {
    if (e.action === 'publishPlan') {
      if (planner !== null) add('publishPlan', e.ts - planner);
      planner = e.ts;
      latest = wholeOf(e, 'latest') ?? latest;
      recheck(e.ts);
      continue;
    }
    const i = e.actor;
    const before = prev.get(i);
    if (e.action === 'pickPlan') {
      const w = idle.get(i);
      if (!w) throw new SystemError(`${where(e)}: enactor ${i} picks a plan while not idle (its previous step did not leave it idle)`);
      // No endpoint behind yet, by the stamps: the step that put one behind (a flip back to an older plan) is
      // stamped when its transaction ended, after this enactor read its effect. It picked at once: 0.
      add('pickPlan', w.enabledAt === null ? 0 : e.ts - w.enabledAt);
      idle.delete(i);
    } else if (before) {
      if (idle.has(i)) throw new SystemError(`${where(e)}: enactor ${i} takes ${e.action} while idle (it picks a plan first)`);
      const backoff = e.action === 'retryLock' ? backoffMs * 2 ** before.failures : 0;
      add(e.action, e.ts - before.ts - backoff);
    } else idle.delete(i);
    const k = wholeOf(e, `endpoint[${i}]`);
    if (e.action === 'flipAlias' && k !== undefined) {
      const a = wholeOf(e, `alias[${k}]`);
      if (a !== undefined) alias.set(k, a);
    }
    prev.set(i, { ts: e.ts, failures: wholeOf(e, `failures[${i}]`) ?? before?.failures ?? 0 });
    if (e.saw[`phase[${i}]`] === 'idle') idle.set(i, { since: e.ts, enabledAt: null });
    recheck(e.ts);
  }
}

/**
 * A timing profile from storm runs' logs (each run: its processes' event
 * logs). Throws a SystemError (one line) when an action has no sample, or a
 * step does not fit the model.
 */
export function calibrateDns(runs: readonly (readonly (readonly LoggedStep[])[])[], o: CalibrateOptions = {}): CalibratedProfile {
  const backoffMs = o.backoffMs ?? 2;
  const samples = new Map<string, number[]>();
  for (const run of runs) calibrateRun(run, backoffMs, samples);
  const steps = runs.reduce((n, run) => n + run.reduce((m, log) => m + log.length, 0), 0);
  const actions: Record<string, { dist: 'empirical'; samples: number[] }> = {};
  for (const a of DNS_ACTIONS) {
    const s = samples.get(a);
    if (!s) throw new SystemError(`the logs hold no sample of ${a} (a step with its actor's previous step before it): calibrate from longer storms`);
    actions[a] = { dist: 'empirical', samples: s.sort((x, y) => x - y) };
  }
  return {
    format: 'dnsmc-timing-profile',
    version: 1,
    model: 'dns',
    unit: 'ms',
    actions,
    slow: { role: 'enactor', actor: 0, actions: ['acquireLock'], extra: { dist: 'fixed', ms: 0 } },
    backoff: { retryLock: { baseMs: backoffMs, field: 'failures' } },
    source:
      `calibrated from ${runs.length} storm run${runs.length === 1 ? '' : 's'} (${steps} protocol steps): each action's samples are the ms its actor spent before it ` +
      `(pickPlan: since it could pick; retryLock: less the backoff ${backoffMs} ms * 2^failures)`,
  };
}
