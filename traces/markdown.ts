/**
 * A trace as a markdown table of its steps, with the narrated lines and what
 * each step changed, ready to paste into a postmortem. Every string taken
 * from a trace is escaped so that it can only ever be read as text.
 */
import type { JsonState } from '../checker/state/layout.js';
import { changeLines, showValue, stateLines } from './format.js';
import { sequenceOf, type LaneOptions } from './lanes.js';
import { loopOf, loopWords, traceTitle } from './text.js';
import type { Trace } from './trace.js';

/** Options for {@link toMarkdown}. */
export interface MarkdownOptions extends LaneOptions {
  /** Renders a state for people (a model's `render`), used for the initial state. Default: one `field = value` per field. */
  readonly render?: (s: JsonState) => string[];
}

/**
 * Escapes text for Markdown (GitHub flavour): the characters that Markdown
 * or HTML could read as syntax inside a table cell (emphasis, code, links,
 * tags, entities, pipes, strikethrough, math) are backslash-escaped, and line
 * breaks become spaces, so a cell stays one cell of plain text.
 */
export function markdownText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|~&$]/g, (c) => `\\${c}`);
}

/** A markdown table of the trace's steps with the narrated lines, ready to paste into a postmortem. */
export function toMarkdown(trace: Trace, o: MarkdownOptions = {}): string {
  const md = markdownText;
  const seq = sequenceOf(trace, o);
  const label = new Map(seq.lanes.map((l) => [l.id, l.label]));
  const loop = loopOf(trace);
  const params = Object.entries(trace.params)
    .filter(([k]) => k !== 'variant')
    .map(([k, v]) => `${k} ${showValue(v)}`)
    .join(', ');
  const out = [`### ${md(traceTitle(trace))}`, ''];
  out.push(`Model ${md(trace.model)}${trace.variant ? `, variant ${md(trace.variant)}` : ''}${params ? `; ${md(params)}` : ''}.`, '');
  const breaksAt = (i: number): string[] =>
    trace.breaks
      .filter((b) => b.step === i)
      .map((b) =>
        b.property === trace.property ? `**${md(b.property)} violated:** ${md(b.explanation)}` : `**${md(b.property)} also breaks:** ${md(b.explanation)}`,
      );
  const loopMark = (i: number): string => (loop === i ? ' ↻' : '');
  out.push('| step | actor | action | what happens | what changed |', '|---:|---|---|---|---|');
  const initial = stateLines(trace.initial, o.render).map(md).join('<br>');
  out.push(`| 0${loopMark(0)} | | | initial state<br>${[initial, ...breaksAt(0)].filter(Boolean).join('<br>')} | |`);
  let before = trace.initial;
  trace.steps.forEach((s, i) => {
    const who = label.get(seq.steps[i].lane) ?? `${s.role} ${s.actor}`;
    const what = [md(s.narration), ...breaksAt(s.step)].join('<br>');
    out.push(`| ${s.step}${loopMark(s.step)} | ${md(who)} | ${md(s.action)} | ${what} | ${changeLines(before, s).map(md).join('<br>')} |`);
    before = s.state;
  });
  out.push('');
  if (loop !== undefined) out.push(`↻ The run is a lasso: ${loopWords(loop, trace.steps.length)}.`, '');
  const main = trace.breaks.find((b) => b.property === trace.property);
  if (main) out.push(`**${md(main.property)}** ${main.kind === 'deadlock' ? 'occurs' : 'is violated'} at step ${main.step}: ${md(main.explanation)}`, '');
  return out.join('\n');
}
