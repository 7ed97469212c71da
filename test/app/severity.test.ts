/**
 * The severity order a package declares: which counterexample a run that
 * breaks several properties shows first, and when `check` searches on past
 * its first violation for a more severe one.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../checker/explore/bfs.js';
import { bySeverity, merged, moreSevere, rankOf, severityOf } from '../../app/severity.js';
import { UsageError } from '../../app/errors.js';
import { dnsModel } from '../../models/dns/model.js';
import { dnsPackage } from '../../models/dns/package.js';

const asWas = dnsModel({ variant: 'as-was' });

describe('the severity order', () => {
  it('dns: the name resolving to nothing (the outage) first, then two enactors in the lock, then a rollback', () => {
    expect(severityOf(dnsPackage, asWas)).toEqual(['aliasResolves', 'lockExclusive', 'noRollback']);
  });

  it('a package without one: every violation ranks the same, kept in the order found', () => {
    const { severity: _s, ...plain } = dnsPackage;
    expect(severityOf(plain, asWas)).toEqual([]);
    const vs = [
      { property: 'noRollback', kind: 'step' as const },
      { property: 'aliasResolves', kind: 'invariant' as const },
    ];
    expect(bySeverity([], vs)).toEqual(vs);
    expect(bySeverity(['aliasResolves'], vs).map((v) => v.property)).toEqual(['aliasResolves', 'noRollback']);
  });

  it('unlisted properties and deadlocks rank after every listed one', () => {
    const order = ['aliasResolves', 'noRollback'];
    expect(rankOf(order, { property: 'noRollback', kind: 'step' })).toBe(1);
    expect(rankOf(order, { property: 'lockExclusive', kind: 'invariant' })).toBe(2);
    expect(rankOf(order, { property: 'aliasResolves', kind: 'deadlock' })).toBe(2);
  });

  it('an order naming no property of the model, or one twice, is refused on one line naming the field', () => {
    expect(() => severityOf({ ...dnsPackage, severity: ['aliasResolves', 'nope'] }, asWas)).toThrow(
      new UsageError('model dns: severity names "nope", not one of its properties (aliasResolves|lockExclusive|noRollback)'),
    );
    expect(() => severityOf({ ...dnsPackage, severity: ['noRollback', 'noRollback'] }, asWas)).toThrow('model dns: severity names noRollback twice');
  });

  it('as-was: the search stops at noRollback (10 steps); the more severe aliasResolves and lockExclusive are left to decide, and a follow-up finds aliasResolves (12 steps)', () => {
    const order = severityOf(dnsPackage, asWas);
    const first = check(asWas);
    expect(first.violations.map((v) => [v.property, v.schedule.length])).toEqual([['noRollback', 10]]);
    const more = moreSevere(order, first);
    expect(more).toEqual(['aliasResolves', 'lockExclusive']);
    const follow = check(asWas, { properties: more, checkDeadlock: false });
    expect(moreSevere(order, follow)).toEqual([]);
    const r = merged(order, first, follow);
    expect(r.violations.map((v) => [v.property, v.schedule.length])).toEqual([
      ['aliasResolves', 12],
      ['noRollback', 10],
    ]);
    expect(r).toMatchObject({ status: 'violation', properties: ['aliasResolves', 'lockExclusive', 'noRollback'], complete: false, stoppedBy: null });
    expect(r.durationMs).toBe(first.durationMs + follow.durationMs);
  });

  it('nothing to follow up when the search completed, or a limit stopped it', () => {
    const order = severityOf(dnsPackage, asWas);
    expect(moreSevere(order, check(asWas, { continueAfterViolation: true }))).toEqual([]);
    expect(moreSevere(order, check(asWas, { maxStates: 100 }))).toEqual([]);
  });
});
