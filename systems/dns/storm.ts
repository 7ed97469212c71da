/**
 * The storm: the reference implementation running for real, with timing,
 * against a private BIND 9 (or the user's server, on the run's names only),
 * the dns system's workload (`dnsmc storm`). A planner publishes the model's plans at an
 * interval; each enactor is a concurrent task that loops over the protocol's
 * steps (polling for a plan, taking the lock with exponential backoff and
 * jitter, building, flipping, waiting for the change to settle, cleaning
 * up); one enactor may be slowed down (a delay before each of its lock attempts: the
 * seed's "unusually high delays"); a prober resolves each endpoint's name
 * every few milliseconds. Every protocol step is logged, by its process, in
 * the format of docs/conformance.md (what the process saw: its own state
 * after the step, and what its transaction wrote); the prober logs its probes
 * as observations. Randomness (jitter) comes from a seeded generator; the
 * timing itself is real, so runs with the same seed differ in detail.
 *
 * What the storm asks of the server is bounded: the planner's and the
 * enactors' exchanges share a client that sends at most `maxInFlight` at once
 * (the others queue; each one's timeout counts from its sending), so however
 * many enactors there are, the server sees a few transactions at a time (the
 * prober has its own client: one probe at a time). Should the server still
 * fail to answer, the storm ends there and reports it (`stoppedBy: "server"`),
 * with the logs of what happened until then. A stop request (`interrupt`)
 * ends it the same way, as `interrupted`.
 */
import type { Model } from '../../checker/model/model.js';
import type { Interrupt } from '../../checker/explore/options.js';
import type { Workload, WorkloadResult } from '../../checker/package/system.js';
import { ActionRefused, SystemError } from '../../checker/package/system.js';
import { claimNames, connect, protocolConfig, releaseNames } from './adapter.js';
import { Rng } from '../../checker/random/random.js';
import { STORM_FAULTS, STORM_HELP, type DnsSystemOptions } from './flags.js';
import { DnsClient, DnsError } from './messages.js';
import { PlanStore, PlanStoreError } from './plan-store.js';
import { Enactor, Planner, ZoneChanged, resetZone, type Context, type ProtocolConfig } from './reference.js';
import { makeRunDir, removeRunDir } from './run-dirs.js';
import { TsigError } from './tsig.js';
import { TYPE, WireError, rcodeName } from './wire.js';

export interface StormOptions {
  readonly config: ProtocolConfig;
  readonly durationMs: number;
  readonly seed: number;
  /** The enactor slowed down, and the delay before each of its lock attempts. */
  readonly slowEnactor?: number;
  readonly delayMs?: number;
  /** Between two plans (default 15 ms, with jitter). */
  readonly planIntervalMs?: number;
  /** Between two probes of the same name (default 5 ms). */
  readonly probeMs?: number;
  /** An enactor waits about this long (with jitter, half to one and a half times) after its last flip before cleaning up (default 40 ms: the change propagating). */
  readonly settleMs?: number;
  /** Backoff after a failed lock attempt: base * 2^failures plus jitter up to base (default base 2 ms). */
  readonly backoffMs?: number;
  /** Called about every 250 ms with a progress line. */
  readonly onProgress?: (line: string) => void;
  /** Checked by every task between its steps: once requested, the storm ends as `interrupted`. */
  readonly interrupt?: Interrupt;
  /** The planner's and enactors' exchanges under way at once, at most (default 8). */
  readonly maxInFlight?: number;
  /** Milliseconds to wait for each answer (default 2000). */
  readonly timeoutMs?: number;
  /** The server (a private one when absent), the zone, the prefix, `wipe`: the dns system's options. */
  readonly system?: DnsSystemOptions;
}

/** One line of an event log (docs/conformance.md). */
export type StormEvent = {
  readonly process: string;
  readonly seq: number;
  readonly ts: number;
  readonly action?: string;
  readonly actor?: number;
  readonly saw?: Record<string, string | number | null | number[]>;
  readonly observation?: { name: string; rcode: string; addresses: string[] };
};

export type EndpointAvailability = {
  readonly name: string;
  readonly probes: number;
  /** Ms from the start to the first probe that resolved to addresses, or null. */
  readonly firstResolvedMs: number | null;
  /** Ms from the start to the first NXDOMAIN after that, or null. */
  readonly firstNxdomainMs: number | null;
  /** Ms unresolvable (NXDOMAIN, or no address) after first resolving, summed over probe intervals. */
  readonly unresolvableMs: number;
  readonly nxdomainProbes: number;
  /** What the last probe got. */
  readonly last: string;
};

export interface StormResult {
  readonly server: string;
  readonly durationMs: number;
  readonly plansPublished: number;
  /** Rounds of the model's plans run (see runStorm); the logs are the last round's. */
  readonly rounds: number;
  /** Flips, per plan applied (a plan applied to one endpoint counts once). */
  readonly flips: number;
  readonly lockAttempts: number;
  readonly lockFailures: number;
  readonly builds: number;
  readonly gaveUp: number;
  readonly cleanups: number;
  readonly availability: readonly EndpointAvailability[];
  /** The logs, per process: `planner`, `enactor-<i>`, `prober`. */
  readonly logs: ReadonlyMap<string, readonly StormEvent[]>;
  /** Why it ended before its duration: `interrupted` (a stop request), `server` (the server failed: `serverError` says how); null when it ran its course. */
  readonly stoppedBy: 'interrupted' | 'server' | null;
  readonly serverError: string | null;
}

/** Errors of the server or of what it answered (not bugs): they end a storm, which reports them. */
const serverFault = (e: unknown): e is Error =>
  e instanceof DnsError ||
  e instanceof TsigError ||
  e instanceof WireError ||
  e instanceof PlanStoreError ||
  e instanceof SystemError ||
  e instanceof ZoneChanged;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Runs a storm on a private `named`; the server and the plan store are gone when it resolves. */
export async function runStorm(o: StormOptions): Promise<StormResult> {
  const { config } = o;
  const conn = await connect(o.system ?? {});
  const storeDir = makeRunDir('storm');
  const timeoutMs = o.timeoutMs ?? 2000;
  const dns = new DnsClient(conn.address, conn.zone, conn.key, { timeoutMs, maxInFlight: o.maxInFlight ?? 8 });
  let claimed = false;
  try {
    const probeDns = new DnsClient(conn.address, conn.zone, conn.key, { timeoutMs });
    const ctx: Context = { dns, names: conn.names, store: new PlanStore(storeDir), config };
    await claimNames(dns, conn.names, config.endpoints, o.system?.wipe === true);
    claimed = true;
    const t0 = performance.now();
    const epoch = Date.now();
    const now = (): number => performance.now() - t0;
    const stamp = (): number => Math.round((epoch + now()) * 1000) / 1000;
    const deadline = o.durationMs;
    let serverError: string | null = null;
    /** Whether the storm goes on: its time not up, no stop requested, the server answering. */
    const going = (): boolean => now() < deadline && !o.interrupt?.requested && serverError === null;
    /** A task that ends, and ends the storm, at the server's first failure. */
    const guarded =
      <A extends unknown[]>(f: (...args: A) => Promise<void>) =>
      async (...args: A): Promise<void> => {
        try {
          await f(...args);
        } catch (e) {
          if (!serverFault(e)) throw e;
          serverError ??= e.message;
        }
      };
    const rng = new Rng(o.seed);
    // This round's logs, and the last round's before it (kept should the storm end as a round begins).
    let logs = new Map<string, StormEvent[]>();
    let previous = logs;
    const log = (process: string, e: Omit<StormEvent, 'process' | 'seq' | 'ts'>): void => {
      let l = logs.get(process);
      if (!l) logs.set(process, (l = []));
      l.push({ process, seq: l.length + 1, ts: stamp(), ...e });
    };
    const counts = { plans: 0, flips: 0, lockAttempts: 0, lockFailures: 0, builds: 0, gaveUp: 0, cleanups: 0, rounds: 0 };
    /**
     * The model's planner publishes `plans` plans and stops. A round ends when they are all applied and
     * every enactor is idle with nothing to pick; then the zone and the plan store are reset and the
     * next round starts, as the real planner keeps publishing. A round that loses a name never ends
     * (no enactor can repair it), so the storm ends in it. The logs are those of the last round that logged a protocol step.
     */
    let round: { planned: boolean; over: boolean; idle: boolean[] } = { planned: false, over: false, idle: [] };
    let resetting = false;
    /** Rounds reset so far: a probe sent in one round and answered in the next tells of neither. */
    let resets = 0;

    const planner = guarded(async (): Promise<void> => {
      const p = new Planner(ctx);
      for (let g = 1; g <= config.plans && going(); g++) {
        await p.publishPlan();
        counts.plans++;
        log('planner', { action: 'publishPlan', actor: 0, saw: { latest: g } });
        await sleep((o.planIntervalMs ?? 15) * (0.5 + rng.float()));
      }
      round.planned = true;
    });

    const enactor = guarded(async (i: number): Promise<void> => {
      const e = new Enactor(i, ctx);
      const name = `enactor-${i}`;
      const slow = o.slowEnactor === i ? (o.delayMs ?? 0) : 0;
      const base = o.backoffMs ?? 2;
      const local = (): Record<string, string | number> => ({
        [`phase[${i}]`]: e.phase,
        [`plan[${i}]`]: e.plan,
        [`endpoint[${i}]`]: e.endpoint,
        [`failures[${i}]`]: e.failures,
      });
      while (going() && !round.over) {
        const phase = e.phase;
        if (phase === 'idle') {
          // It picks up plans promptly (the one-time check is early); its delays come before its lock attempts.
          try {
            await e.pickPlan();
          } catch (err) {
            if (!(err instanceof ActionRefused)) throw err;
            // Nothing to pick: once every plan is published and every enactor rests here, the round is over.
            round.idle[i] = true;
            if (round.planned && round.idle.every(Boolean)) round.over = true;
            await sleep(2 + rng.float() * 3);
            continue;
          }
          round.idle[i] = false;
          log(name, { action: 'pickPlan', actor: i, saw: local() });
          continue;
        }
        if (phase === 'backoff') await sleep(base * 2 ** e.failures + rng.float() * base);
        if (phase === 'cleanup') await sleep((o.settleMs ?? 40) * (0.5 + rng.float()));
        // The slow enactor is slow to get the lock (each attempt waits): it falls behind while holding an old plan.
        if (slow && phase === 'lock') await sleep(slow);
        if (!going()) break;
        const k = e.endpoint;
        const plan = e.plan;
        switch (phase) {
          case 'lock':
            await e.acquireLock();
            counts.lockAttempts++;
            if (e.phase === 'backoff') counts.lockFailures++;
            log(name, { action: 'acquireLock', actor: i, saw: { ...local(), ...(e.phase === 'build' ? { [`lockHolder[${k}]`]: i } : {}) } });
            break;
          case 'backoff':
            await e.retryLock();
            log(name, { action: 'retryLock', actor: i, saw: local() });
            break;
          case 'build':
            await e.buildTree();
            if (e.phase === 'flip') counts.builds++;
            else counts.gaveUp++;
            log(name, { action: 'buildTree', actor: i, saw: local() });
            break;
          case 'flip':
            await e.flipAlias();
            counts.flips++;
            log(name, { action: 'flipAlias', actor: i, saw: { ...local(), [`alias[${k}]`]: plan } });
            break;
          case 'cleanup':
            await e.cleanupPlans();
            counts.cleanups++;
            log(name, { action: 'cleanupPlans', actor: i, saw: local() });
            break;
        }
      }
    });

    const avail = Array.from({ length: config.endpoints }, (_, k) => ({
      name: ctx.names.endpoint(k),
      probes: 0,
      firstResolvedMs: null as number | null,
      firstNxdomainMs: null as number | null,
      unresolvableMs: 0,
      nxdomainProbes: 0,
      last: 'not probed',
      lastAt: 0,
      down: false,
      /** Whether the name has resolved in this round (until then it is not yet up, not down). */
      roundResolved: false,
    }));
    const prober = guarded(async (): Promise<void> => {
      while (going()) {
        if (resetting) {
          await sleep(1);
          continue;
        }
        for (const a of avail) {
          const sentIn = resets;
          const m = await probeDns.query(a.name, TYPE.A);
          // A reset began while the probe was out: its answer may show the names being deleted, not the protocol.
          if (resetting || resets !== sentIn) break;
          const at = now();
          const addresses = m.answers.filter((r) => r.type === TYPE.A && r.data?.kind === 'a').map((r) => (r.data?.kind === 'a' ? r.data.address : ''));
          const rcode = rcodeName(m.rcode);
          a.probes++;
          if (a.down) a.unresolvableMs += at - a.lastAt;
          const ok = rcode === 'NOERROR' && addresses.length > 0;
          if (ok && a.firstResolvedMs === null) a.firstResolvedMs = at;
          if (ok) a.roundResolved = true;
          a.down = a.roundResolved && !ok;
          if (rcode === 'NXDOMAIN' && a.roundResolved) {
            a.nxdomainProbes++;
            if (a.firstNxdomainMs === null) a.firstNxdomainMs = at;
          }
          a.lastAt = at;
          a.last = `${rcode}${addresses.length > 0 ? ` ${addresses.sort().join(' ')}` : ''}`;
          log('prober', { observation: { name: a.name, rcode, addresses } });
        }
        await sleep(o.probeMs ?? 5);
      }
    });

    const progress = setInterval(() => {
      o.onProgress?.(
        `storm: ${(now() / 1000).toFixed(1)} s, ${counts.plans} plans published, ${counts.flips} flips, ${counts.lockFailures}/${counts.lockAttempts} lock attempts failed, ` +
          avail.map((a) => `${a.name} ${a.last}`).join(', '),
      );
    }, 250);
    const rounds = guarded(async (): Promise<void> => {
      while (going()) {
        if (counts.rounds > 0) {
          // The next round from scratch: the names reset, the plan store empty, the enactors new.
          resetting = true;
          resets++;
          await resetZone(dns, ctx.names, config.endpoints);
          ctx.store.clear();
          for (const a of avail) {
            a.down = false;
            a.roundResolved = false;
          }
          previous = logs;
          logs = new Map();
          resetting = false;
        }
        counts.rounds++;
        round = { planned: false, over: false, idle: new Array(config.enactors).fill(false) };
        await Promise.all([planner(), ...Array.from({ length: config.enactors }, (_, i) => enactor(i))]);
      }
    });
    try {
      await Promise.all([rounds(), prober()]);
    } finally {
      clearInterval(progress);
    }
    return {
      server: conn.named?.version ?? conn.description,
      durationMs: now(),
      plansPublished: counts.plans,
      rounds: counts.rounds,
      flips: counts.flips,
      lockAttempts: counts.lockAttempts,
      lockFailures: counts.lockFailures,
      builds: counts.builds,
      gaveUp: counts.gaveUp,
      cleanups: counts.cleanups,
      availability: avail.map(({ lastAt: _a, down: _d, roundResolved: _r, ...rest }) => ({ ...rest, unresolvableMs: Math.round(rest.unresolvableMs) })),
      logs: [...logs.keys()].some((p) => p !== 'prober') ? logs : previous,
      stoppedBy: serverError !== null ? 'server' : o.interrupt?.requested ? 'interrupted' : null,
      serverError,
    };
  } finally {
    if (claimed && !conn.named) await releaseNames(dns, conn.names, config.endpoints);
    removeRunDir(storeDir);
    await conn.named?.stop();
  }
}

const ms = (x: number): string => `${Math.round(x).toLocaleString('en-US')} ms`;

/** The storm's summary for people. */
function stormLines(r: StormResult, config: ProtocolConfig): string[] {
  const events = [...r.logs].filter(([p]) => p !== 'prober').reduce((n, [, l]) => n + l.length, 0);
  const lines = [
    `rounds ${r.rounds} (each the model's ${config.plans} plans from scratch; the event logs are the last round's); plans published ${r.plansPublished}; flips ${r.flips}; trees built ${r.builds}, builds given up ${r.gaveUp}; cleanups ${r.cleanups}`,
    `lock attempts ${r.lockAttempts.toLocaleString('en-US')}, failed (contention) ${r.lockFailures.toLocaleString('en-US')}`,
    `protocol events logged ${events.toLocaleString('en-US')}`,
  ];
  if (r.stoppedBy === 'interrupted') lines.push(`interrupted after ${(r.durationMs / 1000).toFixed(1)} s`);
  if (r.stoppedBy === 'server') lines.push(`the storm ended after ${(r.durationMs / 1000).toFixed(1)} s: the server failed: ${r.serverError}`);
  lines.push('');
  for (const x of r.availability) {
    lines.push(
      `${x.name}: ${x.probes.toLocaleString('en-US')} probes; ${x.firstResolvedMs === null ? 'never resolved' : `first resolved at ${Math.round(x.firstResolvedMs)} ms`}; ` +
        `${x.firstNxdomainMs === null ? 'never NXDOMAIN after that' : `first NXDOMAIN at ${Math.round(x.firstNxdomainMs)} ms, ${x.nxdomainProbes.toLocaleString('en-US')} NXDOMAIN probes`}; ` +
        `unresolvable for ${ms(x.unresolvableMs)}; last answer ${x.last}`,
    );
  }
  return lines;
}

/**
 * The dns system's workload: a storm for a duration, with the faults given
 * (`slow` enactor: it waits before each of its lock attempts), on the server
 * the options name.
 */
export const stormWorkload: Workload<DnsSystemOptions> = {
  help: STORM_HELP,
  faults: STORM_FAULTS,
  async run(model: Model, options: DnsSystemOptions, w): Promise<WorkloadResult> {
    const config = protocolConfig(model);
    const slow = w.faults.find((f) => f.kind === 'slow' && f.role === 'enactor');
    const r = await runStorm({
      config,
      durationMs: w.durationMs,
      seed: w.seed,
      slowEnactor: slow?.actor,
      delayMs: slow?.delayMs,
      interrupt: w.interrupt,
      onProgress: w.onProgress,
      system: options,
    });
    const { logs, server, durationMs, stoppedBy, serverError, ...counts } = r;
    return {
      system: server,
      durationMs,
      logs,
      summary: { server, ...counts, availability: counts.availability.map((a) => ({ ...a })) },
      lines: stormLines(r, config),
      lost: r.availability.filter((a) => a.unresolvableMs > 0 || a.firstNxdomainMs !== null).map((a) => a.name),
      stoppedBy,
      failure: serverError,
    };
  },
};
