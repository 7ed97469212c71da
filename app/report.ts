/**
 * The last stage of every command: reporting. The header that names the
 * model, the statistics and verdict lines, the exit code of a status, and
 * the files a command writes (traces, pages), atomically, with a path that
 * cannot be written blamed on its flag.
 */
import type { CheckResult } from '../checker/explore/bfs.js';
import type { Model } from '../checker/model/model.js';
import { writeFileAtomic } from '../traces/io.js';
import type { Trace } from '../traces/trace.js';
import { EXIT, UsageError } from './errors.js';
import { int, mb, secs } from './format.js';
import { type Io, OutputError } from './io.js';
import { moduleOf } from './load-module.js';

/** The statuses every command's result ends in. */
export type RunStatus = 'ok' | 'violation' | 'deadlock' | 'incomplete';

/** The exit code of a status: 0 ok, 1 violation or deadlock, 3 incomplete. */
export function exitCode(status: RunStatus): number {
  return status === 'ok' ? EXIT.ok : status === 'incomplete' ? EXIT.incomplete : EXIT.violation;
}

/** `workers 3, plans 4, ...`: the parameters other than the variant. */
export function describeParams(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .filter(([k]) => k !== 'variant')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

/** What a report's header names: the model, its variant and parameters, and the module it came from. */
export interface ModelHeader {
  readonly model: string;
  readonly variant?: string | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly module?: string | null;
}

/** The header of a model, as a command's report names it. */
export function headerOf(model: Model): ModelHeader {
  return { model: model.name, variant: model.variant ?? null, params: model.params, module: moduleOf(model) ?? null };
}

/** `dnsmc check: model dns, variant as-was (workers 3, plans 4, ...)`. */
export function headerLine(command: string, h: ModelHeader): string {
  return `dnsmc ${command}: model ${h.model}${h.variant ? `, variant ${h.variant}` : ''}${h.module ? ` from ${h.module}` : ''} (${describeParams(h.params) || 'no parameters'})`;
}

/** `actions fired: publishPlan 4, pickPlan 12 (NEVER FIRED), ...`. */
export function actionsLine(actions: Readonly<Record<string, number>>): string {
  return `actions fired: ${Object.entries(actions)
    .map(([a, n]) => `${a} ${int(n)}${n === 0 ? ' (NEVER FIRED)' : ''}`)
    .join(', ')}`;
}

/** The statistics block of a search's text report. */
export function statsLines(r: CheckResult): string[] {
  const lines = [
    `${int(r.distinctStates)} distinct states, ${int(r.generatedStates)} generated, diameter ${r.diameter}, ` +
      `${secs(r.durationMs)} (${int(r.statesPerSecond)} states/s), peak memory ${mb(r.peakMemoryBytes)}`,
    `${r.workers} worker${r.workers === 1 ? '' : 's'}${r.symmetry ? ', symmetry reduction (states up to renaming of interchangeable actors)' : ''}; ` +
      `visited set and frontier ${mb(r.engineBytes)} (${r.bytesPerState.toFixed(1)} bytes per state)`,
  ];
  if (r.symmetry) {
    // Depth is the same for every state of a class, so a search bounded by depth counts them all up to it.
    const scope = r.complete ? 'reachable' : r.stoppedBy === 'max-depth' ? `reachable within depth ${r.diameter}` : 'behind those stored';
    lines.push(
      `symmetry: ${int(r.distinctStates)} representatives of ${int(r.unreducedStates)} states ${scope} ` +
        `(a search without symmetry stores every one; ${(r.unreducedStates / Math.max(1, r.distinctStates)).toFixed(1)} per representative)`,
    );
  }
  if (r.collisionProbability > 0) lines.push(`fingerprint collision probability: ${r.collisionProbability.toExponential(1)}`);
  lines.push(actionsLine(r.actions));
  if (r.unfired.length > 0 && r.complete) lines.push(`warning: ${r.unfired.join(', ')} never fired in the whole state space`);
  return lines;
}

/** The verdict line of a search. */
export function verdict(r: CheckResult): string {
  switch (r.status) {
    case 'ok':
      return `No violation: ${r.properties.join(', ')} hold${r.properties.length === 1 ? 's' : ''} in all ${int(r.distinctStates)} reachable states.`;
    case 'incomplete':
      return `Incomplete: stopped by ${r.stoppedBy} after ${int(r.distinctStates)} states with ${int(r.queue)} unexplored; no violation so far.`;
    default: {
      const vs = r.violations.map((v) =>
        v.kind === 'deadlock' ? `deadlock after ${v.schedule.length} steps` : `${v.property} violated after ${v.schedule.length} steps`,
      );
      const tail = r.complete ? '' : r.stoppedBy ? ` (search stopped by ${r.stoppedBy})` : ' (search stopped at the first violation)';
      return `${r.status === 'deadlock' ? 'Deadlock' : 'Violation'}: ${vs.join('; ')}${tail}.`;
    }
  }
}

/** Write failures that are not the path's fault: like a failed write to stdout, exit 74. */
const OUTPUT_FAILURES: ReadonlySet<string | undefined> = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EPIPE', 'ENXIO']);

/**
 * Writes a file atomically (a FIFO or device in place, see writeFileAtomic).
 * A path that cannot be written is the flag's fault (UsageError, exit 2); a
 * write that fails on the way (a full disk, /dev/full, a FIFO no process
 * reads) is an OutputError (exit 74).
 */
export function writeOutput(file: string, text: string, flag: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = `--${flag}: cannot write ${file}: ${code ?? (e as Error).message}${code === 'ENXIO' ? ' (a FIFO that no process is reading)' : ''}`;
    throw OUTPUT_FAILURES.has(code) ? new OutputError(msg) : new UsageError(msg);
  }
}

/** Writes a trace file atomically. */
export function writeTrace(file: string, trace: Trace, flag = 'trace-out'): void {
  writeOutput(file, `${JSON.stringify(trace, null, 1)}\n`, flag);
}

/** Prints exactly one JSON object on stdout (`--json`). */
export function printJson(io: Io, report: unknown): void {
  io.out(`${JSON.stringify(report)}\n`);
}
