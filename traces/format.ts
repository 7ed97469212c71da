/**
 * How values, field paths, changes and states are shown to people. One
 * module for every output: the narrated text (text.ts), the markdown and
 * mermaid exports, and the viewer, whose page receives these strings
 * already formatted when it is written (its script formats nothing).
 */
import type { Json, JsonState } from '../checker/state/layout.js';
import type { TracePatch, TraceStep } from './trace.js';

/** A JSON value as people read it: sets in braces, `none` for null. */
export function showValue(v: Json): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return `{${v.map(showValue).join(', ')}}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `alias[0]` for the path `["alias", 0]`. */
export function pathName(path: readonly (string | number)[]): string {
  return path.map((k, i) => (i === 0 ? String(k) : `[${k}]`)).join('');
}

/** The value at a state path, or null where there is none. */
export function valueAt(s: JsonState, path: readonly (string | number)[]): Json {
  let v: Json = s;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return null;
    v = (v as Record<string | number, Json>)[k as never] ?? null;
  }
  return v;
}

/** One change a step made, `alias[0]: 3 → 1` (with `arrow` between the values before and after). */
export function changeLine(before: JsonState, p: TracePatch, arrow = '→'): string {
  return `${pathName(p.path)}: ${showValue(valueAt(before, p.path))} ${arrow} ${showValue(p.value)}`;
}

/** One line per change a step made (patches without a path list are skipped). */
export function changeLines(before: JsonState, step: TraceStep, arrow = '→'): string[] {
  return step.patches.filter((p) => Array.isArray(p.path)).map((p) => changeLine(before, p, arrow));
}

/** A state for people: the model's `render` when given, else one `field = value` per field (an array of sets in brackets). */
export function stateLines(s: JsonState, render?: (s: JsonState) => string[]): string[] {
  if (render) return render(s);
  return Object.entries(s).map(([k, v]) => `${k} = ${Array.isArray(v) && v.some(Array.isArray) ? `[${v.map(showValue).join(', ')}]` : showValue(v)}`);
}

/**
 * Text broken into lines of at most `width` characters (code points) at
 * spaces, for the exports' notes and captions: words are kept whole where
 * they fit, a word longer than `width` is cut into pieces of `width`, runs
 * of white space (line breaks included) count as one space. An empty text
 * is one empty line.
 */
export function wrapWords(text: string, width: number): string[] {
  const w = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  let line: string[] = [];
  for (const word of text.split(/\s+/).filter((x) => x !== '')) {
    const chars = [...word];
    for (let i = 0; i < chars.length; i += w) {
      const piece = chars.slice(i, i + w);
      if (line.length > 0 && line.length + 1 + piece.length > w) {
        lines.push(line.join(''));
        line = [];
      }
      if (line.length > 0) line.push(' ');
      line.push(...piece);
    }
  }
  if (line.length > 0 || lines.length === 0) lines.push(line.join(''));
  return lines;
}
