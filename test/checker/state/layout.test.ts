import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { array, defineLayout, enumOf, int, LayoutError, maybe, setOf } from '../../../checker/state/layout.js';

const layout = defineLayout({
  a: int(-3, 5),
  flags: array(3, setOf(1, 7)),
  who: maybe(0, 4),
  phase: array(2, enumOf(['x', 'y', 'z'])),
  big: int(0, 2 ** 30),
  none: int(4, 4),
});

const stateArb = fc.record({
  a: fc.integer({ min: -3, max: 5 }),
  flags: fc.array(fc.integer({ min: 0, max: 127 }), { minLength: 3, maxLength: 3 }),
  who: fc.integer({ min: -1, max: 4 }),
  phase: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 2 }),
  big: fc.integer({ min: 0, max: 2 ** 30 }),
  none: fc.constant(4),
});

describe('layout', () => {
  it('packs into as few words as its field widths need, no field straddling two words', () => {
    // 4 + 3*7 + 3 + 2*2 = 32 bits in word 0, big (31 bits) in word 1, none takes 0 bits.
    expect(layout.bits).toBe(4 + 21 + 3 + 4 + 31);
    expect(layout.words).toBe(2);
  });

  it('unpack(pack(s)) = s, and distinct states pack differently', () => {
    fc.assert(
      fc.property(stateArb, stateArb, (s, t) => {
        const v = layout.vector();
        const w = layout.vector();
        layout.fromPlain(s, v);
        layout.fromPlain(t, w);
        const ps = new Uint32Array(layout.words);
        const pt = new Uint32Array(layout.words);
        layout.pack(v, ps, 0);
        layout.pack(w, pt, 0);
        const back = layout.vector();
        layout.unpack(ps, 0, back);
        expect(layout.toPlain(back)).toEqual(s);
        expect([...ps].join() === [...pt].join()).toBe(JSON.stringify(s) === JSON.stringify(t));
      }),
    );
  });

  it('JSON form round-trips: enums by name, sets as sorted arrays, none as null', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const v = layout.vector();
        layout.fromPlain(s, v);
        const json = layout.toJson(v);
        const w = layout.vector();
        layout.fromJson(JSON.parse(JSON.stringify(json)), w);
        expect([...w]).toEqual([...v]);
      }),
    );
    const v = layout.vector();
    layout.fromPlain({ a: 0, flags: [0b101, 0, 1], who: -1, phase: [2, 0], big: 7, none: 4 }, v);
    expect(layout.toJson(v)).toEqual({ a: 0, flags: [[1, 3], [], [1]], who: null, phase: ['z', 'x'], big: 7, none: 4 });
  });

  it('a model writing a value outside its range is named, not silently packed', () => {
    const v = layout.vector();
    layout.fromPlain({ a: 6, flags: [0, 0, 0], who: -1, phase: [0, 0], big: 0, none: 4 }, v);
    expect(() => layout.pack(v, new Uint32Array(2), 0)).toThrow('field a = 6 is outside its declared range -3..5');
    layout.fromPlain({ a: 0, flags: [0, 0, 0], who: -2, phase: [0, 3], big: 0, none: 4 }, v);
    expect(() => layout.pack(v, new Uint32Array(2), 0)).toThrow('field who = -2 is outside its declared range 0 (or none)..4');
  });

  it('rejects JSON states that do not fit, naming the field', () => {
    const v = layout.vector();
    const good = { a: 0, flags: [[], [], []], who: null, phase: ['x', 'x'], big: 0, none: 4 };
    expect(() => layout.fromJson({ ...good, a: 9 }, v)).toThrow('state field a must be an integer in -3..5, got 9');
    expect(() => layout.fromJson({ ...good, flags: [[8], [], []] }, v)).toThrow(/state field flags\[0\] must be a set/);
    expect(() => layout.fromJson({ ...good, flags: [[1, 1], [], []] }, v)).toThrow(/flags\[0\]/);
    expect(() => layout.fromJson({ ...good, phase: ['x'] }, v)).toThrow('state field phase must be an array of 2 values, each one of x|y|z');
    expect(() => layout.fromJson({ ...good, extra: 1 }, v)).toThrow(/state field extra is not part of the model/);
    const { who: _omit, ...missing } = good;
    expect(() => layout.fromJson(missing, v)).toThrow('state field who is missing');
    expect(() => layout.fromJson([], v)).toThrow(LayoutError);
  });

  it('rejects fields too wide to pack', () => {
    expect(() => setOf(1, 32)).toThrow(/at most 31 members/);
    expect(() => defineLayout({ x: int(0, 2 ** 31) })).toThrow(/field x needs 32 bits/);
  });

  it('gives model code a view whose writes land in the vector', () => {
    const v = layout.vector();
    const s = layout.view(v);
    s.a = 3;
    s.flags[2] = 5;
    expect(v[0]).toBe(3);
    expect(v[3]).toBe(5);
    expect(() => ((s as unknown as Record<string, number>).nope = 1)).toThrow();
  });
});
