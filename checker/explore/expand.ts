/**
 * Expanding one state: try every transition's guard and, for each enabled
 * one, copy the state into the successor scratch, apply the effect and hand
 * the successor on.
 *
 * The function is compiled per model into straight-line code, one block per
 * transition with its guard and effect bound to their own constants: each
 * call site then sees one function only, so V8 can inline the model's guards
 * and effects into the search loop. The source holds only numbers; the
 * functions come in as arguments, from the kernel's transition table
 * (kernel.ts). Models with very many transitions use the
 * same logic as a loop.
 *
 * On a layout that checks writes, the effect writes through the layout's
 * effect view (state/layout.ts, EffectWrites) instead of `nextView`, between
 * its `begin` and `end`; guards read `curView`.
 */
import type { Kernel } from '../model/kernel.js';
import type { EffectWrites, FieldSpec } from '../state/layout.js';

/** Called for each successor with its transition number; returns true to stop the search. */
export type OnSuccessor = (t: number) => boolean;

/**
 * Expands the state held in `cur`: returns how many transitions were enabled,
 * or -1 if `onSuccessor` asked to stop.
 */
export type Expand = (curView: unknown, nextView: unknown, cur: Int32Array, next: Int32Array, onSuccessor: OnSuccessor) => number;

/** Above this many transitions the straight-line form is too large to optimise well. */
const MAX_UNROLLED = 256;

/**
 * Compiles the expansion of a state from the kernel's transition table.
 * `writes`: the checked effect view over the `next` vector the expansion
 * will be given (see Layout.effectWrites), when the layout checks writes.
 */
export function compileExpand<F extends FieldSpec>(kernel: Kernel<F>, writes?: EffectWrites<F>): Expand {
  const guards = kernel.guards as readonly ((s: unknown, actor: number) => boolean)[];
  const effects = kernel.effects as readonly ((s: unknown, actor: number) => void)[];
  const actors = kernel.actors;
  const T = guards.length;
  if (T > MAX_UNROLLED) {
    if (writes) {
      const { view: ev, begin, end } = writes;
      return (cv, _nv, cur, next, onSuccessor) => {
        let n = 0;
        begin(ev);
        for (let t = 0; t < T; t++) {
          if (!guards[t](cv, actors[t])) continue;
          n++;
          next.set(cur);
          effects[t](ev, actors[t]);
          end(ev);
          if (onSuccessor(t)) return -1;
        }
        return n;
      };
    }
    return (cv, nv, cur, next, onSuccessor) => {
      let n = 0;
      for (let t = 0; t < T; t++) {
        if (!guards[t](cv, actors[t])) continue;
        n++;
        next.set(cur);
        effects[t](nv, actors[t]);
        if (onSuccessor(t)) return -1;
      }
      return n;
    };
  }
  const head: string[] = [];
  const body: string[] = [];
  for (let t = 0; t < T; t++) {
    const a = actors[t] | 0;
    head.push(`const g${t} = G[${t}], e${t} = E[${t}];`);
    const effect = writes ? `e${t}(ev, ${a}); end(ev);` : `e${t}(nv, ${a});`;
    body.push(`if (g${t}(cv, ${a})) { n++; next.set(cur); ${effect} if (onSuccessor(${t})) return -1; }`);
  }
  const src = `${head.join('\n')}\nreturn function expand(cv, nv, cur, next, onSuccessor) {\nlet n = 0;\n${writes ? 'begin(ev);\n' : ''}${body.join('\n')}\nreturn n;\n};`;
  return new Function('G', 'E', 'ev', 'begin', 'end', src)(guards, effects, writes?.view, writes?.begin, writes?.end) as Expand;
}
