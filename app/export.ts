/**
 * `dnsmc export TRACE --format markdown|mermaid|itf|svg [--step N] [--out FILE]`:
 * the trace as a markdown table for a postmortem, a mermaid sequence
 * diagram, an ITF document, or the model's drawing of the state at step N
 * (the last step when `--step` is not given) as an SVG file. Printed on
 * stdout, or written atomically to `--out`.
 */
import type { FieldSpec } from '../checker/state/layout.js';
import type { Model } from '../checker/model/model.js';
import { toItf } from '../traces/itf.js';
import { toMarkdown } from '../traces/markdown.js';
import { toMermaid } from '../traces/mermaid.js';
import { pictureSvg, svgCaption } from '../traces/svg.js';
import type { Trace } from '../traces/trace.js';
import { EXIT, UsageError } from './errors.js';
import { outputFlag, refuseOverwrite, shown } from './flags.js';
import type { Io } from './io.js';
import { readTraceFile } from './trace-file.js';
import type { Presentation } from '../checker/package/presentation.js';
import { writeOutput } from './report.js';
import { laneOptions } from './view.js';
import { EXPORT_FORMATS } from './command-defaults.js';

export { EXPORT_FORMATS };
/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The flags of `dnsmc export`, as yargs hands them over (unvalidated). */
export interface ExportArgs {
  trace?: unknown;
  format?: unknown;
  out?: unknown;
  /** The user model module the trace was made with. */
  model?: unknown;
  /** For svg: the step whose state is drawn (0 is the initial state). */
  step?: unknown;
}

/** The model's drawing of the state after `step` (0: the initial state) as an SVG document, captioned (traces/svg.ts svgCaption). Throws UsageError when there is none. */
export function exportSvg(trace: Trace, model: Model, step: number, presentation?: Presentation): string {
  const draw = presentation?.picture;
  if (!draw) throw new UsageError(`--format svg needs a model whose package draws its states; ${trace.model} has no picture`);
  const states = [trace.initial, ...trace.steps.map((s) => s.state)];
  const svg = pictureSvg(draw.call(presentation, model, states, step), svgCaption(trace, step));
  if (svg === undefined) throw new UsageError(`--format svg: the picture of ${trace.model}'s states has no drawing (no svg element)`);
  return svg;
}

/** A trace of `model` in one of the export formats (svg: the last step's state). */
export function exportTrace(trace: Trace, model: Model, format: ExportFormat, presentation?: Presentation, step = trace.steps.length): string {
  switch (format) {
    case 'svg':
      return exportSvg(trace, model, step, presentation);
    case 'markdown':
      return toMarkdown(trace, { ...laneOptions(model, presentation), render: model.render ? (s) => model.render?.(s) ?? [] : undefined });
    case 'mermaid':
      return toMermaid(trace, laneOptions(model, presentation));
    case 'itf':
      return itfText(trace, model);
  }
}

/** A trace as ITF, the Informal Trace Format (traces/itf.ts), as `export --format itf` prints it. */
export function itfText(trace: Trace, model: Model): string {
  return `${JSON.stringify(toItf(trace, model.layout.fields as FieldSpec), null, 1)}\n`;
}

/** Writes a counterexample as ITF (`check --out-itf`, `simulate --out-itf`), atomically. */
export function writeItf(file: string, trace: Trace, model: Model): void {
  writeOutput(file, itfText(trace, model), 'out-itf');
}

/** Runs `dnsmc export`; resolves to 0 once the export is printed or written. */
export async function runExport(a: ExportArgs, io: Io): Promise<number> {
  if (typeof a.trace !== 'string' || a.trace === '') throw new UsageError('export needs a trace file: dnsmc export TRACE --format markdown|mermaid|itf|svg');
  if (!EXPORT_FORMATS.includes(a.format as ExportFormat)) {
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join('|')}, got ${a.format === undefined ? 'nothing' : shown(a.format)}`);
  }
  if (a.step !== undefined && a.format !== 'svg') throw new UsageError('--step goes with --format svg only');
  const out = outputFlag('out', a.out);
  refuseOverwrite([['out', out]], [['the trace', a.trace]]);
  const { trace, model, source } = await readTraceFile(a.trace, { model: a.model });
  let step = trace.steps.length;
  if (a.step !== undefined) {
    const n = typeof a.step === 'number' ? a.step : typeof a.step === 'string' && /^\d+$/.test(a.step) ? Number(a.step) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0 || n > trace.steps.length) {
      throw new UsageError(`--step must be a step of the trace, a whole number from 0 to ${trace.steps.length}, got ${shown(a.step)}`);
    }
    step = n;
  }
  const text = exportTrace(trace, model, a.format as ExportFormat, source.pkg.presentation, step);
  if (out === undefined) {
    io.out(text.endsWith('\n') ? text : `${text}\n`);
  } else {
    writeOutput(out, text.endsWith('\n') ? text : `${text}\n`, 'out');
    io.out(`${a.format} written to ${out}\n`);
  }
  return EXIT.ok;
}
