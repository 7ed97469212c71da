/**
 * A user's own model, written only against dnsmc's public API: two enactors
 * that share a lease lock and write to one store.
 *
 * The same shape of bug as the DNS race, in a smaller protocol: an enactor
 * takes the lease, stalls (a GC pause, a slow network), and its lease
 * expires; the other enactor takes the lease and writes a newer value; the
 * stalled enactor wakes, still believing it holds the lease, and overwrites
 * the newer value with its older one.
 *
 * Variants:
 *  - `as-was`: the store accepts any write.
 *  - `fixed`: fencing tokens. Each lease grant carries a token one higher than
 *    the last; the store rejects a write whose token is lower than the one it
 *    holds, and the writer gives up.
 *
 * Parameters: `variant` (default `as-was`) and `tokens` (how many lease
 * grants there are, 1 to 15, default 3; bounds the state space), declared
 * in `modelPackage` below, so that they are flags of every command.
 *
 * Run it:
 *   npx dnsmc check --model examples/two-enactor-lock.ts
 *   npx dnsmc check --model examples/two-enactor-lock.ts --variant fixed --tokens 5
 *   npx dnsmc simulate --model examples/two-enactor-lock.ts --scheduler slow-enactor --seed 7
 */
import { array, defineLayout, defineModel, definePackage, enumOf, int, maybe } from 'dnsmc';
import type { Action, Invariant, Model, StateOf, StepInvariant } from 'dnsmc';

const PHASES = ['idle', 'holding', 'done'] as const;
const IDLE = 0;
const HOLDING = 1;
const DONE = 2;
const NONE = -1;
const VARIANTS = ['as-was', 'fixed'] as const;

/** The parameters, as `dnsmc` hands them to `createModel` (flags or a trace's `params`, defaults filled in). */
export interface LockParams {
  variant?: string;
  tokens?: number;
}

function layoutFor(tokens: number) {
  return defineLayout({
    /** The enactor holding the lease, or none (the lease service's view). */
    lease: maybe(0, 1),
    /** The last fencing token granted (0 = none yet). */
    granted: int(0, tokens),
    /** Per enactor: where it is in one pass. */
    phase: array(2, enumOf(PHASES)),
    /** Per enactor: the token of the lease it believes it holds (0 when idle). */
    token: array(2, int(0, tokens)),
    /** The token of the write the store holds (0 = nothing written). */
    stored: int(0, tokens),
    /** Ghost: the highest token any write the store accepted ever had. */
    newest: int(0, tokens),
  });
}

type Fields = ReturnType<typeof layoutFor>['fields'];
type S = StateOf<Fields>;

/** Builds the model; throws an Error naming a bad parameter. */
export function createModel(params: LockParams = {}): Model<Fields> {
  const variant = params.variant ?? 'as-was';
  const tokens = params.tokens ?? 3;
  if (!(VARIANTS as readonly string[]).includes(variant)) throw new Error(`variant must be one of ${VARIANTS.join('|')}, got ${variant}`);
  if (!Number.isInteger(tokens) || tokens < 1 || tokens > 15) throw new Error(`tokens must be a whole number from 1 to 15, got ${tokens}`);
  const fencing = variant === 'fixed';
  const layout = layoutFor(tokens);

  // An idle enactor takes the free lease; the lease service grants the next token.
  const acquire: Action<S> = {
    name: 'acquire',
    role: 'enactor',
    guard: (s, e) => s.phase[e] === IDLE && s.lease === NONE && s.granted < tokens,
    effect: (s, e) => {
      s.granted = s.granted + 1;
      s.lease = e;
      s.token[e] = s.granted;
      s.phase[e] = HOLDING;
    },
  };

  // The lease times out while its holder is stalled. The holder is not told.
  const expire: Action<S> = {
    name: 'expire',
    role: 'clock',
    guard: (s) => s.lease !== NONE,
    effect: (s) => {
      s.lease = NONE;
    },
  };

  // The enactor writes under the lease it believes it holds. With fencing,
  // the store rejects a token lower than the one it holds.
  const write: Action<S> = {
    name: 'write',
    role: 'enactor',
    guard: (s, e) => s.phase[e] === HOLDING,
    effect: (s, e) => {
      s.phase[e] = DONE;
      if (fencing && s.token[e] < s.stored) return;
      s.stored = s.token[e];
      if (s.token[e] > s.newest) s.newest = s.token[e];
    },
  };

  // The enactor releases the lease (if it still has it) and goes idle.
  const release: Action<S> = {
    name: 'release',
    role: 'enactor',
    guard: (s, e) => s.phase[e] === DONE,
    effect: (s, e) => {
      if (s.lease === e) s.lease = NONE;
      s.phase[e] = IDLE;
      s.token[e] = 0;
    },
  };

  const noLostUpdate: Invariant<S> = {
    name: 'noLostUpdate',
    description: 'the store holds the newest write it ever accepted',
    holds: (s) => s.stored === s.newest,
    explain: (s) => `the store holds the write of token ${s.stored}, but it accepted token ${s.newest}'s: that newer write is lost`,
  };

  const storeNeverOlder: StepInvariant<S> = {
    name: 'storeNeverOlder',
    description: 'no write replaces the stored value with one from an older lease',
    holds: (before, after) => after.stored >= before.stored,
    explain: (before, after) => `the store went back from token ${before.stored} to token ${after.stored}`,
  };

  return defineModel({
    name: 'two-enactor-lock',
    variant,
    params: { variant, tokens },
    layout,
    roles: { enactor: 2, clock: 1 },
    // Enum fields by name (or by index: 'idle' is 0).
    init: [{ lease: NONE, granted: 0, phase: ['idle', 'idle'], token: [0, 0], stored: 0, newest: 0 }],
    actions: [acquire, expire, write, release],
    invariants: [noLostUpdate],
    stepInvariants: [storeNeverOlder],
    // Every grant used and every enactor idle: the proper end.
    terminalOk: (s) => s.phase[0] === IDLE && s.phase[1] === IDLE,
    actorName: (role, actor) => (role === 'clock' ? 'the lease clock' : `enactor ${actor}`),
    narrate: ({ action, actor, before, after }) => {
      const tok = (s: typeof before): number => (s.token as number[])[actor];
      switch (action) {
        case 'acquire':
          return `enactor ${actor} takes the lease with token ${tok(after)}`;
        case 'expire':
          return `the lease of enactor ${before.lease as number} expires (it is not told)`;
        case 'write':
          return after.stored === before.stored && tok(before) !== before.stored
            ? `enactor ${actor} tries to write with token ${tok(before)}; the store holds token ${before.stored as number} and rejects it`
            : `enactor ${actor} writes with token ${tok(before)}`;
        default:
          return `enactor ${actor} releases the lease and goes idle`;
      }
    },
    render: (s) => [
      `lease: ${s.lease === null ? 'free' : `enactor ${s.lease as number}`}; tokens granted: ${s.granted as number}`,
      `store: token ${s.stored as number} (newest accepted ${s.newest as number})`,
      ...[0, 1].map((e) => `enactor ${e}: ${(s.phase as string[])[e]}${(s.token as number[])[e] ? ` with token ${(s.token as number[])[e]}` : ''}`),
    ],
  });
}

/**
 * The model package dnsmc loads: the parameters it declares become flags
 * (`--variant`, `--tokens`), checked against their ranges before
 * `createModel` runs, which gets them typed (`variant: 'as-was' | 'fixed'`,
 * `tokens: number`); `slow-enactor` is offered to `dnsmc simulate`.
 */
export const modelPackage = definePackage({
  name: 'two-enactor-lock',
  description: 'two enactors sharing a lease lock and one store (fencing tokens fix it)',
  params: [
    { name: 'variant', type: 'enum', values: VARIANTS, default: 'as-was', help: 'as-was: the store accepts any write; fixed: fencing tokens' },
    { name: 'tokens', type: 'int', min: 1, max: 15, default: 3, help: 'lease grants there are (bounds the state space)' },
  ],
  createModel: (p) => createModel(p),
  schedulers: [{ name: 'slow-enactor', help: 'enactor 0 is rarely scheduled (its lease expires under it)', slow: { role: 'enactor', actor: 0 } }],
});
