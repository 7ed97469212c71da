/**
 * The dns system's side of the driver protocol (docs/drivers.md): the
 * outcomes a step may reply, the actors' local state, and the reference
 * implementation (or a drifted one) stepped one action at a time, as the
 * built-in driver (driver.ts) runs it.
 */
import { ActionRefused } from '../../checker/package/system.js';
import { IMPLEMENTATIONS, type Implementation } from './drifted.js';
import { type Context, type Enactor, PHASE_NAMES, type Phase, Planner, ZoneChanged } from './reference.js';

/**
 * The model's actions, and the outcomes a driver may reply for each: what an
 * implementation may do, which is more than the model does (an enactor that
 * gives up before taking the lock has drifted, and says so).
 */
export const OUTCOMES = {
  publishPlan: ['published'],
  pickPlan: ['picked'],
  acquireLock: ['took-lock', 'lost-lock', 'gave-up'],
  retryLock: ['retrying'],
  buildTree: ['built', 'gave-up'],
  flipAlias: ['flipped'],
  cleanupPlans: ['cleaned'],
} as const satisfies Record<string, readonly string[]>;

export type ActionName = keyof typeof OUTCOMES;
export const ACTIONS = Object.keys(OUTCOMES) as ActionName[];
export type Outcome = (typeof OUTCOMES)[ActionName][number];

/** The phases an enactor may be in after a step with this outcome. */
export const OUTCOME_PHASES: Readonly<Record<Outcome, readonly Phase[]>> = {
  published: PHASE_NAMES,
  picked: ['lock'],
  'took-lock': ['build'],
  'lost-lock': ['backoff'],
  retrying: ['lock'],
  built: ['flip'],
  'gave-up': ['idle'],
  flipped: ['lock', 'cleanup'],
  cleaned: ['idle'],
};

/** An enactor's local state, as the model has it. */
export interface Local {
  readonly phase: Phase;
  readonly plan: number;
  readonly endpoint: number;
  readonly failures: number;
}

export const IDLE: Local = { phase: 'idle', plan: 0, endpoint: 0, failures: 0 };

/** What a step did: its outcome, and (for an enactor) its local state after it. */
export interface StepDone {
  readonly outcome: Outcome;
  readonly local?: Local;
}

const localOf = (e: Enactor): Local => ({ phase: e.phase, plan: e.plan, endpoint: e.endpoint, failures: e.failures });

function outcomeOf(action: ActionName, after: Local): Outcome {
  switch (action) {
    case 'publishPlan':
      return 'published';
    case 'pickPlan':
      return 'picked';
    case 'acquireLock':
      return after.phase === 'build' ? 'took-lock' : after.phase === 'backoff' ? 'lost-lock' : 'gave-up';
    case 'retryLock':
      return 'retrying';
    case 'buildTree':
      return after.phase === 'flip' ? 'built' : 'gave-up';
    case 'flipAlias':
      return 'flipped';
    case 'cleanupPlans':
      return 'cleaned';
  }
}

/** The reference implementation's actors (or a drifted implementation's), stepped one action at a time. */
export class ReferenceActors {
  private readonly planner: Planner;
  private enactors: Enactor[] = [];

  constructor(
    private readonly ctx: Context,
    readonly implementation: Implementation = IMPLEMENTATIONS[0],
  ) {
    this.planner = new Planner(ctx);
    this.reset();
  }

  /** Every enactor new and idle (the zone and the plan store are reset by whoever runs the system). */
  reset(): void {
    this.enactors = Array.from({ length: this.ctx.config.enactors }, (_, i) => this.implementation.enactor(i, this.ctx));
  }

  /**
   * Performs one action by one actor. ActionRefused when the implementation
   * does not take it (a zone that something else changed included); the
   * server's own errors are thrown as they are.
   */
  async step(action: string, actor: number): Promise<StepDone> {
    if (!(ACTIONS as string[]).includes(action)) throw new ActionRefused(`the dns system has no action ${action}`);
    const name = action as ActionName;
    try {
      if (name === 'publishPlan') {
        if (actor !== 0) throw new ActionRefused(`there is one planner (actor 0), not ${actor}`);
        await this.planner.publishPlan();
        return { outcome: 'published' };
      }
      const e = this.enactors[actor];
      if (!e) throw new ActionRefused(`there is no enactor ${actor} (there are ${this.enactors.length})`);
      await e[name]();
      const local = localOf(e);
      return { outcome: outcomeOf(name, local), local };
    } catch (err) {
      if (err instanceof ZoneChanged) throw new ActionRefused(err.message);
      throw err;
    }
  }
}
