/**
 * Plan generations of a running system, renumbered to the model's. A real
 * planner's generations are in the hundreds of thousands; the model's are
 * 1..plans (0: none). Logs that begin at a snapshot are renumbered relative
 * to the snapshot's oldest live plan (the least generation it names: the
 * latest published, an alias, a tree, an enactor's plan), which becomes 1;
 * when the snapshot names none (nothing published yet), relative to the
 * least generation the events name. 0 stays 0. The window (from the base to
 * the newest generation named anywhere) must fit `--plans`.
 */
import type { Json, JsonState } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';
import { SystemError, type LoggedSaw, type NormalisedLogs } from '../../checker/package/system.js';

/** The plan-valued fields of the dns model: scalars, arrays of generations, arrays of sets of generations. */
const SCALAR = new Set(['latest']);
const PER_ELEMENT = new Set(['alias', 'plan']);
const SETS = new Set(['trees']);
const FIELD = /^([A-Za-z_$][\w$]*)(?:\[(\d+)\])?$/;

const isGen = (v: Json): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** Applies `f` to every generation in one value of `field` (a whole field, or an element when `element`). */
function mapValue(field: string, element: boolean, v: Json, f: (g: number) => number): Json {
  if (SCALAR.has(field) || (PER_ELEMENT.has(field) && element)) return isGen(v) ? f(v) : v;
  if (PER_ELEMENT.has(field) || (SETS.has(field) && element)) return Array.isArray(v) ? v.map((x) => (isGen(x) ? f(x) : x)) : v;
  if (SETS.has(field)) return Array.isArray(v) ? v.map((x) => (Array.isArray(x) ? x.map((y) => (isGen(y) ? f(y) : y)) : x)) : v;
  return v;
}

/** The generations a value names (see mapValue). */
function gensOf(field: string, element: boolean, v: Json): number[] {
  const out: number[] = [];
  mapValue(field, element, v, (g) => {
    out.push(g);
    return g;
  });
  return out;
}

/** The dns package's {@link SystemAdapter.normaliseLogs}: plan generations renumbered (see the top of the file). */
export function renumberPlans(model: Model, initial: JsonState, events: readonly LoggedSaw[]): NormalisedLogs {
  const plans = model.params.plans;
  if (typeof plans !== 'number') return { initial, saws: events.map((e) => e.saw), note: null };
  const live: number[] = [];
  for (const [f, v] of Object.entries(initial)) live.push(...gensOf(f, false, v));
  let lowest = Infinity;
  let highest = 0;
  let lowestAt: LoggedSaw | null = null;
  for (const e of events)
    for (const [path, v] of Object.entries(e.saw)) {
      const m = FIELD.exec(path);
      if (!m) continue;
      for (const g of gensOf(m[1], m[2] !== undefined, v)) {
        if (g < lowest) {
          lowest = g;
          lowestAt = e;
        }
        if (g > highest) highest = g;
      }
    }
  const base = live.length > 0 ? Math.min(...live) : lowest === Infinity ? 1 : lowest;
  if (live.length > 0 && lowest < base && lowestAt)
    throw new SystemError(
      `${lowestAt.file}:${lowestAt.line}: saw plan ${lowest}, older than the snapshot's oldest live plan ${base} (the logs must begin at the snapshot)`,
    );
  highest = Math.max(highest, ...live, 0);
  const offset = base - 1;
  if (highest - offset > plans)
    throw new SystemError(
      `--plans ${plans}: the snapshot and the logs name plans ${base} to ${highest}, a window of ${highest - offset} plans, wider than the model's bound (give --plans ${highest - offset} or more, within its range, or logs over a shorter span)`,
    );
  if (offset === 0) return { initial, saws: events.map((e) => e.saw), note: null };
  const f = (g: number): number => g - offset;
  const mapped: JsonState = {};
  for (const [k, v] of Object.entries(initial)) mapped[k] = mapValue(k, false, v, f);
  const saws = events.map((e) => {
    const out: Record<string, Json> = {};
    for (const [path, v] of Object.entries(e.saw)) {
      const m = FIELD.exec(path);
      out[path] = m ? mapValue(m[1], m[2] !== undefined, v, f) : v;
    }
    return out;
  });
  return { initial: mapped, saws, note: `plan generations renumbered: ${base} to ${highest} are the model's 1 to ${highest - offset}` };
}
