import { describe, expect, it } from 'vitest';
import { check } from '../../../checker/explore/bfs.js';
import { checkParallel } from '../../../checker/explore/parallel.js';
import { Canonicalizer } from '../../../checker/explore/symmetry.js';
import { dnsModel, type DnsState } from '../../../models/dns/model.js';
import { lockMutexModel } from '../../../models/toys/index.js';
import { checkTraceAgainst, parseTrace, traceOf } from '../../../traces/trace.js';

/** The JSON of every enactor renaming of a state, independent of the engine's canonicaliser. */
function naiveRenamings(s: DnsState, n: number): string[] {
  const perms: number[][] = [];
  const rec = (p: number[]): void => {
    if (p.length === n) perms.push(p);
    else for (let i = 0; i < n; i++) if (!p.includes(i)) rec([...p, i]);
  };
  rec([]);
  return perms.map((p) => {
    const per = (f: ArrayLike<number>): number[] => {
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) out[p[i]] = f[i];
      return out;
    };
    const key = JSON.stringify([
      s.latest,
      Array.from(s.alias),
      Array.from(s.trees),
      Array.from(s.lockHolder, (h) => (h < 0 ? h : p[h])),
      per(s.phase),
      per(s.plan),
      per(s.endpoint),
      per(s.failures),
    ]);
    return key;
  });
}

/** A naive canonical form: the least JSON over all enactor renamings. */
function naiveCanonical(s: DnsState, n: number): string {
  return naiveRenamings(s, n).sort()[0];
}

describe('symmetry reduction (--symmetry)', () => {
  it('fixed dns: 22,512 classes of the 127,647 states, as a naive count of renaming classes gives', () => {
    const classes = new Set<string>();
    const full = check(dnsModel({ variant: 'fixed' }), { visit: (s) => classes.add(naiveCanonical(s as DnsState, 3)) });
    expect(full.distinctStates).toBe(127_647);
    const reduced = check(dnsModel({ variant: 'fixed' }), { symmetry: true });
    expect(classes.size).toBe(22_512);
    expect([reduced.status, reduced.distinctStates, reduced.diameter, reduced.symmetry]).toEqual(['ok', 22_512, 28, true]);
  });

  it('as-was dns: the 12-step race, mapped back so that it replays without symmetry', () => {
    const m = dnsModel({ variant: 'as-was' });
    const r = check(m, { properties: ['aliasResolves'], symmetry: true });
    expect(r.status).toBe('violation');
    expect(r.violations[0].schedule).toHaveLength(12);
    const t = parseTrace(JSON.parse(JSON.stringify(traceOf(m, r.violations[0]))));
    expect(checkTraceAgainst(m, t)).toEqual([]);
    expect(t.breaks.find((b) => b.property === 'aliasResolves')?.step).toBe(12);
  });

  it('as-was dns in full: the same verdicts with and without symmetry', () => {
    const m = dnsModel({ variant: 'as-was' });
    const plain = check(m, { continueAfterViolation: true });
    const sym = check(m, { continueAfterViolation: true, symmetry: true });
    expect(sym.violations.map((v) => [v.property, v.schedule.length])).toEqual(plain.violations.map((v) => [v.property, v.schedule.length]));
    expect(sym.distinctStates).toBeLessThan(plain.distinctStates / 5);
  });

  it('the class of each state is as large as its distinct renamings, as a naive count gives', () => {
    const m = dnsModel({ variant: 'fixed' });
    const c = new Canonicalizer(m);
    const vec = m.layout.vector();
    let states = 0;
    let mismatches = 0;
    check(m, {
      visit: (s) => {
        states++;
        m.layout.fromPlain(s as never, vec);
        if (c.orbitSize(vec) !== new Set(naiveRenamings(s as DnsState, 3)).size) mismatches++;
      },
    });
    expect([states, mismatches]).toEqual([127_647, 0]);
  });

  it('the classes of the representatives add up to the states a search without symmetry stores', async () => {
    const fixed = check(dnsModel({ variant: 'fixed' }), { symmetry: true });
    expect([fixed.distinctStates, fixed.unreducedStates]).toEqual([22_512, 127_647]);
    const plain = check(dnsModel({ variant: 'fixed' }));
    expect(plain.unreducedStates).toBe(plain.distinctStates);
    // Bigger, on 2 threads (each thread sums the representatives it stores).
    const big = await checkParallel(dnsModel({ variant: 'fixed', plans: 5, endpoints: 2 }), { symmetry: true, workers: 2 });
    expect([big.distinctStates, big.unreducedStates]).toEqual([256_665, 1_507_896]);
    // Bounded by depth: every state up to depth 12 (a depth is the same for a whole class).
    const asWas = dnsModel({ variant: 'as-was', plans: 5, endpoints: 2 });
    const bounded = check(asWas, { symmetry: true, maxDepth: 12, continueAfterViolation: true });
    const boundedPlain = check(asWas, { maxDepth: 12, continueAfterViolation: true });
    expect([bounded.stoppedBy, bounded.distinctStates, bounded.unreducedStates]).toEqual(['max-depth', 6_172, 34_756]);
    expect(boundedPlain.distinctStates).toBe(34_756);
  });

  it('with 2 workers: the same reduced count', async () => {
    const r = await checkParallel(dnsModel({ variant: 'fixed' }), { symmetry: true, workers: 2 });
    expect(r.distinctStates).toBe(22_512);
  });

  it('is refused for a model that declares no interchangeable actors', () => {
    expect(() => check(lockMutexModel(2), { symmetry: true })).toThrow('check: option symmetry: model lock-mutex declares no symmetric actors');
  });
});

describe('memory', () => {
  it('reports bytes per visited state, at most 16 for a large run', () => {
    const r = check(dnsModel({ variant: 'fixed', plans: 5, endpoints: 2 }));
    expect(r.bytesPerState).toBeGreaterThan(8);
    expect(r.bytesPerState).toBeLessThanOrEqual(16);
  });

  it('maxMemoryBytes stops cleanly before the limit, as incomplete, with the statistics so far', () => {
    const limit = process.memoryUsage.rss() + 24 * 2 ** 20;
    const r = check(dnsModel({ variant: 'fixed', plans: 6, endpoints: 2 }), { maxMemoryBytes: limit });
    expect([r.status, r.stoppedBy]).toEqual(['incomplete', 'max-memory']);
    expect(r.distinctStates).toBeGreaterThan(0);
    expect(process.memoryUsage.rss()).toBeLessThan(limit + 64 * 2 ** 20);
  });
});
