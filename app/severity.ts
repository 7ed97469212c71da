/**
 * Which counterexample a run that breaks several properties shows first: the
 * most severe, by the order the model package declares (`ModelPackage.severity`,
 * most severe first). A search that stopped at its first violation found the
 * first in breadth-first order, which need not be the most severe; it is then
 * followed by a search for the properties more severe than any it found
 * broken, which ends with a counterexample of the most severe of them that
 * breaks, or proves they hold. Nothing here knows any particular model.
 */
import type { CheckResult, Violation } from '../checker/explore/bfs.js';
import { statusOf } from '../checker/model/kernel.js';
import { propertyNames, type Model } from '../checker/model/model.js';
import type { ModelPackage } from '../checker/package/package.js';
import { UsageError } from './errors.js';

/** The package's severity order, checked against the model's properties; empty when it declares none. */
export function severityOf(pkg: ModelPackage, model: Model): readonly string[] {
  const order = pkg.severity;
  if (order === undefined) return [];
  const names = propertyNames(model);
  const where = `model ${pkg.name}: severity`;
  if (!Array.isArray(order)) throw new UsageError(`${where} must be a list of property names, most severe first`);
  const seen = new Set<string>();
  for (const p of order) {
    if (typeof p !== 'string' || !names.includes(p))
      throw new UsageError(`${where} names ${JSON.stringify(p)}, not one of its properties (${names.join('|')})`);
    if (seen.has(p)) throw new UsageError(`${where} names ${p} twice`);
    seen.add(p);
  }
  return order;
}

/** A violation's rank: its property's place in the order; properties the order leaves out, and deadlocks, after every listed one. */
export function rankOf(order: readonly string[], v: Pick<Violation, 'property' | 'kind'>): number {
  const i = v.kind === 'deadlock' ? -1 : order.indexOf(v.property);
  return i < 0 ? order.length : i;
}

/** The violations, most severe first; equally severe ones in the order found. */
export function bySeverity<V extends Pick<Violation, 'property' | 'kind'>>(order: readonly string[], violations: readonly V[]): V[] {
  return violations
    .map((v, i) => ({ v, i, r: rankOf(order, v) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.v);
}

/**
 * The checked properties more severe than every violation `r` found, most
 * severe first: what a search that stopped at its first violation leaves
 * undecided and a follow-up search should decide. Empty when the search was
 * not stopped by a violation (it completed, or a limit or a signal stopped it).
 */
export function moreSevere(order: readonly string[], r: CheckResult): string[] {
  if (r.violations.length === 0 || r.complete || r.stoppedBy !== null) return [];
  const best = Math.min(...r.violations.map((v) => rankOf(order, v)));
  return order.slice(0, best).filter((p) => r.properties.includes(p));
}

/** What the follow-up search for the more severe properties found. */
export interface FollowUp {
  /** The properties it searched for, most severe first. */
  readonly properties: readonly string[];
  /** Its own result. */
  readonly result: CheckResult;
}

/**
 * One result for the first search and its follow-ups: every property
 * checked, the violations of both most severe first, the counts of the last
 * (it searched the same state space, further), the durations added up.
 */
export function merged(order: readonly string[], first: CheckResult, follow: CheckResult): CheckResult {
  const violations = bySeverity(order, [...first.violations, ...follow.violations]);
  const durationMs = first.durationMs + follow.durationMs;
  return {
    ...follow,
    status: statusOf(violations, follow.stoppedBy !== null),
    properties: first.properties,
    violations,
    durationMs,
    statesPerSecond: durationMs > 0 ? Math.round((follow.distinctStates / durationMs) * 1000) : follow.distinctStates,
    peakMemoryBytes: Math.max(first.peakMemoryBytes, follow.peakMemoryBytes),
  };
}

/**
 * The lines a text report adds when the trace it shows is not the only
 * property that broke: which others broke too and how to see each one's
 * shortest counterexample (`again(p)`: the command line for property p), and
 * what the follow-up search decided.
 */
export function severityLines(r: CheckResult, followUps: readonly FollowUp[], again: (p: string) => string): string[] {
  const lines: string[] = [];
  const [shown, ...others] = r.violations;
  if (shown === undefined) return lines;
  for (const v of others) {
    if (v.kind === 'deadlock') lines.push(`a deadlock was found too (${v.schedule.length} steps)`);
    else lines.push(`${v.property} broke too (${v.schedule.length} steps): ${again(v.property)}`);
  }
  for (const f of followUps) {
    const found = f.result.violations.map((v) => v.property);
    const searched = `a second search, for the more severe ${f.properties.join(', ')},`;
    if (found.length > 0) lines.push(`(the search stops at its first violation; ${searched} found ${found.join(', ')}: the trace shown)`);
    else if (f.result.complete) lines.push(`(the search stops at its first violation; ${searched} proved they hold in all reachable states)`);
    else lines.push(`(the search stops at its first violation; ${searched} was stopped by ${f.result.stoppedBy}: undecided)`);
  }
  return lines;
}
