/**
 * The example property test users can copy into their own vitest suite.
 *
 * It uses only dnsmc's public API. In your project, import from 'dnsmc'
 * instead of '../index.js':
 *
 *     import { assertSchedule, dnsModel, runSchedule, scheduleArb } from 'dnsmc';
 *
 * `scheduleArb(model, { maxSteps })` generates executable schedules (lists of
 * steps, each enabled when taken) and shrinks a failing one by dropping
 * steps. `assertSchedule(model, schedule, { properties })` runs a schedule,
 * checks the properties at every state and step, and throws with the
 * narrated steps when one breaks, so fast-check reports a short, readable
 * counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSchedule, dnsModel, runSchedule, scheduleArb } from '../index.js';

describe('the DNS protocol under random schedules (fast-check)', () => {
  it('as-was: fast-check finds the race and shrinks it to at most 14 steps', () => {
    const model = dnsModel({ variant: 'as-was' });
    const property = fc.property(scheduleArb(model, { maxSteps: 40 }), (schedule) => {
      assertSchedule(model, schedule, { properties: ['aliasResolves'] });
    });
    // A fixed seed keeps the test deterministic; drop it to explore anew on every run.
    const details = fc.check(property, { seed: 1, numRuns: 2000 });
    expect(details.failed).toBe(true);
    const shrunk = details.counterexample![0];
    const run = runSchedule(model, shrunk, { properties: ['aliasResolves'] });
    expect(run.broken?.property).toBe('aliasResolves');
    expect(run.broken!.step).toBeLessThanOrEqual(14);
    // The error fast-check reports narrates the race in the protocol's words.
    expect(String(details.errorInstance)).toContain('aliasResolves violated after');
    expect(String(details.errorInstance)).toContain('whose tree has been deleted');
  });

  it('fixed: 10,000 random schedules pass every property', () => {
    const model = dnsModel({ variant: 'fixed' });
    fc.assert(
      fc.property(scheduleArb(model, { maxSteps: 40 }), (schedule) => {
        assertSchedule(model, schedule);
      }),
      { seed: 1, numRuns: 10_000 },
    );
  });
});
