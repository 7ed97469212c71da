/**
 * Text rendering of a trace: each step narrated in the domain's words, only
 * what changed shown under it, and the step where the property breaks marked.
 */
import type { Json, JsonState } from '../checker/layout.js';
import type { Trace } from './trace.js';

export interface FormatOptions {
  /** Renders a whole state for people (the model's `render`); used for the first and last state. */
  render?: (s: JsonState) => string[];
  /** Show the final state in full as well. Default true. */
  finalState?: boolean;
}

/** A JSON value as people read it: sets in braces, none for null. */
export function showValue(v: Json): string {
  if (v === null) return 'none';
  if (Array.isArray(v)) return `{${v.map(showValue).join(', ')}}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function at(s: JsonState, path: readonly (string | number)[]): Json {
  let v: Json = s;
  for (const k of path) v = (v as Record<string | number, Json>)?.[k as never] ?? null;
  return v;
}

/** `alias[0]` for the path `["alias", 0]`. */
export function pathName(path: readonly (string | number)[]): string {
  return path.map((k, i) => (i === 0 ? String(k) : `[${k}]`)).join('');
}

/** One line per change a step made: `alias[0]: 3 -> 1`. */
export function changes(before: JsonState, step: Trace['steps'][number]): string[] {
  return step.patches.map((p) => `${pathName(p.path)}: ${showValue(at(before, p.path))} -> ${showValue(p.value)}`);
}

function renderState(s: JsonState, render?: (s: JsonState) => string[]): string[] {
  if (render) return render(s);
  return Object.entries(s).map(([k, v]) => `${k} = ${Array.isArray(v) && v.some(Array.isArray) ? `[${v.map(showValue).join(', ')}]` : showValue(v)}`);
}

/** The headline: what broke and after how many steps. */
export function headline(t: Trace): string {
  const what = t.kind === 'deadlock' ? 'deadlock' : `${t.property} violated`;
  const variant = t.variant ? ` (${t.variant})` : '';
  const n = t.steps.length;
  if (t.loop !== undefined) {
    const then = t.loop === n ? 'the last state repeats forever' : `steps ${t.loop + 1}-${n} repeat forever`;
    return `${t.model}${variant}: ${what}: a lasso of ${n} step${n === 1 ? '' : 's'}; ${then}`;
  }
  return `${t.model}${variant}: ${what} after ${n} step${n === 1 ? '' : 's'}`;
}

/** Renders a trace as narrated text. */
export function formatTrace(t: Trace, o: FormatOptions = {}): string {
  const width = String(t.steps.length).length;
  const num = (i: number): string => `step ${String(i).padStart(width)}`;
  const pad = ' '.repeat(`step ${'0'.repeat(width)}  `.length);
  const lines = [headline(t), ''];
  lines.push(`${num(0)}  initial state`);
  for (const l of renderState(t.initial, o.render)) lines.push(`${pad}  ${l}`);
  const marks = (i: number): void => {
    for (const b of t.breaks) {
      if (b.step !== i) continue;
      const main = b.property === t.property;
      lines.push(`${pad}${main ? '>> ' : '!  '}${b.property} ${main ? 'VIOLATED' : 'also breaks'} here: ${b.explanation}`);
    }
  };
  const n = t.steps.length;
  const loopMark = (i: number): void => {
    if (t.loop === undefined) return;
    if (i === t.loop && t.loop < n) lines.push(`${pad}~~ the loop starts here: steps ${t.loop + 1}-${n} repeat forever`);
    if (i === n) {
      lines.push(
        t.loop === n
          ? `${pad}~~ no action is enabled here: this state repeats forever`
          : `${pad}~~ back to the state of step ${t.loop}: the loop repeats forever`,
      );
    }
  };
  marks(0);
  loopMark(0);
  let before = t.initial;
  for (const s of t.steps) {
    lines.push(`${num(s.step)}  ${s.narration}`);
    for (const c of changes(before, s)) lines.push(`${pad}  ${c}`);
    marks(s.step);
    loopMark(s.step);
    before = s.state;
  }
  if ((o.finalState ?? true) && t.steps.length > 0) {
    lines.push('', 'final state:');
    for (const l of renderState(before, o.render)) lines.push(`  ${l}`);
  }
  return lines.join('\n');
}
