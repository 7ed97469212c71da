/**
 * The CI artifact example of docs/library.md, run against the built package
 * (dist/index.js, what `dnsmc` resolves to once installed): a property test
 * that, when its property fails, writes the viewer page of the failing
 * schedule before it fails the test. In your project, import from 'dnsmc'
 * instead of '../dist/index.js'.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSchedule, dnsModel, dnsPackage, ScheduleViolation, scheduleArb, type Trace, traceOfSchedule, writeViewer } from '../dist/index.js';

describe('a failing property test leaves the viewer page as a CI artifact (the built package)', () => {
  it('as-was: the page of the shrunk race is written, and the test still fails with the narrated race', () => {
    const dir = mkdtempSync(join(tmpdir(), 'artifact-'));
    const page = join(dir, 'race.html');
    const written: Trace[] = [];

    // --- the example in docs/library.md ---
    const model = dnsModel({ variant: 'as-was' });
    const property = fc.property(scheduleArb(model, { maxSteps: 40 }), (schedule) => {
      try {
        assertSchedule(model, schedule, { properties: ['aliasResolves'] });
      } catch (e) {
        if (e instanceof ScheduleViolation) {
          // fast-check calls this for each failing schedule as it shrinks: the page ends as the shortest.
          const trace = traceOfSchedule(model, schedule, { properties: ['aliasResolves'] });
          writeViewer(trace, page, { model, presentation: dnsPackage.presentation });
          written.push(trace);
        }
        throw e;
      }
    });
    // --- end of the example (in your suite: fc.assert(property, ...) alone) ---

    let failure: unknown;
    try {
      fc.assert(property, { seed: 1, numRuns: 2000 });
    } catch (e) {
      failure = e;
    }
    // The test still fails, with fast-check's shrunk counterexample and the narrated race as its cause.
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^Property failed after \d+ tests/);
    expect((failure as Error).cause).toBeInstanceOf(ScheduleViolation);
    expect(((failure as Error).cause as Error).message).toMatch(/aliasResolves violated after \d+ steps/);
    expect(written.length).toBeGreaterThan(1);
    const last = written[written.length - 1];
    expect(last.property).toBe('aliasResolves');
    expect(last.steps.length).toBeLessThanOrEqual(14);
    expect(last.steps.length).toBeLessThan(written[0].steps.length);
    // The trace ends at the break: its last step is the one that breaks the property.
    expect(last.breaks.find((b) => b.property === 'aliasResolves')?.step).toBe(last.steps.length);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    // The page is the last trace's: the shrunk race, step for step.
    expect(html).toContain(JSON.stringify(last.steps[last.steps.length - 1].narration).slice(1, -1));
  });

  it('traceOfSchedule refuses a schedule that breaks nothing, in one line', () => {
    const model = dnsModel({ variant: 'fixed' });
    expect(() => traceOfSchedule(model, { initial: 0, steps: [{ action: 'publishPlan', actor: 0 }] })).toThrow(
      "traceOfSchedule: the schedule's 1 steps break no property of model dns: a trace records a counterexample",
    );
  });
});
