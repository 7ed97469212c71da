/**
 * `dnsmc explain TRACE [--format text|mermaid|dot|json]`: the causal
 * structure of a counterexample (checker/runs/explain.ts): per step the state it
 * read and wrote, the happens-before graph, the steps that can move and the
 * orderings the violation depends on. The trace is untrusted input: it is
 * verified against the model first (every narration is the model's own).
 */
import { locationNamer } from '../checker/package/presentation.js';
import { explainRun, ExplainStopped, explanationJson, type Explanation } from '../checker/runs/explain.js';
import { EXIT, UsageError } from './errors.js';
import { limitFlags } from './options.js';
import { shown } from './flags.js';
import type { Io } from './io.js';
import { printJson } from './report.js';
import { readTraceFile } from './trace-file.js';
import { EXPLAIN_FORMATS } from './command-defaults.js';

export interface ExplainArgs {
  trace?: unknown;
  format?: unknown;
  model?: unknown;
  timeLimit?: unknown;
  maxMemory?: unknown;
}

export { EXPLAIN_FORMATS };
type Format = (typeof EXPLAIN_FORMATS)[number];

/**
 * Runs `dnsmc explain` and resolves to its exit code: 0; 3 when `--time-limit`,
 * `--max-memory` or the step limit (MAX_EXPLAIN_STEPS) stops it, with one line on
 * stderr and nothing on stdout; bad input throws a UsageError or TraceError, exit 2.
 */
export async function runExplain(a: ExplainArgs, io: Io): Promise<number> {
  const format = (a.format ?? 'text') as Format;
  if (typeof format !== 'string' || !EXPLAIN_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${EXPLAIN_FORMATS.join('|')}, got ${shown(a.format)}`);
  }
  if (typeof a.trace !== 'string' || a.trace === '') throw new UsageError('explain: name a trace file (from check --trace-out)');
  const limits = limitFlags(a);
  const { model, trace, source } = await readTraceFile(a.trace, { model: a.model });
  let x: Explanation;
  try {
    x = explainRun(model, trace, { ...limits, locationName: locationNamer(source.pkg.presentation, model) });
  } catch (e) {
    if (!(e instanceof ExplainStopped)) throw e;
    io.err(`dnsmc: explain: incomplete: ${e.message}; nothing is reported\n`);
    return EXIT.incomplete;
  }
  if (format === 'json')
    printJson(io, { format: 'dnsmc-explain', version: 1, model: trace.model, variant: trace.variant, params: trace.params, ...(explanationJson(x) as object) });
  else io.out(`${format === 'text' ? explainText(x) : format === 'mermaid' ? explainMermaid(x) : explainDot(x)}\n`);
  return 0;
}

const list = (xs: readonly string[]): string => (xs.length > 0 ? xs.join(', ') : 'nothing');

/** The explanation for people. */
export function explainText(x: Explanation): string {
  const lines: string[] = [`Outcome: ${x.outcome}. ${x.steps.length} steps:`, ''];
  const movable = new Map(x.movable.map((m) => [m.step, m]));
  const into = new Map<number, string[]>();
  for (const e of x.edges) {
    const text = `${e.from} (${e.reasons.join(', ')}${e.on.length > 0 ? `: ${e.on.join(', ')}` : ''})`;
    const list = into.get(e.to);
    if (list) list.push(text);
    else into.set(e.to, [text]);
  }
  for (const s of x.steps) {
    const m = movable.get(s.step);
    lines.push(`step ${String(s.step).padStart(2)}  ${s.narration}${m ? `  [can move: anywhere from step ${m.earliest} to ${m.latest}]` : ''}`);
    lines.push(`           reads ${list(s.reads)}; writes ${list(s.writes)}`);
    const after = into.get(s.step) ?? [];
    if (after.length > 0) lines.push(`           after step ${after.join('; step ')}`);
  }
  lines.push('');
  lines.push(
    x.movable.length > 0
      ? `Steps that can move without changing the outcome (each checked by replaying the run with it moved): ${x.movable.map((m) => m.step).join(', ')}.`
      : 'No step can move without changing the outcome.',
  );
  lines.push('');
  if (x.critical.length === 0) lines.push('No ordering between two actors is critical.');
  else {
    lines.push(`The orderings the violation depends on (each checked by replaying the run with the two steps reversed):`);
    for (const c of x.critical) lines.push(`  - ${c.words}`);
  }
  return lines.join('\n');
}

/** Text inside a Mermaid quoted label: quotes and angle brackets as entity codes, no line breaks. */
function mermaidLabel(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/[`|{}[\]]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** A Mermaid flowchart: one node per step, one edge per happens-before edge; critical edges thick, movable steps dashed. */
export function explainMermaid(x: Explanation): string {
  const out = ['flowchart TD'];
  for (const s of x.steps) out.push(`  s${s.step}["${mermaidLabel(`${s.step}. ${s.narration}`)}"]`);
  const critical = new Set(x.critical.map((c) => `${c.before}>${c.after}`));
  for (const e of x.edges) {
    const label = mermaidLabel(e.on.length > 0 ? e.on.join(', ') : 'same actor');
    out.push(`  s${e.from} ${critical.has(`${e.from}>${e.to}`) ? '==>' : '-->'}|"${label}"| s${e.to}`);
  }
  out.push('  classDef movable stroke-dasharray: 5 5');
  if (x.movable.length > 0) out.push(`  class ${x.movable.map((m) => `s${m.step}`).join(',')} movable`);
  return out.join('\n');
}

/** A string inside a DOT quoted ID: backslashes and quotes escaped, no line breaks. */
function dotString(s: string): string {
  return `"${s
    .replace(/[\r\n]+/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')}"`;
}

/** A Graphviz digraph of the same graph. */
export function explainDot(x: Explanation): string {
  const out = ['digraph explain {', '  rankdir=TB;', '  node [shape=box];'];
  const movable = new Set(x.movable.map((m) => m.step));
  for (const s of x.steps) out.push(`  s${s.step} [label=${dotString(`${s.step}. ${s.narration}`)}${movable.has(s.step) ? ', style=dashed' : ''}];`);
  const critical = new Set(x.critical.map((c) => `${c.before}>${c.after}`));
  for (const e of x.edges) {
    out.push(
      `  s${e.from} -> s${e.to} [label=${dotString(e.on.length > 0 ? e.on.join(', ') : 'same actor')}${critical.has(`${e.from}>${e.to}`) ? ', penwidth=3' : ''}];`,
    );
  }
  out.push('}');
  return out.join('\n');
}
