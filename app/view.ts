/**
 * `dnsmc view TRACE [--compare TRACE2] [--out FILE.html]`: writes the trace
 * viewer, one self-contained HTML file (see traces/viewer.ts). Also used by
 * `dnsmc check --view FILE.html` for the counterexample it finds.
 */
import { basename } from 'node:path';
import type { Model } from '../checker/model.js';
import type { Presentation } from '../checker/package.js';
import { laneOptionsFor, type LaneOptions } from '../traces/lanes.js';
import type { Trace } from '../traces/trace.js';
import { viewerHtml, type ViewerPane } from '../traces/viewer.js';
import { EXIT, UsageError } from './errors.js';
import { fileFlag, outputFlag, refuseOverwrite } from './flags.js';
import type { PackageSource } from './model.js';
import { writeOutput } from './report.js';
import type { Io } from './io.js';
import { readTraceFile } from './trace-file.js';

/** The flags of `dnsmc view`, as yargs hands them over (unvalidated). */
export interface ViewArgs {
  trace?: unknown;
  compare?: unknown;
  out?: unknown;
  /** The user model module the traces were made with. */
  model?: unknown;
}

/** Lanes for a model's traces: every actor of every role, named as the model names them, then its package's resource lanes. */
export function laneOptions(model: Model, presentation?: Presentation): LaneOptions {
  return laneOptionsFor(model, presentation);
}

/** One trace to show, with the model it belongs to, the package that built it, and a label (e.g. its file name). */
export interface ViewSource {
  readonly trace: Trace;
  readonly model: Model;
  readonly source?: PackageSource;
  readonly label?: string;
  /** How states are presented (lanes, a picture). Absent: the package's (`source`); present but undefined: none. */
  readonly presentation?: Presentation;
}

/** The viewer page for a trace, or for two side by side. */
export function viewerPage(a: ViewSource, b?: ViewSource): string {
  const pane = (s: ViewSource): ViewerPane => ({
    trace: s.trace,
    label: s.label,
    model: s.model,
    presentation: 'presentation' in s ? s.presentation : s.source?.pkg.presentation,
  });
  return viewerHtml(b ? [pane(a), pane(b)] : [pane(a)]);
}

/** Writes the viewer page for one trace (`check --view`, `simulate --view`). */
export function writeViewer(file: string, v: ViewSource, flag: string): void {
  writeOutput(file, viewerPage(v), flag);
}

const labelOf = (file: string, t: Trace): string => `${basename(file)}${t.variant ? ` (${t.variant})` : ''}`;

/** Runs `dnsmc view`; resolves to 0 once the page is written. Throws UsageError or TraceError for bad input. */
export async function runView(a: ViewArgs, io: Io): Promise<number> {
  if (typeof a.trace !== 'string' || a.trace === '') throw new UsageError('view needs a trace file: dnsmc view TRACE [--compare TRACE2] [--out FILE.html]');
  const compare = fileFlag('compare', a.compare);
  const out = outputFlag('out', a.out ?? `${a.trace.replace(/\.json$/i, '')}.html`)!;
  refuseOverwrite(
    [['out', out]],
    [
      ['the trace', a.trace],
      ['the compared trace', compare],
    ],
  );
  const first = await readTraceFile(a.trace, { model: a.model });
  const second = compare === undefined ? undefined : await readTraceFile(compare, { model: a.model });
  const page = viewerPage({ ...first, label: labelOf(first.file, first.trace) }, second && { ...second, label: labelOf(second.file, second.trace) });
  writeOutput(out, page, 'out');
  io.out(`viewer written to ${out}\n`);
  return EXIT.ok;
}
