/**
 * The files `check` writes for its first counterexample (`--trace-out`,
 * `--view`, `--out-itf`) and the lines that say so: one place for the
 * exhaustive search, the liveness check and a swarm shard.
 */
import type { Model } from '../checker/model/model.js';
import type { Trace } from '../traces/trace.js';
import type { PackageSource } from './model.js';
import { writeTrace } from './report.js';

/** The output files asked for (see `checkOutputs`). */
export interface CheckOutputFiles {
  readonly traceOut?: string;
  readonly view?: string;
  readonly outItf?: string;
}

/**
 * Writes the first counterexample, if any, to each file asked for; `model` is
 * the model the trace is of. The viewer and ITF modules load only when asked for.
 */
export async function writeCheckOutputs(files: CheckOutputFiles, trace: Trace | undefined, model: Model, source?: PackageSource): Promise<void> {
  if (trace === undefined) return;
  if (files.traceOut) writeTrace(files.traceOut, trace);
  if (files.view) (await import('./view.js')).writeViewer(files.view, { trace, model, source }, 'view');
  if (files.outItf) (await import('./export.js')).writeItf(files.outItf, trace, model);
}

/** What `check` and `simulate` say about `--out-itf` after their verdict. */
export function itfLine(file: string, written: boolean): string {
  return written ? `ITF trace written to ${file}\n` : `no counterexample, so no ITF trace written to ${file}\n`;
}

/** The lines of the text report that say what was written (or, for the viewer and ITF, that nothing was). */
export function checkOutputLines(files: CheckOutputFiles, found: boolean): string {
  let out = '';
  if (files.traceOut && found) out += `trace written to ${files.traceOut}\n`;
  if (files.view) out += found ? `viewer written to ${files.view}\n` : `no counterexample, so no viewer written to ${files.view}\n`;
  if (files.outItf) out += itfLine(files.outItf, found);
  return out;
}
