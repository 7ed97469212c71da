import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collisionProbability, FingerprintSet } from '../../../checker/state/fingerprint.js';

describe('fingerprint set', () => {
  it('behaves as a set of states, through growth, for one, two and three-word encodings', () => {
    for (const words of [1, 2, 3]) {
      fc.assert(
        fc.property(fc.array(fc.array(fc.nat(7), { minLength: words, maxLength: words }), { maxLength: 400 }), (states) => {
          const set = new FingerprintSet(words, 16);
          const ref = new Set<string>();
          for (const s of states) {
            const isNew = set.add(Uint32Array.from(s), 0);
            expect(isNew).toBe(!ref.has(s.join()));
            ref.add(s.join());
          }
          expect(set.size).toBe(ref.size);
        }),
      );
    }
  });

  it('is a bijection for encodings of up to 64 bits: the zero state and its neighbours are all distinct', () => {
    const set = new FingerprintSet(2, 16);
    let added = 0;
    for (let a = 0; a < 300; a++) for (let b = 0; b < 300; b++) added += set.add(Uint32Array.of(a, b), 0) ? 1 : 0;
    expect(added).toBe(90_000);
    expect(set.exact).toBe(true);
    expect(collisionProbability(1e9, true)).toBe(0);
  });

  it('a movable set handed to another owner keeps its states and goes on growing', () => {
    const first = new FingerprintSet(2, 16, true);
    for (let a = 0; a < 100; a++) first.add(Uint32Array.of(a, 0), 0);
    expect(() => new FingerprintSet(2, 16).image()).toThrow(/not made movable/);
    const second = new FingerprintSet(2, first.image());
    expect(second.size).toBe(100);
    let added = 0;
    for (let a = 0; a < 300; a++) added += second.add(Uint32Array.of(a, 0), 0) ? 1 : 0;
    expect([added, second.size]).toEqual([200, 300]);
    expect(second.add(Uint32Array.of(0, 0), 0)).toBe(false); // the zero state came with the image
  });

  it('keeps every state through many growths, in place and by copying, private or movable (200,000 random states from 16 slots)', () => {
    for (const [movable, reserve] of [
      [false, undefined],
      [true, undefined],
      [false, 0],
      [true, 0],
    ] as const) {
      const set = new FingerprintSet(2, 16, movable, reserve);
      let x = 12345;
      const next = (): number => {
        x = (Math.imul(x, 1103515245) + 12345) | 0;
        return x >>> 0;
      };
      const states: Uint32Array[] = [];
      for (let k = 0; k < 200_000; k++) states.push(Uint32Array.of(next(), next()));
      let added = 0;
      for (const s of states) added += set.add(s, 0) ? 1 : 0;
      const distinct = new Set(states.map((s) => `${s[0]},${s[1]}`)).size;
      expect([added, set.size]).toEqual([distinct, distinct]);
      // 16 slots to about 250,000, 1.5 times per growth: in place in the 1 GiB reserved, or (reserving none)
      // in place to 16 times the buffer's size, then copied to a new buffer.
      expect(set.grows).toBe(24);
      expect(set.bytes).toBe(8 * 271_625);
      let again = 0;
      for (const s of states) again += set.add(s, 0) ? 1 : 0;
      expect(again).toBe(0);
      let absent = 0;
      for (let k = 0; k < 20_000; k++) absent += set.add(Uint32Array.of(next(), next()), 0) ? 1 : 0;
      expect(absent).toBe(20_000);
      expect(set.load).toBeLessThanOrEqual(0.8);
    }
  });

  it('reports the birthday-bound collision probability for hashed encodings', () => {
    expect(new FingerprintSet(3).exact).toBe(false);
    expect(collisionProbability(2 ** 20, false)).toBe((2 ** 20 * (2 ** 20 - 1)) / 2 / 2 ** 64);
  });
});
