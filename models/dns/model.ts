/**
 * The DNS planner/enactor protocol, exactly as docs/protocol.md defines
 * it. One action per real-world step; each reads guard first, then effect.
 * See README.md beside this file for the incident and what is abstracted.
 */
import { array, bit, defineLayout, enumOf, int, maybe, setOf, type StateOf } from '../../checker/state/layout.js';
import type { Action, Invariant, Model, StepInfo, StepInvariant } from '../../checker/model/model.js';
import type { AlwaysReachable, LeadsTo } from '../../checker/liveness/temporal.js';
import type { JsonState } from '../../checker/state/layout.js';
import { VARIANTS, resolveParams, type DnsParams } from './params.js';

/** Enactor phases, in the order of one pass through the protocol. */
export const PHASES = ['idle', 'lock', 'backoff', 'build', 'flip', 'cleanup'] as const;
const IDLE = 0;
const LOCK = 1;
const BACKOFF = 2;
const BUILD = 3;
const FLIP = 4;
const CLEANUP = 5;
/** No enactor holds the lock. */
const NONE = -1;

/** The state layout for one parameter set. */
export function dnsFields(p: DnsParams) {
  return {
    /** Newest published generation (0 = none yet). */
    latest: int(0, p.plans),
    /** Per endpoint: the generation the top alias points at (0 = never set). */
    alias: array(p.endpoints, int(0, p.plans)),
    /** Per endpoint: the generations whose plan tree exists in Route 53. */
    trees: array(p.endpoints, setOf(1, p.plans)),
    /** Per endpoint: the enactor named in the TXT lock record, or none. */
    lockHolder: array(p.endpoints, maybe(0, p.enactors - 1)),
    phase: array(p.enactors, enumOf(PHASES)),
    /** The plan an enactor is applying (0 when idle). */
    plan: array(p.enactors, int(0, p.plans)),
    /** The endpoint an enactor is working on (0 when idle). */
    endpoint: array(p.enactors, int(0, p.endpoints - 1)),
    /** Failed lock attempts, saturating at maxBackoff (0 when idle). */
    failures: array(p.enactors, int(0, p.maxBackoff)),
  };
}

export type DnsFields = ReturnType<typeof dnsFields>;
export type DnsState = StateOf<DnsFields>;
export type DnsModel = Model<DnsFields> & { readonly config: DnsParams };

const has = (set: number, g: number): boolean => (set & bit(g)) !== 0;

/** Becoming idle: phase idle, plan 0, endpoint 0, failures 0. */
function becomeIdle(s: DnsState, e: number): void {
  s.phase[e] = IDLE;
  s.plan[e] = 0;
  s.endpoint[e] = 0;
  s.failures[e] = 0;
}

/** Builds the `dns` model for the given parameters (defaults: docs/protocol.md's). */
export function dnsModel(params: Partial<DnsParams> = {}): DnsModel {
  const p = resolveParams(params);
  const { recheckUnderLock, cleanerSparesActive } = VARIANTS[p.variant];
  // The model's writes are tested; the search runs without checking each one.
  const layout = defineLayout(dnsFields(p), { checkWrites: false });

  const init: DnsState = {
    latest: 0,
    alias: new Array(p.endpoints).fill(0),
    trees: new Array(p.endpoints).fill(0),
    lockHolder: new Array(p.endpoints).fill(NONE),
    phase: new Array(p.enactors).fill(IDLE),
    plan: new Array(p.enactors).fill(0),
    endpoint: new Array(p.enactors).fill(0),
    failures: new Array(p.enactors).fill(0),
  };

  // 1. The planner writes a new versioned plan (a JSON file in S3).
  //    Simplified: plans carry no contents; a generation number stands for the
  //    load-balancer set it lists.
  const publishPlan: Action<DnsState> = {
    name: 'publishPlan',
    role: 'planner',
    guard: (s) => s.latest < p.plans,
    effect: (s) => {
      s.latest = s.latest + 1;
    },
  };

  // 2. An idle enactor picks up the newest plan after checking, once and
  //    early, that some endpoint is behind it (the one-time freshness check).
  const pickPlan: Action<DnsState> = {
    name: 'pickPlan',
    role: 'enactor',
    guard: (s, e) => {
      if (s.phase[e] !== IDLE) return false;
      for (let k = 0; k < p.endpoints; k++) if (s.alias[k] < s.latest) return true;
      return false;
    },
    effect: (s, e) => {
      s.plan[e] = s.latest;
      s.endpoint[e] = 0;
      s.failures[e] = 0;
      s.phase[e] = LOCK;
    },
  };

  // 3. The enactor tries to take the endpoint's TXT-record lock with one
  //    Route 53 transaction (delete the expected record, create its own).
  //    It fails if another enactor holds it; the loser backs off.
  const acquireLock: Action<DnsState> = {
    name: 'acquireLock',
    role: 'enactor',
    guard: (s, e) => s.phase[e] === LOCK,
    effect: (s, e) => {
      const k = s.endpoint[e];
      if (s.lockHolder[k] === NONE) {
        s.lockHolder[k] = e;
        s.failures[e] = 0;
        s.phase[e] = BUILD;
      } else {
        s.failures[e] = Math.min(s.failures[e] + 1, p.maxBackoff);
        s.phase[e] = BACKOFF;
      }
    },
  };

  // 4. After backing off, the enactor tries the lock again.
  //    Simplified: the wait itself is not modelled; any interleaving of other
  //    steps during it is.
  const retryLock: Action<DnsState> = {
    name: 'retryLock',
    role: 'enactor',
    guard: (s, e) => s.phase[e] === BACKOFF,
    effect: (s, e) => {
      s.phase[e] = LOCK;
    },
  };

  // 5. Under the lock, the enactor builds its plan tree
  //    (plan-N.ddb.aws -> lb-1, lb-2, ...). The transaction fails if the
  //    active alias dangles; with the recheck fix it also gives up when its
  //    plan is not newer than the active one. Giving up releases the lock.
  const buildTree: Action<DnsState> = {
    name: 'buildTree',
    role: 'enactor',
    guard: (s, e) => s.phase[e] === BUILD,
    effect: (s, e) => {
      const k = s.endpoint[e];
      const stale = recheckUnderLock && s.plan[e] <= s.alias[k];
      const dangling = s.alias[k] !== 0 && !has(s.trees[k], s.alias[k]);
      if (stale || dangling) {
        s.lockHolder[k] = NONE;
        becomeIdle(s, e);
      } else {
        s.trees[k] = s.trees[k] | bit(s.plan[e]);
        s.phase[e] = FLIP;
      }
    },
  };

  // 6. The enactor points the endpoint's top alias at its plan tree and
  //    releases the lock, then moves on to the next endpoint or to cleanup.
  const flipAlias: Action<DnsState> = {
    name: 'flipAlias',
    role: 'enactor',
    guard: (s, e) => s.phase[e] === FLIP,
    effect: (s, e) => {
      const k = s.endpoint[e];
      s.alias[k] = s.plan[e];
      s.lockHolder[k] = NONE;
      if (k + 1 < p.endpoints) {
        s.endpoint[e] = k + 1;
        s.failures[e] = 0;
        s.phase[e] = LOCK;
      } else {
        s.phase[e] = CLEANUP;
      }
    },
  };

  // 7. The enactor deletes plan trees many generations older than the plan it
  //    just applied, on every endpoint. Simplified: one atomic step; with the
  //    fix it spares whatever the top alias points at.
  const cleanupPlans: Action<DnsState> = {
    name: 'cleanupPlans',
    role: 'enactor',
    guard: (s, e) => s.phase[e] === CLEANUP,
    effect: (s, e) => {
      for (let k = 0; k < p.endpoints; k++) {
        for (let g = 1; g + p.keep < s.plan[e]; g++) {
          if (cleanerSparesActive && g === s.alias[k]) continue;
          s.trees[k] = s.trees[k] & ~bit(g);
        }
      }
      becomeIdle(s, e);
    },
  };

  const aliasResolves: Invariant<DnsState> = {
    name: 'aliasResolves',
    description: 'the top alias never resolves to empty: every alias is unset or points at an existing plan tree',
    holds: (s) => {
      for (let k = 0; k < p.endpoints; k++) if (s.alias[k] !== 0 && !has(s.trees[k], s.alias[k])) return false;
      return true;
    },
    explain: (s) => {
      for (let k = 0; k < p.endpoints; k++) {
        if (s.alias[k] !== 0 && !has(s.trees[k], s.alias[k])) {
          return `endpoint ${k}'s top alias points at plan ${s.alias[k]}, whose tree has been deleted: the name resolves to nothing`;
        }
      }
      return 'every alias resolves';
    },
  };

  const lockExclusive: Invariant<DnsState> = {
    name: 'lockExclusive',
    description: 'at most one enactor builds or flips on an endpoint, and it holds that endpoint’s lock',
    holds: (s) => {
      for (let e = 0; e < p.enactors; e++) {
        const ph = s.phase[e];
        if ((ph === BUILD || ph === FLIP) && s.lockHolder[s.endpoint[e]] !== e) return false;
      }
      return true;
    },
    explain: (s) => {
      for (let e = 0; e < p.enactors; e++) {
        const ph = s.phase[e];
        const k = s.endpoint[e];
        if ((ph === BUILD || ph === FLIP) && s.lockHolder[k] !== e) {
          return `enactor ${e} is in ${PHASES[ph]} on endpoint ${k} without holding its lock`;
        }
      }
      return 'the lock is exclusive';
    },
  };

  const noRollback: StepInvariant<DnsState> = {
    name: 'noRollback',
    description: 'no step points a top alias at an older plan than the one it pointed at',
    holds: (before, after) => {
      for (let k = 0; k < p.endpoints; k++) if (after.alias[k] < before.alias[k]) return false;
      return true;
    },
    explain: (before, after) => {
      for (let k = 0; k < p.endpoints; k++) {
        if (after.alias[k] < before.alias[k]) {
          return `endpoint ${k}'s top alias rolled back from plan ${before.alias[k]} to plan ${after.alias[k]}`;
        }
      }
      return 'no rollback';
    },
  };

  // Healthy: every endpoint's alias equals latest and resolves (alias[k] in trees[k]).
  const healthy = {
    description: 'every endpoint’s alias equals latest and resolves',
    holds: (s: Readonly<DnsState>): boolean => {
      for (let k = 0; k < p.endpoints; k++) if (s.alias[k] !== s.latest || !has(s.trees[k], s.alias[k])) return false;
      return true;
    },
  };

  // The automation can still repair the endpoint, whatever has happened (AG EF healthy).
  const recoverable: AlwaysReachable<DnsState> = {
    kind: 'alwaysReachable',
    name: 'recoverable',
    description: 'from every reachable state, a state where every alias equals latest and resolves can still be reached',
    goal: healthy,
  };

  // Once the planner has published its last plan, every endpoint ends up on it (P ~> Q, under the enactors' weak fairness).
  const converges: LeadsTo<DnsState> = {
    kind: 'leadsTo',
    name: 'converges',
    description: 'once the planner has published its last plan, every endpoint eventually points at the newest plan and resolves',
    from: { description: 'latest = plans', holds: (s) => s.latest === p.plans },
    to: healthy,
  };

  return {
    name: 'dns',
    variant: p.variant,
    params: { ...p },
    config: p,
    // Worker threads rebuild the model from this (parallel search).
    origin: { module: import.meta.url, export: 'dnsModel', args: [{ ...p }] },
    // Enactors are interchangeable: renaming them maps runs to runs (symmetry reduction).
    symmetry: { role: 'enactor', indexed: ['phase', 'plan', 'endpoint', 'failures'], holds: ['lockHolder'] },
    layout,
    roles: { planner: 1, enactor: p.enactors },
    init: [init],
    actions: [publishPlan, pickPlan, acquireLock, retryLock, buildTree, flipAlias, cleanupPlans],
    invariants: [aliasResolves, lockExclusive],
    stepInvariants: [noRollback],
    liveness: [recoverable, converges],
    // Each enactor, when it can keep taking steps, eventually does (WF per enactor); the planner may stop.
    fairness: [{ kind: 'weak', role: 'enactor' }],
    // Every terminal state has all enactors idle and alias = latest = plans everywhere.
    terminalOk: (s) => {
      if (s.latest !== p.plans) return false;
      for (let k = 0; k < p.endpoints; k++) if (s.alias[k] !== p.plans) return false;
      for (let e = 0; e < p.enactors; e++) if (s.phase[e] !== IDLE) return false;
      return true;
    },
    actorName: (role, actor) => (role === 'planner' ? 'the planner' : `enactor ${actor}`),
    narrate: (step) => narrate(p, step),
    render: (s) => render(p, s),
  };
}

const where = (p: DnsParams, k: number): string => (p.endpoints > 1 ? ` of endpoint ${k}` : '');

/** Tells one step in the words of the postmortem. */
function narrate(p: DnsParams, { action, actor: e, before: b, after: a }: StepInfo): string {
  const num = (s: JsonState, f: string, i: number): number => (s[f] as number[])[i];
  const k = num(b, 'endpoint', e);
  const who = `enactor ${e}`;
  switch (action) {
    case 'publishPlan':
      return `the planner publishes plan ${a.latest as number}`;
    case 'pickPlan':
      return `${who} picks up plan ${num(a, 'plan', e)} (newest; the one-time freshness check passes)`;
    case 'acquireLock':
      return Array.isArray(a.phase) && a.phase[e] === 'build'
        ? `${who} takes the lock${where(p, k)}`
        : `${who} loses the lock race${where(p, k)} to enactor ${(b.lockHolder as number[])[k]} and backs off (failures: ${num(a, 'failures', e)})`;
    case 'retryLock':
      return `${who} retries the lock${where(p, k)}`;
    case 'buildTree': {
      const plan = num(b, 'plan', e);
      const active = num(b, 'alias', k);
      if ((a.phase as string[])[e] === 'idle') {
        const trees = (b.trees as number[][])[k];
        return active !== 0 && !trees.includes(active)
          ? `${who} gives up${where(p, k)}: the active plan ${active}'s tree is gone, so the transaction fails; it releases the lock`
          : `${who} gives up: plan ${plan} is not newer than the active plan ${active}; it releases the lock`;
      }
      return `${who} builds the tree of plan ${plan}${where(p, k)}`;
    }
    case 'flipAlias': {
      const plan = num(b, 'plan', e);
      const active = num(b, 'alias', k);
      const age =
        active === 0
          ? ''
          : plan < active
            ? `, older than the active plan ${active}`
            : plan === active
              ? ', the plan already active'
              : `, replacing plan ${active}`;
      return `${who} points the top alias${where(p, k)} at plan ${plan}${age}, and releases the lock`;
    }
    case 'cleanupPlans': {
      const plan = num(b, 'plan', e);
      const gone: string[] = [];
      for (let j = 0; j < p.endpoints; j++) {
        const was = (b.trees as number[][])[j];
        const now = (a.trees as number[][])[j];
        const deleted = was.filter((g) => !now.includes(g));
        if (deleted.length > 0) gone.push(`tree${deleted.length > 1 ? 's' : ''} ${deleted.join(', ')}${where(p, j)}`);
      }
      return gone.length > 0
        ? `${who} cleans up after plan ${plan}: deletes ${gone.join('; ')}`
        : `${who} cleans up after plan ${plan}: nothing old enough to delete`;
    }
    default:
      return `${who} takes ${action}`;
  }
}

/** The state for people: one line per endpoint, one per enactor. */
function render(p: DnsParams, s: JsonState): string[] {
  const lines = [`planner: latest plan ${s.latest as number}`];
  for (let k = 0; k < p.endpoints; k++) {
    const alias = (s.alias as number[])[k];
    const trees = (s.trees as number[][])[k];
    const holder = (s.lockHolder as (number | null)[])[k];
    const target = alias === 0 ? 'unset' : `plan ${alias}${trees.includes(alias) ? '' : ' (TREE DELETED)'}`;
    lines.push(`endpoint ${k}: alias -> ${target}; trees {${trees.join(', ')}}; lock ${holder === null ? 'free' : `enactor ${holder}`}`);
  }
  for (let e = 0; e < p.enactors; e++) {
    const ph = (s.phase as string[])[e];
    const detail =
      ph === 'idle'
        ? ''
        : ` plan ${(s.plan as number[])[e]}${p.endpoints > 1 ? ` endpoint ${(s.endpoint as number[])[e]}` : ''} failures ${(s.failures as number[])[e]}`;
    lines.push(`enactor ${e}: ${ph}${detail}`);
  }
  return lines;
}
