import { describe, expect, it } from 'vitest';
import { check } from '../../checker/explore/bfs.js';
import { counterModel, lockMutexModel, naiveMutexModel, tcommitModel, twoPhaseModel } from '../../models/toys/index.js';

// Figures known independently of dnsmc (see each model's header comment).
describe('toy models with known figures', () => {
  it('a counter to N has N + 1 states and diameter N', () => {
    for (const n of [0, 1, 5, 1000]) {
      const r = check(counterModel(n));
      expect([r.status, r.distinctStates, r.diameter]).toEqual(['ok', n + 1, n]);
    }
  });

  it('a counter forbidden to reach 4 fails after exactly 4 steps', () => {
    const r = check(counterModel(10, 4));
    expect(r.violations[0].schedule.map((t) => t.name)).toEqual(['increment', 'increment', 'increment', 'increment']);
  });

  it('the lock mutex has 2^n + n * 2^(n-1) states, diameter n + 1, and excludes', () => {
    for (const n of [1, 2, 3, 6]) {
      const r = check(lockMutexModel(n));
      expect([r.status, r.distinctStates, r.diameter]).toEqual(['ok', 2 ** n + n * 2 ** (n - 1), n + 1]);
    }
  });

  it('the naive test-then-set mutex lets two processes in after 4 steps', () => {
    const r = check(naiveMutexModel(2));
    expect(r.status).toBe('violation');
    expect(r.violations[0].schedule.map((t) => `${t.name}(${t.actor})`)).toEqual(['test(0)', 'test(1)', 'set(0)', 'set(1)']);
  });

  it('TCommit with 3 resource managers has 34 states', () => {
    expect(check(tcommitModel(3)).distinctStates).toBe(34);
  });

  it('TwoPhase with 3 resource managers has 288 states (as TLC reports for tlaplus/Examples)', () => {
    const r = check(twoPhaseModel(3));
    expect([r.status, r.distinctStates]).toEqual(['ok', 288]);
  });
});
