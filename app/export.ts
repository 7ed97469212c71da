/**
 * `dnsmc export TRACE --format markdown|mermaid|itf [--out FILE]`: the trace
 * as a markdown table for a postmortem, a mermaid sequence diagram, or an ITF
 * document (see traces/export.ts). Printed on stdout, or written atomically
 * to `--out`.
 */
import type { FieldSpec } from '../checker/layout.js';
import type { Model } from '../checker/model.js';
import { toItf } from '../traces/itf.js';
import { toMarkdown } from '../traces/markdown.js';
import { toMermaid } from '../traces/mermaid.js';
import type { Trace } from '../traces/trace.js';
import { EXIT, UsageError } from './errors.js';
import { outputFlag, refuseOverwrite, shown } from './flags.js';
import type { Io } from './io.js';
import { readTraceFile } from './trace-file.js';
import type { Presentation } from '../checker/package.js';
import { writeOutput } from './report.js';
import { laneOptions } from './view.js';

/** The export formats. */
export const EXPORT_FORMATS = ['markdown', 'mermaid', 'itf'] as const;
/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The flags of `dnsmc export`, as yargs hands them over (unvalidated). */
export interface ExportArgs {
  trace?: unknown;
  format?: unknown;
  out?: unknown;
  /** The user model module the trace was made with. */
  model?: unknown;
}

/** A trace of `model` in one of the export formats. */
export function exportTrace(trace: Trace, model: Model, format: ExportFormat, presentation?: Presentation): string {
  switch (format) {
    case 'markdown':
      return toMarkdown(trace, { ...laneOptions(model, presentation), render: model.render ? (s) => model.render!(s) : undefined });
    case 'mermaid':
      return toMermaid(trace, laneOptions(model, presentation));
    case 'itf':
      return `${JSON.stringify(toItf(trace, model.layout.fields as FieldSpec), null, 1)}\n`;
  }
}

/** Runs `dnsmc export`; resolves to 0 once the export is printed or written. */
export async function runExport(a: ExportArgs, io: Io): Promise<number> {
  if (typeof a.trace !== 'string' || a.trace === '') throw new UsageError('export needs a trace file: dnsmc export TRACE --format markdown|mermaid|itf');
  if (!EXPORT_FORMATS.includes(a.format as ExportFormat)) {
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join('|')}, got ${a.format === undefined ? 'nothing' : shown(a.format)}`);
  }
  const out = outputFlag('out', a.out);
  refuseOverwrite([['out', out]], [['the trace', a.trace]]);
  const { trace, model, source } = await readTraceFile(a.trace, { model: a.model });
  const text = exportTrace(trace, model, a.format as ExportFormat, source.pkg.presentation);
  if (out === undefined) {
    io.out(text.endsWith('\n') ? text : `${text}\n`);
  } else {
    writeOutput(out, text.endsWith('\n') ? text : `${text}\n`, 'out');
    io.out(`${a.format} written to ${out}\n`);
  }
  return EXIT.ok;
}
