/**
 * The files `check` writes for its first counterexample (`--trace-out`,
 * `--view`, `--out-itf`) and the lines that say so: one place for the
 * exhaustive search, the liveness check and a swarm shard.
 */
import type { Model } from '../checker/model/model.js';
import type { Trace } from '../traces/trace.js';
import { itfLine, writeItf } from './export.js';
import type { PackageSource } from './model.js';
import { writeTrace } from './report.js';
import { writeViewer } from './view.js';

/** The output files asked for (see `checkOutputs`). */
export interface CheckOutputFiles {
  readonly traceOut?: string;
  readonly view?: string;
  readonly outItf?: string;
}

/** Writes the first counterexample, if any, to each file asked for; `model` is the model the trace is of. */
export function writeCheckOutputs(files: CheckOutputFiles, trace: Trace | undefined, model: Model, source?: PackageSource): void {
  if (trace === undefined) return;
  if (files.traceOut) writeTrace(files.traceOut, trace);
  if (files.view) writeViewer(files.view, { trace, model, source }, 'view');
  if (files.outItf) writeItf(files.outItf, trace, model);
}

/** The lines of the text report that say what was written (or, for the viewer and ITF, that nothing was). */
export function checkOutputLines(files: CheckOutputFiles, found: boolean): string {
  let out = '';
  if (files.traceOut && found) out += `trace written to ${files.traceOut}\n`;
  if (files.view) out += found ? `viewer written to ${files.view}\n` : `no counterexample, so no viewer written to ${files.view}\n`;
  if (files.outItf) out += itfLine(files.outItf, found);
  return out;
}
