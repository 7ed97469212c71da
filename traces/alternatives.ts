/**
 * What else could have happened: at each step of a trace, every action the
 * model enabled in the state before it (the one the trace took included) and
 * where each leads: the next state's changes, the model's narration and
 * label of it, and the properties that step would break. Computed through
 * the execution kernel when a page is written; the page only shows it.
 */
import { kernelOf } from '../checker/model/kernel.js';
import type { JsonState } from '../checker/state/layout.js';
import type { Model } from '../checker/model/model.js';
import type { Presentation } from '../checker/package/presentation.js';
import { replay } from '../checker/model/replay.js';
import type { Alternative } from './client/data.js';
import { changeLines } from './format.js';
import { traceFromReplay, type Trace } from './trace.js';

export type { Alternative } from './client/data.js';

/**
 * `out[i]` (for steps i = 1..n): every transition enabled in state `i - 1`
 * of the trace, in the engine's order, with `taken` on the one step `i`
 * took; `out[0]` is empty.
 */
export function alternativesOf(trace: Trace, model: Model, presentation?: Presentation): Alternative[][] {
  const kernel = kernelOf(model);
  const vec = model.layout.vector();
  const states: JsonState[] = [trace.initial, ...trace.steps.map((s) => s.state)];
  const out: Alternative[][] = [[]];
  for (let i = 1; i < states.length; i++) {
    model.layout.fromJson(states[i - 1], vec);
    const before = model.layout.toPlain(vec);
    const taken = trace.steps[i - 1];
    const list: Alternative[] = [];
    for (let t = 0; t < kernel.size; t++) {
      if (!kernel.enabled(before, t)) continue;
      const tr = kernel.transitions[t];
      const alt = traceFromReplay(model, replay(model, before, [{ action: tr.name, actor: tr.actor }]), '', 'invariant');
      const step = alt.steps[0];
      let label: string | null = null;
      try {
        label = presentation?.label?.(model, [alt.initial, step.state], 1) ?? null;
      } catch {
        label = null;
      }
      list.push({
        action: tr.name,
        role: tr.role,
        actor: tr.actor,
        taken: tr.name === taken.action && tr.actor === taken.actor,
        label,
        narration: step.narration,
        changes: changeLines(alt.initial, step),
        breaks: alt.breaks.filter((b) => b.step === 1).map((b) => b.property),
      });
    }
    out.push(list);
  }
  return out;
}
