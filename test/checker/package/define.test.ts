/**
 * Typed authoring: `defineModel` infers the state from the layout and takes
 * enum names in initial states; `definePackage` types `createModel`'s
 * parameters from their declarations. The types are checked by the test
 * type-check (`tsc -p tsconfig.test.json`), the values here.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { check } from '../../../checker/explore/bfs.js';
import { defineModel, definePackage } from '../../../checker/package/define.js';
import { array, defineLayout, enumOf, int, LayoutError, type Ints } from '../../../checker/state/layout.js';

const layout = defineLayout({ phase: array(2, enumOf(['idle', 'busy'])), mode: enumOf(['a', 'b', 'c']), n: int(0, 2) });

const model = (init: Parameters<typeof defineModel<typeof layout.fields>>[0]['init']) =>
  defineModel({
    name: 'typed',
    params: {},
    layout,
    roles: { p: 2 },
    init,
    actions: [
      {
        name: 'work',
        role: 'p',
        guard: (s, p) => {
          expectTypeOf(s.phase).toEqualTypeOf<Ints>();
          expectTypeOf(s.n).toBeNumber();
          return s.phase[p] === 0 && s.n < 2;
        },
        effect: (s, p) => {
          s.phase[p] = 1;
          s.n++;
        },
      },
    ],
    invariants: [],
    stepInvariants: [],
    terminalOk: () => true,
  });

describe('defineModel', () => {
  it('takes enum values by name or by index in initial states, and stores indices', () => {
    const m = model([
      { phase: ['idle', 'busy'], mode: 'c', n: 0 },
      { phase: [0, 'idle'], mode: 1, n: 1 },
    ]);
    expect(m.init).toEqual([
      { phase: [0, 1], mode: 2, n: 0 },
      { phase: [0, 0], mode: 1, n: 1 },
    ]);
    // From the first, one step (n reaches 1); from the second, either actor works once (n reaches 2): 2 + 3 states.
    expect(check(m).distinctStates).toBe(5);
  });

  it('refuses a name the enum does not have, naming the state, the field and the names', () => {
    // @ts-expect-error: 'asleep' is not a phase
    expect(() => model([{ phase: ['idle', 'asleep'], mode: 'a', n: 0 }])).toThrow(
      new LayoutError('model typed: init[0].phase[1] = "asleep" is not one of idle|busy'),
    );
  });
});

describe('definePackage', () => {
  it("types createModel's parameters from their declarations", () => {
    const pkg = definePackage({
      name: 'typed',
      description: 'a typed package',
      params: [
        { name: 'variant', type: 'enum', values: ['as-was', 'fixed'], default: 'as-was', help: 'the variant' },
        { name: 'n', type: 'int', min: 0, max: 2, default: 1, help: 'a bound' },
        { name: 'strict', type: 'bool', default: false, help: 'a switch' },
      ],
      createModel: (p) => {
        expectTypeOf(p).toEqualTypeOf<{ readonly variant: 'as-was' | 'fixed'; readonly n: number; readonly strict: boolean }>();
        return model([{ phase: ['idle', 'idle'], mode: p.variant === 'fixed' ? 'b' : 'a', n: p.n }]);
      },
    });
    expect(pkg.params.map((p) => p.name)).toEqual(['variant', 'n', 'strict']);
  });
});
