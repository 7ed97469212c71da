/**
 * The timed simulation: a discrete-event simulation over the execution
 * kernel, in virtual time, with delays drawn from a timing profile
 * (checker/package/timing.ts). One run simulates a horizon (say one hour)
 * and records, per property, when it first broke, and per state invariant,
 * for how long it was false.
 *
 * The race semantics (docs/risk.md):
 *  - Every actor (a role and an index: the planner, enactor 2) has at most
 *    one pending step. When an actor has none and some of its transitions
 *    are enabled, it chooses one of them (uniformly) and draws its delay from
 *    that action's distribution (plus its backoff, and the slow actor's
 *    extra delay): the step fires at now + delay.
 *  - The earliest pending step fires (ties: the actor listed first). Then
 *    every guard is evaluated again: a pending step whose transition is no
 *    longer enabled is dropped (its actor draws anew once something of its is
 *    enabled); a pending step still enabled keeps its time, whatever else
 *    changed. The actor that fired draws anew.
 *  - Episodes: the dns model's planner publishes a bounded number of plans
 *    (`--plans`). When no step is enabled (every plan applied, every actor
 *    idle: the model's accepted end), the run starts again from the initial
 *    state at the same instant, as the storm's rounds do (systems/dns/storm.ts):
 *    a run of an hour is a sequence of episodes, each independent of the
 *    ones before (the independence assumption). A state with nothing enabled
 *    that the model does not accept as an end is counted as a deadlock, and
 *    the run starts again from there too. An episode that never ends (a name
 *    lost for good keeps the enactors retrying) runs to the horizon.
 *
 *
 * A run whose remainder is settled ends early, exactly: when a state
 * invariant is false, the states reachable from the current one are
 * searched (up to {@link SETTLE_LIMIT}); when every one of them gives every
 * followed state invariant the truth value it has now, none ends the
 * episode (each has a step enabled), and no step between them breaks a step
 * invariant that has not yet broken, nothing the run
 * records can change before the horizon (a name lost for good stays lost),
 * and the run is closed at once. The verdict is cached per state; after a
 * failed try the next waits 256 events, then twice as long each time.
 *
 * Deterministic: run `r` draws from `deriveSeed(seed, r)` only. The event
 * loop allocates nothing per event.
 */
import { diagnose } from '../explore/diagnose.js';
import { kernelOf, selectProperties, type Kernel } from '../model/kernel.js';
import type { Model } from '../model/model.js';
import { sample, type Dist, type TimingProfile } from '../package/timing.js';
import { Rng, deriveSeed } from '../random/random.js';
import type { FieldSpec, StateOf } from '../state/layout.js';

/** What one timed run records. */
export interface RunOutcome {
  readonly run: number;
  readonly seed: number;
  /** Per property (in the order of {@link TimedSim.properties}): virtual ms of its first break, or -1 when it held to the horizon. */
  readonly firstBreakMs: number[];
  /** Per property: virtual ms it was false (state invariants; 0 for step invariants). */
  readonly falseMs: number[];
  readonly episodes: number;
  readonly events: number;
  /** States with nothing enabled that the model does not accept as an end. */
  readonly deadlocks: number;
  /** The episode that first broke a property, from its initial state to that break: transition numbers (see {@link Kernel}), or null. */
  /** Virtual ms at which the rest of the run was found settled (see the top of the file), or -1. */
  readonly settledAtMs: number;
  readonly broken: { readonly property: string; readonly initial: number; readonly schedule: number[]; readonly atMs: number } | null;
}

export interface TimedOptions {
  /** Virtual milliseconds each run simulates. */
  readonly horizonMs: number;
  /** Properties to follow (all safety properties when absent). */
  readonly properties?: readonly string[];
}

/** What a run keeps between its events, besides the loop's own counters. */
class RunState {
  readonly firstBreakMs: number[];
  readonly falseMs: number[];
  /** Per property: 1 while the state invariant is false. */
  readonly isFalse: Uint8Array;
  /** Step invariants not yet broken (1), for the settled test. */
  readonly open: Uint8Array;
  falseCount = 0;
  episodes = 0;
  initial = 0;
  broken: RunOutcome['broken'] = null;

  constructor(P: number, stepInvariants: readonly unknown[]) {
    this.firstBreakMs = new Array<number>(P).fill(-1);
    this.falseMs = new Array<number>(P).fill(0);
    this.isFalse = new Uint8Array(P);
    this.open = Uint8Array.from(stepInvariants, (si) => (si === null ? 0 : 1));
  }
}

/** Most states searched to decide that a run's remainder is settled; beyond it, the run is simulated on. */
export const SETTLE_LIMIT = 20_000;

/** The timed simulation of one model with one profile: runs, one at a time, by number. */
export class TimedSim<F extends FieldSpec = FieldSpec> {
  readonly kernel: Kernel<F>;
  readonly properties: readonly string[];
  private readonly invariants;
  private readonly stepInvariants;
  private readonly slots: number;
  /** Per slot: its transitions, in order. */
  private readonly slotTransitions: Int32Array[];
  /** Per transition: its delay, the backoff base and the vector offset of the backoff field (-1: none), the slow extra or null. */
  private readonly dist: Dist[];
  private readonly backoffBase: Float64Array;
  private readonly backoffAt: Int32Array;
  private readonly extra: (Dist | null)[];
  private cur: Int32Array;
  private next: Int32Array;
  private curView: StateOf<F>;
  private nextView: StateOf<F>;
  private readonly enabled: Uint8Array;
  private readonly pendingT: Int32Array;
  private readonly pendingAt: Float64Array;
  /** The episode's steps so far (grown when full: rare). */
  private path: Int32Array;

  constructor(
    private readonly model: Model<F>,
    profile: TimingProfile,
    private readonly o: TimedOptions,
  ) {
    const k = kernelOf(model);
    this.kernel = k;
    const props = selectProperties('risk', model, o.properties);
    this.properties = props.names;
    this.invariants = props.names.map((n) => props.invariants.find((p) => p.name === n) ?? null);
    this.stepInvariants = props.names.map((n) => props.stepInvariants.find((p) => p.name === n) ?? null);
    const roleBase: Record<string, number> = {};
    let slots = 0;
    for (const [role, n] of Object.entries(model.roles)) {
      roleBase[role] = slots;
      slots += n;
    }
    this.slots = slots;
    // Per transition: its actor's slot (one per actor of every role).
    const slotOf = Int32Array.from(k.transitions, (t) => roleBase[t.role] + t.actor);
    this.slotTransitions = Array.from({ length: slots }, (_, s) => Int32Array.from(k.transitions.flatMap((_, t) => (slotOf[t] === s ? [t] : []))));
    this.dist = k.transitions.map((t) => profile.actions[t.name]);
    this.backoffBase = Float64Array.from(k.transitions, (t) => profile.backoff?.[t.name]?.baseMs ?? 0);
    this.backoffAt = Int32Array.from(k.transitions, (t) => {
      const b = profile.backoff?.[t.name];
      return b ? model.layout.offsets[b.field] + t.actor : -1;
    });
    const slow = profile.slow;
    this.extra = k.transitions.map((t) => (slow && slow.role === t.role && slow.actor === t.actor && slow.actions.includes(t.name) ? slow.extra : null));
    this.cur = model.layout.vector();
    this.next = model.layout.vector();
    this.curView = model.layout.view(this.cur);
    this.nextView = model.layout.view(this.next);
    this.enabled = new Uint8Array(k.size);
    this.pendingT = new Int32Array(slots);
    this.pendingAt = new Float64Array(slots);
    this.path = new Int32Array(1024);
    this.words = new Uint32Array(model.layout.words);
  }

  /** Settled-ness of states already searched, by packed state and the step invariants still open. */
  private readonly settledCache = new Map<string, boolean>();
  private readonly words: Uint32Array;

  /**
   * Whether nothing the run records can change from the state in `cur` on
   * (see the top of the file): `open[p]` is 1 for the step invariants not yet broken.
   */
  private settled(open: Uint8Array): boolean {
    const { model, kernel } = this;
    const layout = model.layout;
    const P = this.properties.length;
    const keyOf = (v: Int32Array): string => {
      layout.pack(v, this.words, 0);
      return this.words.join(',');
    };
    const key = `${keyOf(this.cur)}/${open.join('')}`;
    const known = this.settledCache.get(key);
    if (known !== undefined) return known;
    const truth = (view: StateOf<F>): string => this.invariants.map((inv) => (inv === null ? '-' : inv.holds(view) ? '1' : '0')).join('');
    const a = layout.vector();
    const b = layout.vector();
    const av = layout.view(a);
    const bv = layout.view(b);
    a.set(this.cur);
    const want = truth(av);
    const seen = new Set<string>([keyOf(a)]);
    const queue: Int32Array[] = [Int32Array.from(a)];
    let ok = true;
    search: while (queue.length > 0) {
      const v = queue.pop() as Int32Array;
      a.set(v);
      // A state with nothing enabled ends the episode: the run starts again from an initial state, not settled.
      if (!kernel.anyEnabled(av)) {
        ok = false;
        break;
      }
      for (let t = 0; t < kernel.size; t++) {
        if (!kernel.enabled(av, t)) continue;
        kernel.step(a, b, bv, t);
        for (let p = 0; p < P; p++) {
          const si = this.stepInvariants[p];
          if (si !== null && open[p] && !si.holds(av, bv)) {
            ok = false;
            break search;
          }
        }
        const k = keyOf(b);
        if (seen.has(k)) continue;
        if (truth(bv) !== want || seen.size >= SETTLE_LIMIT) {
          ok = false;
          break search;
        }
        seen.add(k);
        queue.push(Int32Array.from(b));
      }
    }
    this.settledCache.set(key, ok);
    return ok;
  }

  /** The delay of transition `t` in the current state. */
  private delay(t: number, rng: Rng): number {
    let d = sample(this.dist[t], rng);
    const at = this.backoffAt[t];
    if (at >= 0) d += this.backoffBase[t] * 2 ** this.cur[at];
    const x = this.extra[t];
    if (x !== null) d += sample(x, rng);
    return d;
  }

  /**
   * Checks the state in curView (and the step from nextView, when `step`) at
   * virtual time `now`, `len` steps into the episode: first breaks and falsity.
   */
  private check(r: RunState, step: boolean, now: number, len: number): void {
    const P = r.isFalse.length;
    for (let p = 0; p < P; p++) {
      const inv = this.invariants[p];
      let bad: boolean;
      if (inv !== null) {
        bad = !inv.holds(this.curView);
        if (bad !== (r.isFalse[p] === 1)) {
          r.isFalse[p] = bad ? 1 : 0;
          r.falseCount += bad ? 1 : -1;
        }
      } else {
        // A step invariant matters until its first break only.
        const si = this.stepInvariants[p];
        bad = step && r.open[p] === 1 && si !== null && !si.holds(this.nextView, this.curView);
      }
      if (bad && r.firstBreakMs[p] < 0) {
        r.firstBreakMs[p] = now;
        r.open[p] = 0;
        if (r.broken === null) r.broken = { property: this.properties[p], initial: r.initial, schedule: Array.from(this.path.subarray(0, len)), atMs: now };
      }
    }
  }

  /** A new episode: an initial state, no pending step, checked. */
  private startEpisode(r: RunState, rng: Rng, now: number): void {
    const model = this.model;
    r.episodes++;
    r.initial = model.init.length === 1 ? 0 : rng.below(model.init.length);
    model.layout.fromPlain(model.init[r.initial], this.cur);
    this.pendingT.fill(-1);
    this.check(r, false, now, 0);
  }

  /** Runs number `run` of a simulation seeded with `seed`. */
  run(seed: number, run: number): RunOutcome {
    const { kernel, o, enabled, pendingT, pendingAt, slotTransitions } = this;
    const runSeed = deriveSeed(seed, run);
    const rng = new Rng(runSeed);
    const P = this.properties.length;
    const r = new RunState(P, this.stepInvariants);
    const { isFalse, falseMs } = r;
    const guards = kernel.guards;
    const actors = kernel.actors;
    const slots = this.slots;
    let now = 0;
    let events = 0;
    let deadlocks = 0;
    let len = 0;
    /** The settled test: when to try it next (events), and the gap after a failed try (doubling, so that a long unsettled stretch costs little). */
    let trySettleAt = 0;
    let settleGap = 256;
    let settledEarly = false;
    const T = kernel.size;
    const horizon = o.horizonMs;

    this.startEpisode(r, rng, now);
    for (;;) {
      try {
        const view = this.curView;
        let any = false;
        for (let t = 0; t < T; t++) {
          const e = guards[t](view, actors[t]) ? 1 : 0;
          enabled[t] = e;
          if (e) any = true;
        }
        if (!any) {
          if (!kernel.terminalOk(view)) deadlocks++;
          if (len === 0) {
            // An initial state with nothing enabled: time passes, nothing happens, to the horizon.
            for (let p = 0; p < P; p++) if (isFalse[p]) falseMs[p] += horizon - now;
            now = horizon;
            break;
          }
          len = 0;
          this.startEpisode(r, rng, now);
          continue;
        }
        // Pending steps: drop the disabled, draw for the actors without one.
        let best = -1;
        let bestAt = Infinity;
        for (let s = 0; s < slots; s++) {
          let t = pendingT[s];
          if (t >= 0 && !enabled[t]) t = pendingT[s] = -1;
          if (t < 0) {
            const ts = slotTransitions[s];
            let n = 0;
            for (let i = 0; i < ts.length; i++) {
              if (enabled[ts[i]]) {
                n++;
                t = ts[i];
              }
            }
            if (n === 0) continue;
            if (n > 1) {
              let pick = rng.below(n);
              for (let i = 0; i < ts.length; i++) {
                if (!enabled[ts[i]]) continue;
                if (pick-- === 0) {
                  t = ts[i];
                  break;
                }
              }
            }
            pendingT[s] = t;
            pendingAt[s] = now + this.delay(t, rng);
          }
          if (pendingAt[s] < bestAt) {
            bestAt = pendingAt[s];
            best = s;
          }
        }
        const at = Math.min(bestAt, horizon);
        if (r.falseCount > 0) for (let p = 0; p < P; p++) if (isFalse[p]) falseMs[p] += at - now;
        now = at;
        if (bestAt > horizon) break;
        const t = pendingT[best];
        pendingT[best] = -1;
        // The step: next = cur + t; then swap, so that curView is the new state and nextView the one before.
        kernel.step(this.cur, this.next, this.nextView, t);
        this.swap();
        if (len === this.path.length) {
          const grown = new Int32Array(len * 2);
          grown.set(this.path);
          this.path = grown;
        }
        this.path[len++] = t;
        events++;
        this.check(r, true, now, len);
        if (r.falseCount > 0 && events >= trySettleAt) {
          if (this.settled(r.open)) {
            for (let p = 0; p < P; p++) if (isFalse[p]) falseMs[p] += horizon - now;
            settledEarly = true;
            break;
          }
          trySettleAt = events + settleGap;
          settleGap *= 2;
        } else if (r.falseCount === 0) {
          trySettleAt = 0;
          settleGap = 256;
        }
      } catch (e) {
        throw diagnose(kernel, this.cur, e);
      }
    }
    return {
      run,
      seed: runSeed,
      firstBreakMs: r.firstBreakMs,
      falseMs,
      episodes: r.episodes,
      events,
      deadlocks,
      broken: r.broken,
      settledAtMs: settledEarly ? now : -1,
    };
  }

  private swap(): void {
    const v = this.cur;
    this.cur = this.next;
    this.next = v;
    const w = this.curView;
    this.curView = this.nextView;
    this.nextView = w;
  }
}
