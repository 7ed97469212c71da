import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { array, defineLayout, enumOf, int, LayoutError, maybe, ModelWriteError, setOf } from '../../../checker/state/layout.js';

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

describe('the search views of a layout that checks writes', () => {
  const L = defineLayout({ n: int(0, 9), a: array(2, int(0, 9)), b: array(3, int(0, 9)) });
  const setup = () => {
    const cur = L.vector();
    cur.set([1, 2, 3, 4, 5, 6]);
    const next = L.vector();
    const w = L.effectWrites(cur, next);
    if (w === undefined) throw new Error('a layout that checks writes has effect writes');
    w.begin(w.view);
    next.set(cur);
    return { cur, next, w, s: w.view };
  };

  it('a layout that does not check writes has none, and reads through its plain view', () => {
    const plain = defineLayout({ n: int(0, 9) }, { checkWrites: false });
    const v = plain.vector();
    expect(plain.effectWrites(v, plain.vector())).toBeUndefined();
    const s = plain.readView(v);
    s.n = 2.5;
    expect(v[0]).toBe(2);
  });

  it('an effect writes through the effect view; end copies what it changed into next and leaves the view as cur again', () => {
    const { cur, next, w, s } = setup();
    s.n = 7;
    s.a[1] = 9;
    s.b[0] = s.a[0] + s.b[2];
    expect(next[0]).toBe(7);
    expect([s.a[0], s.a[1], s.b[0]]).toEqual([2, 9, 8]);
    w.end(s);
    expect(Array.from(next)).toEqual([7, 2, 9, 8, 5, 6]);
    expect(Array.from(cur)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([s.a[1], s.b[0]]).toEqual([3, 4]);
    expect(w.clean(s)).toBe(true);
  });

  it('end refuses an element that is not a whole number of 32 bits, naming it as the checked view does', () => {
    for (const [x, shown] of [
      [2.5, '2.5'],
      [Number.NaN, 'NaN'],
      [undefined, 'undefined'],
      [null, 'null'],
      ['1', '"1"'],
      [true, 'true'],
      [2 ** 32 + 3, '4294967299'],
    ] as const) {
      const { w, s } = setup();
      (s.b as unknown as unknown[])[2] = x;
      expect(() => w.end(s)).toThrow(new ModelWriteError('b[2]', shown, `wrote b[2] = ${shown}: not a whole number of 32 bits`));
    }
  });

  it('a write past the end, at a key that is not an element or to the length is seen by clean, not by end', () => {
    const hostile: ((a: Record<string, number>) => void)[] = [
      (a) => void (a[2] = 1),
      (a) => void (a.length = 5),
      (a) => void (a[-1] = 1),
      (a) => void (a[1.5] = 1),
      (a) => void (a[Number.NaN] = 1),
      (a) => void (a.x = 1),
    ];
    for (const write of hostile) {
      const { next, w, s } = setup();
      expect(w.clean(s)).toBe(true);
      write(s.a as unknown as Record<string, number>);
      w.end(s);
      expect(Array.from(next)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(w.clean(s)).toBe(false);
    }
  });

  it('scalars are checked at the write; arrays cannot be replaced nor fields added', () => {
    const { s } = setup();
    expect(() => (s.n = 2.5)).toThrow('wrote n = 2.5: not a whole number of 32 bits');
    expect(() => ((s as Record<string, unknown>).a = [1, 1])).toThrow('wrote a = [1,1]: an array field cannot be replaced; write its elements');
    expect(() => ((s as Record<string, unknown>).extra = 1)).toThrow(TypeError);
    expect(() => (s.a as unknown as number[]).push(1)).toThrow(TypeError);
  });

  it('array methods and iteration answer as the checked view’s do, on the elements written so far', () => {
    const { next, w, s } = setup();
    s.b[0] = 6;
    expect((s.b as unknown as Int32Array).includes(6)).toBe(true);
    const doubled = (s.b as unknown as Int32Array).map((x) => x * 2);
    expect(doubled).toBeInstanceOf(Int32Array);
    expect(Array.from(doubled)).toEqual([12, 10, 12]);
    expect([...(s.b as unknown as Iterable<number>)]).toEqual([6, 5, 6]);
    (s.b as unknown as Int32Array).forEach((_x, i, arr) => {
      arr[i] = 1;
    });
    expect([s.b[0], s.b[1], s.b[2]]).toEqual([1, 1, 1]);
    w.end(s);
    expect(Array.from(next)).toEqual([1, 2, 3, 1, 1, 1]);
    const checked = L.checkedView(L.vector());
    expect(typeof (checked.a as unknown as { fill?: unknown }).fill).toBe('undefined');
    expect(typeof (s.a as unknown as { fill?: unknown }).fill).toBe('undefined');
  });

  it('any whole-number writes give next as the plain view gives it', () => {
    const unchecked = defineLayout(L.fields, { checkWrites: false });
    const writes = fc.array(fc.tuple(fc.constantFrom('n', 'a', 'b'), fc.nat(2), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 8 });
    fc.assert(
      fc.property(writes, writes, (first, second) => {
        const { next, w, s } = setup();
        const plain = L.vector();
        const r = unchecked.view(plain);
        const apply = (t: Record<string, unknown>, [f, i, x]: [string, number, number]): void => {
          if (f === 'n') t.n = x;
          else (t[f] as number[])[f === 'a' ? i % 2 : i] = x;
        };
        // Two effects from the same cur, as two transitions of one state.
        for (const ws of [first, second]) {
          next.set([1, 2, 3, 4, 5, 6]);
          plain.set([1, 2, 3, 4, 5, 6]);
          for (const x of ws) {
            apply(s as Record<string, unknown>, x);
            apply(r as Record<string, unknown>, x);
          }
          w.end(s);
          expect(Array.from(next)).toEqual(Array.from(plain));
        }
      }),
    );
  });

  it('the read view reads the vector live and checks writes to scalars only', () => {
    const v = L.vector();
    const s = L.readView(v);
    v[1] = 4;
    expect(s.a[0]).toBe(4);
    expect(s.a).toBeInstanceOf(Int32Array);
    expect(() => (s.n = 1.5)).toThrow('wrote n = 1.5: not a whole number of 32 bits');
    expect(() => ((s as Record<string, unknown>).b = [])).toThrow('an array field cannot be replaced');
  });
});
