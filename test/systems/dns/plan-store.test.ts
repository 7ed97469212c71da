/** The plan store: versioned plans published atomically, never overwritten. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlanStore, PlanStoreError } from '../../../systems/dns/plan-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dnsmc-store-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const plan = (generation: number) => ({ generation, endpoints: [{ endpoint: 0, addresses: [`192.0.2.${generation}`] }] });

describe('PlanStore', () => {
  it('starts empty (latest 0), publishes generations, and reads them back', () => {
    const s = new PlanStore(dir);
    expect(s.latest()).toBe(0);
    s.publish(plan(1));
    s.publish(plan(2));
    expect(s.latest()).toBe(2);
    expect(s.generations()).toEqual([1, 2]);
    expect(s.read(2)).toEqual(plan(2));
    expect(readdirSync(dir).sort()).toEqual(['plan-000001.json', 'plan-000002.json']);
  });

  it('never overwrites a published generation, and leaves no temporary file', () => {
    const s = new PlanStore(dir);
    s.publish(plan(1));
    expect(() => s.publish({ ...plan(1), endpoints: [] })).toThrow(new PlanStoreError('plan 1 is already published'));
    expect(s.read(1)).toEqual(plan(1));
    expect(readdirSync(dir)).toEqual(['plan-000001.json']);
  });

  it('ignores other files, and says which plan is missing or mislabelled', () => {
    const s = new PlanStore(dir);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    writeFileSync(join(dir, 'plan-000007.json'), JSON.stringify(plan(6)));
    expect(s.latest()).toBe(7);
    expect(() => s.read(3)).toThrow(`plan 3 is not in the plan store ${dir}`);
    expect(() => s.read(7)).toThrow("the plan store's file for plan 7 holds plan 6");
  });
});
