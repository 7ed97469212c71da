/**
 * Text rendering of a trace: each step narrated in the domain's words, only
 * what changed shown under it, and the step where the property breaks marked.
 */
import type { JsonState } from '../checker/state/layout.js';
import { changeLines, stateLines } from './format.js';
import type { Trace } from './trace.js';

export { pathName, showValue } from './format.js';

export interface FormatOptions {
  /** Renders a whole state for people (the model's `render`); used for the first and last state. */
  render?: (s: JsonState) => string[];
  /** Show the final state in full as well. Default true. */
  finalState?: boolean;
}

/** One line per change a step made: `alias[0]: 3 -> 1`. */
export function changes(before: JsonState, step: Trace['steps'][number]): string[] {
  return changeLines(before, step, '->');
}

/** The headline: what broke and after how many steps. */
export function headline(t: Trace): string {
  const what = t.kind === 'deadlock' ? 'deadlock' : `${t.property} violated`;
  const variant = t.variant ? ` (${t.variant})` : '';
  const n = t.steps.length;
  if (t.loop !== undefined) {
    const then = t.loop === n ? 'the last state repeats forever' : `steps ${t.loop + 1}-${n} repeat forever`;
    return `${t.model}${variant}: ${what}: a lasso of ${n} step${n === 1 ? '' : 's'}; ${then}${restriction(t)}`;
  }
  return `${t.model}${variant}: ${what} after ${n} step${n === 1 ? '' : 's'}${restriction(t)}`;
}

/** `, in scenario postmortem (retries 2), constraint maxRetriesTotal 3`: what the search that found the trace was restricted to. */
function restriction(t: Trace): string {
  const parts: string[] = [];
  if (t.scenario) {
    const params = Object.entries(t.scenario.params).map(([k, v]) => `${k} ${String(v)}`);
    parts.push(`scenario ${t.scenario.name}${params.length > 0 ? ` (${params.join(', ')})` : ''}`);
  }
  for (const [k, v] of Object.entries(t.constraints ?? {})) parts.push(`constraint ${k} ${v}`);
  return parts.length > 0 ? `, in ${parts.join(', ')}` : '';
}

/** Renders a trace as narrated text. */
export function formatTrace(t: Trace, o: FormatOptions = {}): string {
  const width = String(t.steps.length).length;
  const num = (i: number): string => `step ${String(i).padStart(width)}`;
  const pad = ' '.repeat(`step ${'0'.repeat(width)}  `.length);
  const lines = [headline(t), ''];
  lines.push(`${num(0)}  initial state`);
  for (const l of stateLines(t.initial, o.render)) lines.push(`${pad}  ${l}`);
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
    for (const l of stateLines(before, o.render)) lines.push(`  ${l}`);
  }
  return lines.join('\n');
}

/**
 * The step index where a lasso's loop starts (the last state equals the state
 * at that step, and the steps after it repeat forever), when the trace is a
 * lasso and `loop` is in range.
 */
export function loopOf(trace: Trace): number | undefined {
  const loop = trace.loop;
  return Number.isInteger(loop) && (loop as number) >= 0 && (loop as number) <= trace.steps.length ? loop : undefined;
}

/** What a lasso does after its last step (`n`), in words. */
export function loopWords(loop: number, n: number): string {
  return loop === n
    ? `the run stays in the state of step ${n} forever`
    : `after step ${n} the run is back in the state of step ${loop}, and steps ${loop + 1} to ${n} repeat forever`;
}

/**
 * The trace's headline: what breaks and after how many steps, as `headline`
 * says it; for a trace in which its own property does not break (a replay
 * under a fix), the steps and whatever does break, or that nothing does.
 */
export function traceTitle(t: Trace): string {
  if (t.breaks.some((b) => b.property === t.property)) return headline(t);
  const n = t.steps.length;
  const broken = t.breaks.map((b) => b.property);
  const what = broken.length === 0 ? 'no property breaks' : `${broken.join(', ')} break${broken.length === 1 ? 's' : ''}`;
  return `${t.model}${t.variant ? ` (${t.variant})` : ''}: ${n} step${n === 1 ? '' : 's'}, ${what}`;
}
