/**
 * Drifted implementations of the protocol, kept beside the reference one
 * (reference.ts) for one purpose: to show that `dnsmc test-system` catches
 * code that has drifted from the model. Each differs from the reference in
 * one place, the way real code drifts from a correct design:
 *
 * - `recheck-before-lock`: the freshness check ("is my plan newer than the
 *   active one?") is done once, before taking the lock, and not again under
 *   it (the code of the October 2025 seed). Under a variant with the recheck
 *   fix, an enactor that lost the race builds and flips a stale plan.
 * - `cleanup-unguarded`: cleanup deletes old trees without reading the
 *   aliases and without the prerequisite that spares the active tree. Under
 *   a variant whose cleanup spares the active tree, it deletes it.
 *
 * Never use these for anything else.
 */
import { DNS_IMPLEMENTATIONS } from './implementations.js';
import { Enactor, readAlias, type Context } from './reference.js';

/** The freshness check done once, before the lock; nothing rechecked under it. */
export class RecheckBeforeLockEnactor extends Enactor {
  protected override recheckUnderLock(): boolean {
    return false;
  }

  override async acquireLock(): Promise<void> {
    this.expect('lock', 'take the lock');
    if (this.ctx.config.recheckUnderLock && this.plan <= (await readAlias(this.ctx, this.endpoint))) {
      this.becomeIdle();
      return;
    }
    await super.acquireLock();
  }
}

/** Cleanup that deletes every old tree, the active one included, with no prerequisite on the aliases. */
export class CleanupUnguardedEnactor extends Enactor {
  protected override sparesActive(): boolean {
    return false;
  }
}

/** An implementation of the protocol's enactor, by name. */
export interface Implementation {
  readonly name: string;
  readonly help: string;
  enactor(id: number, ctx: Context): Enactor;
}

const BUILD: Readonly<Record<(typeof DNS_IMPLEMENTATIONS)[number]['name'], Implementation['enactor']>> = {
  reference: (id, ctx) => new Enactor(id, ctx),
  'recheck-before-lock': (id, ctx) => new RecheckBeforeLockEnactor(id, ctx),
  'cleanup-unguarded': (id, ctx) => new CleanupUnguardedEnactor(id, ctx),
};

/** The implementations the dns system can run: the reference first (the default), then the drifted ones. */
export const IMPLEMENTATIONS: readonly Implementation[] = DNS_IMPLEMENTATIONS.map((i) => ({ ...i, enactor: BUILD[i.name] }));
