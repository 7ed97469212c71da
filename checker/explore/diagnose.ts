/**
 * When running a model throws (an effect writes what the layout cannot hold,
 * a value leaves its range, a guard or an invariant throws), the search only
 * knows which state it was expanding. `diagnose` finds the culprit once,
 * outside the hot loop: it runs every transition of that state again, one
 * at a time, on views that check every write, and then the properties on
 * each successor, and names the model, the action, the actor, the field and
 * the value, and the state, in a ModelError.
 */
import { badWrite, type FieldSpec, type StateOf } from '../state/layout.js';
import { ModelError, type Model } from '../model/model.js';
import { thrownText } from '../model/model-error.js';
import type { Kernel } from '../model/kernel.js';

// By name, not instanceof: a user's module may bring its own copy of the authoring API.
const isNamed = (e: unknown, name: string): boolean => e instanceof Error && e.name === name;

/** A message's first line, cut to a sensible length. */
const short = (e: unknown): string => {
  const m = thrownText(e, true, ['ModelWriteError']);
  const line = m.split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
};

/**
 * The ModelError for an error thrown while expanding the state in `cur`
 * (its successors' invariants included). Returns `e` itself when it is a
 * ModelError already, and a ModelError naming the state when no single
 * transition reproduces it.
 */
export function diagnose<F extends FieldSpec>(kernel: Kernel<F>, cur: Int32Array, e: unknown): Error {
  if (e instanceof ModelError) return e;
  return findFault(kernel, cur) ?? new ModelError(`model ${kernel.model.name}: ${short(e)}; while expanding state ${shownState(kernel, cur)}`);
}

/** The state in `cur` as JSON (as numbers when it does not fit the layout). */
function shownState<F extends FieldSpec>(kernel: Kernel<F>, cur: Int32Array): string {
  try {
    return JSON.stringify(kernel.model.layout.toJson(cur));
  } catch {
    return `[${Array.from(cur).join(', ')}]`;
  }
}

/**
 * Runs every transition of the state in `cur` again on views that check
 * every write, and the properties on each successor: the ModelError naming
 * the first that throws or writes what the layout cannot hold, or undefined
 * when none does.
 */
export function findFault<F extends FieldSpec>(kernel: Kernel<F>, cur: Int32Array): Error | undefined {
  const model = kernel.model as Model<F>;
  const layout = model.layout;
  const where = `model ${model.name}`;
  const state = shownState(kernel, cur);
  const before = layout.vector();
  before.set(cur);
  const after = layout.vector();
  const beforeView = layout.checkedView(before);
  const fields = Object.keys(layout.fields);
  // A write to a field the layout does not declare, caught with its value (the sealed view only says it cannot add it).
  const afterView = new Proxy(layout.checkedView(after) as object, {
    set(target, key, value) {
      if (typeof key === 'string' && !fields.includes(key)) badWrite(key, value, `not a field of the layout (${fields.join(', ')})`);
      return Reflect.set(target, key, value, target);
    },
  }) as StateOf<F>;
  const words = new Uint32Array(layout.words);
  const who = (t: number): string => {
    const tr = kernel.transitions[t];
    return `${tr.name} by ${tr.role} ${tr.actor}`;
  };
  for (let t = 0; t < kernel.size; t++) {
    let enabled: boolean;
    try {
      enabled = kernel.enabled(beforeView as Readonly<StateOf<F>>, t);
    } catch (err) {
      return new ModelError(`${where}: the guard of ${who(t)} threw: ${short(err)}; in state ${state}`);
    }
    if (!enabled) continue;
    after.set(before);
    try {
      kernel.apply(afterView, t);
    } catch (err) {
      return new ModelError(`${where}: ${who(t)} ${isNamed(err, 'ModelWriteError') ? short(err) : `threw: ${short(err)}`}; from state ${state}`);
    }
    try {
      layout.pack(after, words, 0);
    } catch (err) {
      if (isNamed(err, 'LayoutError')) return new ModelError(`${where}: ${who(t)} made ${short(err)}; from state ${state}`);
      throw err;
    }
    for (const p of model.invariants) {
      try {
        p.holds(afterView);
      } catch (err) {
        return new ModelError(`${where}: invariant ${p.name} threw: ${short(err)}; in the state ${who(t)} leads to from ${state}`);
      }
    }
    for (const p of model.stepInvariants) {
      try {
        p.holds(beforeView, afterView);
      } catch (err) {
        return new ModelError(`${where}: step invariant ${p.name} threw: ${short(err)}; on ${who(t)} from ${state}`);
      }
    }
  }
  return undefined;
}

/** The ModelError for an error thrown while checking an initial state's invariants (or packing it). */
export function diagnoseInitial<F extends FieldSpec>(model: Model<F>, k: number, e: unknown): Error {
  if (e instanceof ModelError) return e;
  if (isNamed(e, 'LayoutError')) return new ModelError(`model ${model.name}: init[${k}]: ${short(e)}`);
  const vec = model.layout.vector();
  model.layout.fromPlain(model.init[k], vec);
  const state = JSON.stringify(model.layout.toJson(vec));
  return invariantFault(model, vec, `the initial state ${state}`) ?? new ModelError(`model ${model.name}: ${short(e)}; in the initial state ${state}`);
}

/**
 * The ModelError for an error thrown while checking the invariants of a
 * reached state, in `vec`, whose parent is not at hand (another thread
 * found it).
 */
export function diagnoseReached<F extends FieldSpec>(kernel: Kernel<F>, vec: Int32Array, e: unknown): Error {
  if (e instanceof ModelError) return e;
  const state = shownState(kernel, vec);
  return (
    invariantFault(kernel.model as Model<F>, vec, `the state ${state}`) ?? new ModelError(`model ${kernel.model.name}: ${short(e)}; in the state ${state}`)
  );
}

/** The ModelError naming the first invariant that throws on the state in `vec` (`place` says which state), or undefined. */
function invariantFault<F extends FieldSpec>(model: Model<F>, vec: Int32Array, place: string): Error | undefined {
  const view = model.layout.checkedView(vec);
  for (const p of model.invariants) {
    try {
      p.holds(view);
    } catch (err) {
      return new ModelError(`model ${model.name}: invariant ${p.name} threw: ${short(err)}; in ${place}`);
    }
  }
  return undefined;
}
