/**
 * Trace validation: whether logged events are a behaviour of a model.
 *
 * Each process's events are totally ordered (by their sequence numbers);
 * events of different processes are only partially ordered, since clocks are
 * skewed. The search is breadth-first over configurations: a model state
 * paired with each process's position in its log. From a configuration,
 * the next event of any process may be taken if its transition (its action
 * by its actor) is enabled in the model state and the state after it agrees
 * with every field the event says the process saw. Layer d holds the
 * configurations that have explained exactly d events (duplicates merged),
 * so the log conforms when a configuration explains them all; when a layer
 * is empty, the pending events of the layer before are what no model step
 * explains, and its model states are the states reachable just before.
 *
 * With `skewMs`, an event may not be taken while another process has a
 * pending event stamped more than skewMs earlier (clocks agree to within
 * skewMs). Without it, only each process's own order counts.
 *
 * The cost is (events) x (width of the layers) x (processes): close to
 * linear for logs with little concurrency, where few interleavings stay
 * consistent with the model. Generic: it knows only the model interface and
 * steps it through the kernel (kernel.ts).
 */
import { kernelOf } from './kernel.js';
import type { FieldSpec, Json, JsonState } from './layout.js';
import type { Model } from './model.js';
import { OptionError } from './validate.js';

/** One logged protocol step, as the search needs it. */
export interface ConformEvent {
  /** Where it was read (for reports): a file name and a 1-based line. */
  readonly file: string;
  readonly line: number;
  readonly process: string;
  readonly seq: number;
  /** Timestamp in milliseconds (any epoch, the same for every process up to the skew). */
  readonly ts: number;
  readonly action: string;
  readonly actor: number;
  /** What the process saw after the step: state fields (`latest`) or elements (`phase[0]`) and their values, in the model's JSON form. */
  readonly saw: Readonly<Record<string, Json>>;
}

/** A log entry that cannot be an event of this model (unknown action, actor, field or value): the app reports it as bad input. */
export class ConformInputError extends Error {
  override name = 'ConformInputError';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ConformOptions {
  /** Clock skew bound in milliseconds (see the top of the file); none by default. */
  readonly skewMs?: number;
  /** Stop (incomplete) when a layer holds more configurations than this. Default 1,000,000. */
  readonly maxWidth?: number;
}

/** Why one pending event cannot be taken from one model state. */
export interface Refusal {
  readonly process: string;
  readonly seq: number;
  readonly reason: string;
}

export interface ConformResult {
  readonly status: 'conforms' | 'diverges' | 'incomplete';
  readonly events: number;
  readonly processes: number;
  /** The most events any interleaving explained. */
  readonly explained: number;
  /** Configurations stored over all layers, and the widest layer. */
  readonly configurations: number;
  readonly maxWidth: number;
  readonly durationMs: number;
  /** When the log diverges: the first event no model step explains (the earliest stamped of those pending), and what was reachable before it. */
  readonly failure: {
    readonly event: ConformEvent;
    /** The model states reachable just before it (distinct, at most 10), in JSON form. */
    readonly states: readonly JsonState[];
    readonly statesTotal: number;
    /** For each of those states (same order), why the event is not a step from it. */
    readonly reasons: readonly string[];
  } | null;
}

interface Check {
  readonly slot: number;
  readonly value: number;
  readonly field: string;
  readonly json: Json;
}

interface Compiled {
  readonly t: number;
  readonly checks: readonly Check[];
}

const FIELD = /^([A-Za-z_$][\w$]*)(?:\[(0|[1-9]\d{0,8})\])?$/;

/** Compiles each event's transition and field checks; throws ConformInputError for what is not an event of the model. */
function compile<F extends FieldSpec>(model: Model<F>, e: ConformEvent): Compiled {
  const kernel = kernelOf(model);
  const layout = model.layout;
  const t = kernel.indexOf(e.action, e.actor);
  if (t < 0) {
    const known = model.actions.map((a) => a.name);
    if (!known.includes(e.action))
      throw new ConformInputError(e.file, e.line, `action ${JSON.stringify(e.action)} is not an action of model ${model.name} (${known.join(', ')})`);
    const role = model.actions.find((a) => a.name === e.action)!.role;
    throw new ConformInputError(
      e.file,
      e.line,
      `actor ${e.actor} is out of range for ${e.action} (role ${role} has actors 0 to ${(model.roles[role] ?? 0) - 1})`,
    );
  }
  const checks: Check[] = [];
  const vec = layout.vector();
  const base = layout.toJson(layout.vector());
  for (const [path, json] of Object.entries(e.saw)) {
    const m = FIELD.exec(path);
    const spec = m ? (layout.fields as Record<string, FieldSpec[string]>)[m[1]] : undefined;
    if (!m || !spec || !Object.hasOwn(layout.fields, m[1]))
      throw new ConformInputError(
        e.file,
        e.line,
        `saw: ${JSON.stringify(path)} is not a field of model ${model.name} (${Object.keys(layout.fields).join(', ')})`,
      );
    const name = m[1];
    const isArray = spec.kind === 'array';
    if (isArray !== (m[2] !== undefined))
      throw new ConformInputError(e.file, e.line, `saw: ${path}: ${name} ${isArray ? 'is an array: name an element, as ' + name + '[0]' : 'is not an array'}`);
    const index = m[2] === undefined ? 0 : Number(m[2]);
    if (isArray && index >= spec.length) throw new ConformInputError(e.file, e.line, `saw: ${path}: ${name} has elements 0 to ${spec.length - 1}`);
    // The value in the model's encoding: written into a JSON state and read back through the layout, which checks its range.
    const probe: JsonState = { ...base };
    if (isArray) {
      const arr = [...(base[name] as Json[])];
      arr[index] = json;
      probe[name] = arr;
    } else probe[name] = json;
    try {
      layout.fromJson(probe, vec);
    } catch (err) {
      throw new ConformInputError(
        e.file,
        e.line,
        `saw: ${path}: ${JSON.stringify(json).slice(0, 80)} is not a value of this field (${(err as Error).message.slice(0, 200)})`,
      );
    }
    const slot = layout.offsets[name] + index;
    checks.push({ slot, value: vec[slot], field: path, json });
  }
  return { t, checks };
}

const shown = (v: Json): string => JSON.stringify(v);

/**
 * Decides whether the per-process logs (each in sequence order) are a
 * behaviour of `model` from one of its initial states. Throws
 * ConformInputError for an event that cannot be one of this model's.
 */
export function conform<F extends FieldSpec>(model: Model<F>, logs: readonly (readonly ConformEvent[])[], options: ConformOptions = {}): ConformResult {
  const started = performance.now();
  const kernel = kernelOf(model);
  const layout = model.layout;
  const skew = options.skewMs;
  const maxWidth = options.maxWidth ?? 1_000_000;
  if (skew !== undefined && !(skew >= 0)) throw new OptionError('conform: skewMs must be 0 or more');
  const P = logs.length;
  const compiled = logs.map((log) => log.map((e) => compile(model, e)));
  const lengths = Int32Array.from(logs, (l) => l.length);
  const total = logs.reduce((n, l) => n + l.length, 0);
  const S = layout.size;
  const W = layout.words;
  // A configuration: S ints of state then P ints of positions, in one Int32Array per layer.
  const C = S + P;
  const cur = layout.vector();
  const next = layout.vector();
  const curView = layout.view(cur);
  const nextView = layout.view(next);
  const packed = new Uint32Array(W);

  let layer: Int32Array[] = [];
  const seen = new Set<string>();
  const keyOf = (state: Int32Array, pos: Int32Array): string => {
    layout.pack(state, packed, 0);
    return `${packed.join(',')}|${pos.join(',')}`;
  };
  const pos0 = new Int32Array(P);
  for (const init of model.init) {
    layout.fromPlain(init, cur);
    const k = keyOf(cur, pos0);
    if (seen.has(k)) continue;
    seen.add(k);
    const c = new Int32Array(C);
    c.set(cur, 0);
    layer.push(c);
  }
  let configurations = layer.length;
  let widest = layer.length;
  /** Whether process p's pending event may be taken before the others' under the skew bound. */
  const skewAllows = (c: Int32Array, p: number): boolean => {
    if (skew === undefined) return true;
    const ts = logs[p][c[S + p]].ts;
    for (let q = 0; q < P; q++) {
      if (q === p || c[S + q] >= lengths[q]) continue;
      if (logs[q][c[S + q]].ts + skew < ts) return false;
    }
    return true;
  };
  const nextPos = new Int32Array(P);
  for (let d = 0; d < total; d++) {
    const out: Int32Array[] = [];
    seen.clear();
    for (const c of layer) {
      for (let p = 0; p < P; p++) {
        const at = c[S + p];
        if (at >= lengths[p] || !skewAllows(c, p)) continue;
        const ev = compiled[p][at];
        cur.set(c.subarray(0, S));
        if (!kernel.enabled(curView, ev.t)) continue;
        kernel.step(cur, next, nextView, ev.t);
        let ok = true;
        for (const ch of ev.checks)
          if (next[ch.slot] !== ch.value) {
            ok = false;
            break;
          }
        if (!ok) continue;
        nextPos.set(c.subarray(S));
        nextPos[p]++;
        const k = keyOf(next, nextPos);
        if (seen.has(k)) continue;
        seen.add(k);
        const n = new Int32Array(C);
        n.set(next, 0);
        n.set(nextPos, S);
        out.push(n);
      }
    }
    if (out.length === 0) {
      return {
        status: 'diverges',
        events: total,
        processes: P,
        explained: d,
        configurations,
        maxWidth: widest,
        durationMs: performance.now() - started,
        failure: explainFailure(model, logs, compiled, layer, S, skewAllows),
      };
    }
    configurations += out.length;
    if (out.length > widest) widest = out.length;
    layer = out;
    if (layer.length > maxWidth) {
      return {
        status: 'incomplete',
        events: total,
        processes: P,
        explained: d + 1,
        configurations,
        maxWidth: widest,
        durationMs: performance.now() - started,
        failure: null,
      };
    }
  }
  return {
    status: 'conforms',
    events: total,
    processes: P,
    explained: total,
    configurations,
    maxWidth: widest,
    durationMs: performance.now() - started,
    failure: null,
  };
}

/** The first event no step explains: of the events pending in the last layer, the earliest stamped; and why, from each state. */
function explainFailure<F extends FieldSpec>(
  model: Model<F>,
  logs: readonly (readonly ConformEvent[])[],
  compiled: readonly (readonly Compiled[])[],
  layer: readonly Int32Array[],
  S: number,
  skewAllows: (c: Int32Array, p: number) => boolean,
): NonNullable<ConformResult['failure']> {
  const kernel = kernelOf(model);
  const layout = model.layout;
  let best: { p: number; at: number } | null = null;
  for (const c of layer) {
    for (let p = 0; p < logs.length; p++) {
      const at = c[S + p];
      if (at >= logs[p].length) continue;
      const e = logs[p][at];
      if (!best || e.ts < logs[best.p][best.at].ts || (e.ts === logs[best.p][best.at].ts && p < best.p)) best = { p, at };
    }
  }
  const { p, at } = best!;
  const event = logs[p][at];
  const ev = compiled[p][at];
  const cur = layout.vector();
  const next = layout.vector();
  const curView = layout.view(cur);
  const nextView = layout.view(next);
  const states: JsonState[] = [];
  const reasons: string[] = [];
  const keys = new Set<string>();
  let statesTotal = 0;
  for (const c of layer) {
    if (c[S + p] !== at) continue;
    cur.set(c.subarray(0, S));
    const json = layout.toJson(cur);
    const key = JSON.stringify(json);
    if (keys.has(key)) continue;
    keys.add(key);
    statesTotal++;
    if (states.length >= 10) continue;
    states.push(json);
    let reason: string;
    if (!skewAllows(c, p)) reason = 'other processes have events stamped more than the skew earlier still to explain';
    else if (!kernel.enabled(curView, ev.t)) reason = `${event.action} by actor ${event.actor} is not enabled in this state`;
    else {
      kernel.step(cur, next, nextView, ev.t);
      const after = layout.toJson(next);
      const wrong = ev.checks.filter((ch) => next[ch.slot] !== ch.value);
      const at2 = (f: string): Json => {
        const m = FIELD.exec(f)!;
        const v = after[m[1]];
        return m[2] === undefined ? v : (v as Json[])[Number(m[2])];
      };
      reason = `the step leads to ${wrong.map((ch) => `${ch.field} = ${shown(at2(ch.field))}`).join(', ')}, but the process saw ${wrong.map((ch) => `${ch.field} = ${shown(ch.json)}`).join(', ')}`;
    }
    reasons.push(reason);
  }
  return { event, states, statesTotal, reasons };
}

/**
 * The logs a schedule of the model would produce if every process logged
 * each of its steps with what the step wrote (the fields it changed): one
 * log per actor that moves, named `role-actor`, stamped with the step's
 * number times `msPerStep`. For tests and benchmarks of {@link conform}.
 */
export function logsOfSchedule<F extends FieldSpec>(
  model: Model<F>,
  steps: readonly { readonly action: string; readonly actor: number }[],
  options: { readonly initial?: number; readonly msPerStep?: number; readonly file?: string } = {},
): ConformEvent[][] {
  const kernel = kernelOf(model);
  const layout = model.layout;
  const vec = layout.vector();
  const view = layout.view(vec);
  layout.fromPlain(model.init[options.initial ?? 0], vec);
  let before = layout.toJson(vec);
  const byProcess = new Map<string, ConformEvent[]>();
  steps.forEach((s, i) => {
    const t = kernel.indexOf(s.action, s.actor);
    if (t < 0 || !kernel.enabled(view, t)) throw new OptionError(`logsOfSchedule: step ${i + 1} (${s.action} by actor ${s.actor}) is not enabled`);
    kernel.apply(view, t);
    const after = layout.toJson(vec);
    const saw: Record<string, Json> = {};
    for (const [f, v] of Object.entries(after)) {
      const b = before[f];
      if (Array.isArray(v) && Array.isArray(b)) {
        v.forEach((x, j) => {
          if (JSON.stringify(x) !== JSON.stringify(b[j])) saw[`${f}[${j}]`] = x;
        });
      } else if (JSON.stringify(v) !== JSON.stringify(b)) saw[f] = v;
    }
    const process = `${kernel.transitions[t].role}-${s.actor}`;
    let log = byProcess.get(process);
    if (!log) byProcess.set(process, (log = []));
    log.push({
      file: options.file ?? process,
      line: log.length + 1,
      process,
      seq: log.length + 1,
      ts: i * (options.msPerStep ?? 1),
      action: s.action,
      actor: s.actor,
      saw,
    });
    before = after;
  });
  return [...byProcess.keys()].sort().map((p) => byProcess.get(p)!);
}
