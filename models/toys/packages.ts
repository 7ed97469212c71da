/**
 * The toy models as packages, so that `--model counter` (and the others)
 * select them like the built-in `dns` model: small models with figures known
 * independently, for trying dnsmc and for its own tests.
 */
import { definePackage } from '../../checker/package/define.js';
import type { Model } from '../../checker/model/model.js';
import type { IntParam } from '../../checker/package/params.js';
import type { ModelPackage } from '../../checker/package/package.js';
import { tcommitModel, twoPhaseModel } from './commit.js';
import { counterModel } from './counter.js';
import { lockMutexModel, naiveMutexModel } from './mutex.js';

const n = (help: string, def: number, max: number): IntParam & { name: 'n' } => ({ name: 'n', type: 'int', min: 1, max, default: def, help });

/** A package of a toy built from one whole-number parameter `n`. */
function toy(name: string, description: string, param: IntParam & { name: 'n' }, build: (n: number) => Model): ModelPackage {
  return definePackage({ name, description, params: [param], createModel: (p) => build(p.n) });
}

export const counterPackage = toy('counter', 'a bounded counter with reset: n + 1 states, diameter n', n('the largest value', 5, 1_000_000), counterModel);
export const lockMutexPackage = toy('lock-mutex', 'n processes and a test-and-set lock: mutual exclusion holds', n('processes', 3, 12), lockMutexModel);
export const naiveMutexPackage = toy('naive-mutex', 'n processes that check, then enter: the 4-step race', n('processes', 2, 12), naiveMutexModel);
export const tcommitPackage = toy('tcommit', 'TCommit, the specification of commit (TLA+ examples)', n('resource managers', 3, 8), tcommitModel);
export const twoPhasePackage = toy(
  'two-phase',
  'TwoPhase, two-phase commit with a transaction manager (TLA+ examples)',
  n('resource managers', 3, 6),
  twoPhaseModel,
);
