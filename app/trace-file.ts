/**
 * Reading a trace file: untrusted input. Whatever is wrong with it (it cannot
 * be read, is not JSON, has an unknown format or version, lacks a field, or
 * holds a state that does not fit the model or does not follow from the step
 * before) becomes one line naming the file and the field: a UsageError or a
 * TraceError, which the CLI prints with exit code 2.
 *
 * A dnsmc trace (`format: "dnsmc-trace"`) and an ITF document that dnsmc
 * exported (`#meta.dnsmc` names the model) are both accepted.
 */
import { readInputFile } from '../traces/io.js';
import type { Model } from '../checker/model/model.js';
import { traceFromItf } from '../traces/itf.js';
import { isObj, parseTrace, replayRecorded, TraceError, TRACE_FORMAT, TRACE_VERSION, type Trace } from '../traces/trace.js';
import { verifyTrace } from '../traces/verify.js';
import { ParamError } from '../checker/package/params.js';
import { printable, usageMessage } from './errors.js';
import { modelFromTrace, type PackageSource } from './model.js';

/** A trace read from a file, with the model it was made with. */
export interface LoadedTrace {
  readonly file: string;
  readonly trace: Trace;
  /** The model the trace names, rebuilt from its parameters; every state was checked against it. */
  readonly model: Model;
  /** The package that built it. */
  readonly source: PackageSource;
}

/** A message quoting the file's strings, with control characters (line breaks, terminal escapes) shown as escapes. */

/** Runs `f`, turning any error a user can fix into a TraceError about `file`. */
async function about<T>(file: string, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    // A parameter out of range came from the file, not from a flag.
    if (e instanceof ParamError) throw new TraceError(`${file}: trace: field params.${e.param}: ${printable(e.message)}`);
    const msg = usageMessage(e);
    if (msg === undefined) throw e;
    throw new TraceError(`${file}: ${printable(msg)}`);
  }
}

/** How to build the model a trace names. */
export interface TraceModelOptions {
  /** The user model module the trace was made with (`--model FILE`); a trace file never names code that dnsmc runs. */
  readonly model?: unknown;
}

/** The model a trace names. Its parameters come from the file, so a bad one is the file's fault. */
async function modelOf(file: string, t: Pick<Trace, 'model' | 'params' | 'module'>, o: TraceModelOptions): Promise<{ model: Model; source: PackageSource }> {
  // A module flag that does not load is the flag's fault: its message is left as it is.
  if (o.model !== undefined) return modelFromTrace(t, o.model);
  return about(file, () => modelFromTrace(t));
}

/** Checks the parts of a parsed trace the viewer and exports rely on beyond parseTrace's structure. */
function checkDetails(trace: Trace): void {
  const n = trace.steps.length;
  trace.breaks.forEach((b, i) => {
    if (b.step < 0 || b.step > n) throw new TraceError(`trace: breaks[${i}].step must be from 0 to ${n}, got ${b.step}`);
  });
  trace.steps.forEach((s, i) => {
    s.patches.forEach((p, j) => {
      const path = isObj(p) ? (p as { path?: unknown }).path : undefined;
      if (!Array.isArray(path) || path.length === 0 || !path.every((k) => typeof k === 'string' || (Number.isInteger(k) && (k as number) >= 0))) {
        throw new TraceError(`trace: steps[${i}].patches[${j}].path must be a non-empty array of field names and indexes`);
      }
    });
  });
}

/**
 * Validates untrusted JSON as a trace of a model dnsmc knows: structure,
 * every state against the model's layout, and every step against the model's
 * rules (each recorded state must be the one its action leads to).
 * `file` names the source in messages.
 */
export async function loadTraceJson(json: unknown, file: string, o: TraceModelOptions = {}): Promise<LoadedTrace> {
  if (isObj(json) && json.format === undefined && Array.isArray(json.states) && Array.isArray(json.vars)) {
    // An ITF document: the model and its parameters travel in #meta.dnsmc.
    const meta = isObj(json['#meta']) && isObj(json['#meta'].dnsmc) ? json['#meta'].dnsmc : undefined;
    if (!meta || typeof meta.model !== 'string' || !isObj(meta.params)) {
      throw new TraceError(`${file}: itf: #meta.dnsmc must name the model and its params (dnsmc reads the ITF documents it writes)`);
    }
    const module = typeof meta.module === 'string' ? meta.module : undefined;
    const { model, source } = await modelOf(file, { model: meta.model, params: meta.params as Trace['params'], module }, o);
    const trace = await about(file, () => {
      const t = traceFromItf(json, model);
      checkDetails(t);
      verifyTrace(model, t);
      return t;
    });
    return { file, trace, model, source };
  }
  const trace = await about(file, () => {
    const t = parseTrace(json);
    checkDetails(t);
    return t;
  });
  const { model, source } = await modelOf(file, trace, o);
  const { mismatches, run } = await about(file, () => replayRecorded(model, trace));
  if (mismatches.length > 0) {
    const m = mismatches[0];
    throw new TraceError(`${file}: trace: steps[${m.step - 1}]: ${m.reason} (the trace does not follow the model's rules)`);
  }
  // What the file claims beyond its schedule must be what the model derives.
  await about(file, () => verifyTrace(model, trace, run));
  return { file, trace, model, source };
}

/** The largest input file dnsmc reads (a trace, a shard report). */
export const MAX_INPUT_BYTES = 256 * 2 ** 20;
/** The deepest nesting of arrays and objects an input may have (a trace needs 4). */
export const MAX_INPUT_DEPTH = 64;

/**
 * Reads an untrusted JSON file: its size bounded, parsed, and its nesting
 * bounded (so that no later walk over it can exhaust the stack). `what`
 * names the expected content in messages. Throws InputFileError (through
 * readInputFile: only a regular file, at most MAX_INPUT_BYTES read) or TraceError.
 */
export function readJsonInput(file: string, what: string): unknown {
  const text = readInputFile(file, { name: what.startsWith(TRACE_FORMAT) ? 'trace file' : 'file', maxBytes: MAX_INPUT_BYTES });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TraceError(`${file}: not a JSON document (${printable((e as Error).message).slice(0, 200)}); expected a ${what}`);
  }
  // Iteratively, so that the check itself cannot overflow.
  const stack: [unknown, number][] = [[json, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) throw new TraceError(`${file}: nested more than ${MAX_INPUT_DEPTH} levels deep; not a ${what}`);
    for (const x of Object.values(v)) if (x !== null && typeof x === 'object') stack.push([x, depth + 1]);
  }
  return json;
}

/** Reads and validates a trace file (see {@link loadTraceJson}). */
export async function readTraceFile(file: string, o: TraceModelOptions = {}): Promise<LoadedTrace> {
  const json = readJsonInput(file, `${TRACE_FORMAT} file, version ${TRACE_VERSION}`);
  return loadTraceJson(json, file, o);
}
