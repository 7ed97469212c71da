/**
 * ITF, the Informal Trace Format that Apalache and Quint read and write
 * (ADR-015): a trace as an ITF document, and a reader that turns such a
 * document back into a trace by replaying it under the model.
 */
import type { Field, FieldSpec, Json, JsonState, ScalarField } from '../checker/state/layout.js';
import { LayoutError } from '../checker/state/layout.js';
import type { Model } from '../checker/model/model.js';
import { kernelOf } from '../checker/model/kernel.js';
import { replay, type ScheduleStep } from '../checker/model/replay.js';
import { loopOf, traceTitle } from './text.js';
import { isObj, parseTrace, TraceError, traceFromReplay, type Trace } from './trace.js';

/** An ITF value: a string or boolean as is, tagged objects for the rest. */
export type ItfValue =
  | string
  | boolean
  | { readonly '#bigint': string }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly tag: string; readonly value: ItfValue };

/** The names Quint gives the action that led to a state and the nondeterministic choices it made (here: the actor). */
export const ACTION_TAKEN = 'mbt::actionTaken';
export const NONDET_PICKS = 'mbt::nondetPicks';

/** An ITF state: the model's fields, `mbt::actionTaken` and `mbt::nondetPicks` (as Quint writes them), and `#meta` saying which step led to it. */
export interface ItfState {
  readonly '#meta': { readonly index: number; readonly action: string; readonly actor?: number; readonly role?: string };
  readonly [field: string]: unknown;
}

/** An ITF document as dnsmc writes it. */
export interface ItfTrace {
  readonly '#meta': {
    readonly format: 'ITF';
    readonly 'format-description': string;
    readonly source: string;
    readonly description: string;
    /** What ITF has no place for: the dnsmc trace's model, parameters and properties. */
    readonly dnsmc: {
      readonly format: string;
      readonly version: number;
      readonly model: string;
      readonly variant: string | null;
      readonly params: Readonly<Record<string, Json>>;
      /** For a user model: the module path the trace records (quoted, never loaded). */
      readonly module?: string;
      readonly property: string;
      readonly kind: Trace['kind'];
      readonly breaks: Trace['breaks'];
      /** For a lasso whose loop is more than its last state: the step from the last state back to `states[loop]` (ITF has no state for it). */
      readonly loopBack?: { readonly action: string; readonly role: string; readonly actor: number };
    };
    /** Each var's and param's type, as Apalache writes types (`Int`, `Str`, `Set(Int)`, `Int -> Str`, `Some(Int) | None(UNIT)`). */
    readonly varTypes: Readonly<Record<string, string>>;
  };
  /** The model's parameters (ADR-015: names set in the initial state). */
  readonly params: readonly string[];
  /** The model's state fields, then `mbt::actionTaken` and `mbt::nondetPicks`. */
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
  /**
   * For a lasso (ADR-015): the index of the state that starts the loop; the
   * loop ends in the last state, which steps back to `states[loop]` (no
   * repeated copy of that state).
   */
  readonly loop?: number;
}

/** Where the ITF format is described (Apalache's ADR-015), written into every document's `#meta`. */
export const ITF_FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

const bigint = (n: number): ItfValue => ({ '#bigint': String(n) });

/**
 * A field's JSON value in ITF: an integer as `{"#bigint": "3"}`, an enum as
 * its name (a string), a maybe-integer as the variant `{"tag": "Some",
 * "value": {"#bigint": "0"}}` or `{"tag": "None", "value": {"#tup": []}}`
 * (Quint's encoding of `Option`), a set as `{"#set": [...]}` (sorted), and an
 * array as `{"#map": [[{"#bigint": "0"}, v0], ...]}`, a map from index to value.
 */
function scalarToItf(f: ScalarField, v: Json, where: string): ItfValue {
  switch (f.kind) {
    case 'int':
      if (typeof v !== 'number') throw new TraceError(`itf: ${where} must be an integer`);
      return bigint(v);
    case 'enum':
      if (typeof v !== 'string') throw new TraceError(`itf: ${where} must be a name`);
      return v;
    case 'maybe':
      if (v === null) return { tag: 'None', value: { '#tup': [] } };
      if (typeof v !== 'number') throw new TraceError(`itf: ${where} must be an integer or null`);
      return { tag: 'Some', value: bigint(v) };
    case 'set':
      if (!Array.isArray(v)) throw new TraceError(`itf: ${where} must be a set`);
      return { '#set': [...(v as number[])].sort((a, b) => a - b).map(bigint) };
  }
}

function fieldToItf(f: Field, v: Json, where: string): ItfValue {
  if (f.kind !== 'array') return scalarToItf(f, v, where);
  if (!Array.isArray(v)) throw new TraceError(`itf: ${where} must be an array`);
  return { '#map': v.map((x, i) => [bigint(i), scalarToItf(f.of, x, `${where}[${i}]`)] as const) };
}

function stateToItf(fields: FieldSpec, s: JsonState, meta: ItfState['#meta'], where: string): ItfState {
  const out: Record<string, unknown> = { '#meta': meta };
  for (const [name, f] of Object.entries(fields)) out[name] = fieldToItf(f, s[name] ?? null, `${where}.${name}`);
  return out as ItfState;
}

/** A field's type as Apalache writes types. */
function typeOf(f: Field): string {
  switch (f.kind) {
    case 'int':
      return 'Int';
    case 'enum':
      return 'Str';
    case 'maybe':
      return 'Some(Int) | None(UNIT)';
    case 'set':
      return 'Set(Int)';
    case 'array':
      return `Int -> ${f.of.kind === 'maybe' ? `(${typeOf(f.of)})` : typeOf(f.of)}`;
  }
}

/** A parameter's value in ITF and its type. */
function paramToItf(name: string, v: Json): [ItfValue, string] {
  if (typeof v === 'number' && Number.isInteger(v)) return [bigint(v), 'Int'];
  if (typeof v === 'string') return [v, 'Str'];
  if (typeof v === 'boolean') return [v, 'Bool'];
  throw new TraceError(`itf: param ${name} must be a whole number, a name or true/false`);
}

const NONE: ItfValue = { tag: 'None', value: { '#tup': [] } };

/**
 * The trace as an ITF document (ADR-015). `fields` is the model's field spec
 * (its layout's `fields`), which says which arrays are sets. `params` names
 * the model's parameters, set in the initial state; each state carries
 * `mbt::actionTaken` (the action that led to it, `init` for the first) and
 * `mbt::nondetPicks` (`{actor: Some(n)}`, `None` for the first), as Quint
 * writes them, and a `#meta` with its `index` and the step's `action`, `role`
 * and `actor`. A lasso's `loop` is the index of the state that starts the
 * loop, the last state being the loop's end: the copy of `states[loop]` that
 * a dnsmc trace ends with is left out, and the step back to it is kept in
 * `#meta.dnsmc.loopBack`.
 */
export function toItf(trace: Trace, fields: FieldSpec): ItfTrace {
  const loop = loopOf(trace);
  const n = trace.steps.length;
  // A lasso whose loop has steps ends with a copy of states[loop]: left out (ADR-015's loop ends in the last state).
  const kept = loop !== undefined && loop < n ? n - 1 : n;
  const params = Object.keys(trace.params);
  const varTypes: Record<string, string> = {};
  const paramValues: Record<string, ItfValue> = {};
  for (const name of params) {
    const [v, t] = paramToItf(name, trace.params[name]);
    paramValues[name] = v;
    varTypes[name] = t;
  }
  for (const [name, f] of Object.entries(fields)) varTypes[name] = typeOf(f);
  varTypes[ACTION_TAKEN] = 'Str';
  varTypes[NONDET_PICKS] = '{ actor: Some(Int) | None(UNIT) }';
  const first = stateToItf(fields, trace.initial, { index: 0, action: 'init' }, 'initial');
  const states: ItfState[] = [{ ...first, ...paramValues, [ACTION_TAKEN]: 'init', [NONDET_PICKS]: { actor: NONE } } as ItfState];
  trace.steps.slice(0, kept).forEach((s, i) => {
    const st = stateToItf(fields, s.state, { index: i + 1, action: s.action, role: s.role, actor: s.actor }, `steps[${i}].state`);
    states.push({ ...st, [ACTION_TAKEN]: s.action, [NONDET_PICKS]: { actor: { tag: 'Some', value: bigint(s.actor) } } } as ItfState);
  });
  const back = kept < n ? trace.steps[n - 1] : undefined;
  return {
    '#meta': {
      format: 'ITF',
      'format-description': ITF_FORMAT_DESCRIPTION,
      source: 'dnsmc',
      description: traceTitle(trace),
      dnsmc: {
        format: trace.format,
        version: trace.version,
        model: trace.model,
        variant: trace.variant,
        params: trace.params,
        ...(trace.module !== undefined ? { module: trace.module } : {}),
        property: trace.property,
        kind: trace.kind,
        breaks: trace.breaks,
        ...(back ? { loopBack: { action: back.action, role: back.role, actor: back.actor } } : {}),
      },
      varTypes,
    },
    params,
    vars: [...Object.keys(fields), ACTION_TAKEN, NONDET_PICKS],
    states,
    ...(loop === undefined ? {} : { loop }),
  };
}

function itfInt(v: unknown, where: string): number {
  const s = isObj(v) ? v['#bigint'] : undefined;
  if (typeof s !== 'string' || !/^-?\d{1,16}$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new TraceError(`itf: ${where} must be an integer as {"#bigint": "<digits>"}`);
  }
  return Number(s);
}

function scalarFromItf(f: ScalarField, v: unknown, where: string): Json {
  switch (f.kind) {
    case 'int':
      return itfInt(v, where);
    case 'enum':
      if (typeof v !== 'string') throw new TraceError(`itf: ${where} must be one of ${f.names.join('|')} (a string)`);
      return v;
    case 'maybe': {
      if (!isObj(v) || (v.tag !== 'Some' && v.tag !== 'None')) {
        throw new TraceError(`itf: ${where} must be {"tag": "Some", "value": {"#bigint": ...}} or {"tag": "None", "value": {"#tup": []}}`);
      }
      return v.tag === 'None' ? null : itfInt(v.value, `${where}.value`);
    }
    case 'set': {
      const members = isObj(v) ? v['#set'] : undefined;
      if (!Array.isArray(members)) throw new TraceError(`itf: ${where} must be a set as {"#set": [...]}`);
      return members.map((m, i) => itfInt(m, `${where}["#set"][${i}]`)).sort((a, b) => a - b);
    }
  }
}

function fieldFromItf(f: Field, v: unknown, where: string): Json {
  if (f.kind !== 'array') return scalarFromItf(f, v, where);
  const entries = isObj(v) ? v['#map'] : undefined;
  if (!Array.isArray(entries)) throw new TraceError(`itf: ${where} must be a map from index to value as {"#map": [[k, v], ...]}`);
  const out: Json[] = new Array(f.length).fill(null);
  const seen = new Set<number>();
  entries.forEach((e, j) => {
    if (!Array.isArray(e) || e.length !== 2) throw new TraceError(`itf: ${where}["#map"][${j}] must be a [key, value] pair`);
    const k = itfInt(e[0], `${where}["#map"][${j}][0]`);
    if (k < 0 || k >= f.length || seen.has(k)) throw new TraceError(`itf: ${where} must map each index 0..${f.length - 1} once, got key ${k}`);
    seen.add(k);
    out[k] = scalarFromItf(f.of, e[1], `${where}[${k}]`);
  });
  if (seen.size !== f.length) throw new TraceError(`itf: ${where} must map each index 0..${f.length - 1}`);
  return out;
}

/** A parameter's value read back from ITF (an integer, a name or true/false). */
function paramFromItf(v: unknown, where: string): Json {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return itfInt(v, where);
}

/** The step that led to state `i`: from `#meta` (dnsmc's own documents must have it there), else from Quint's `mbt::` vars. */
function stepOf(st: Record<string, unknown>, i: number, ours: boolean): ScheduleStep {
  const where = `states[${i}]`;
  const meta = st['#meta'];
  const taken = st[ACTION_TAKEN];
  const picks = st[NONDET_PICKS];
  const picked = isObj(picks) && isObj(picks.actor) && picks.actor.tag === 'Some' ? picks.actor.value : undefined;
  const fromMbt =
    typeof taken === 'string' && picked !== undefined ? { action: taken, actor: itfInt(picked, `${where}["${NONDET_PICKS}"].actor.value`) } : undefined;
  if (isObj(meta) && typeof meta.action === 'string' && Number.isInteger(meta.actor)) {
    const step = { action: meta.action, actor: meta.actor as number };
    if (fromMbt && (fromMbt.action !== step.action || fromMbt.actor !== step.actor)) {
      throw new TraceError(
        `itf: ${where}: #meta says ${step.action} by actor ${step.actor}, ${ACTION_TAKEN} and ${NONDET_PICKS} say ${fromMbt.action} by actor ${fromMbt.actor}`,
      );
    }
    return step;
  }
  if (fromMbt && !ours) return fromMbt;
  throw new TraceError(`itf: ${where}["#meta"] must name the action (a string) and the actor (a whole number) that led to the state`);
}

/**
 * Reads an ITF document back into a trace: as {@link toItf} writes it now
 * (ADR-015: `loop` the index of the state that starts the loop, without a
 * repeated copy; `params` set in the first state), as it wrote it before
 * (the loop closed by a copy of `states[loop]`, no `params`), or any ITF
 * trace of the same model whose states name their step in `#meta.action`
 * and `#meta.actor` or, as Quint does, in `mbt::actionTaken` and
 * `mbt::nondetPicks.actor`. The model gives the field kinds and rebuilds
 * each step: the schedule is replayed from the first state, and every
 * replayed state must equal the document's, so narrations and patches come
 * out as the model makes them. A loop's step back from the last state is
 * `#meta.dnsmc.loopBack`, or else the model's one transition that leads there.
 * Throws a TraceError naming the first thing that does not fit.
 */
export function traceFromItf(doc: unknown, model: Model): Trace {
  if (!isObj(doc)) throw new TraceError('itf: the document must be a JSON object');
  const fields = model.layout.fields as FieldSpec;
  const names = Object.keys(fields);
  const vars = doc.vars;
  if (
    !Array.isArray(vars) ||
    !names.every((n) => vars.includes(n)) ||
    !vars.every((v) => names.includes(v as string) || v === ACTION_TAKEN || v === NONDET_PICKS) ||
    new Set(vars).size !== vars.length
  ) {
    throw new TraceError(`itf: vars must list the model's state fields: ${names.join(', ')}`);
  }
  if (!Array.isArray(doc.states) || doc.states.length === 0) throw new TraceError('itf: states must be a non-empty array');
  const dnsmcMeta = isObj(doc['#meta']) && isObj(doc['#meta'].dnsmc) ? doc['#meta'].dnsmc : undefined;
  const states: JsonState[] = [];
  const schedule: ScheduleStep[] = [];
  doc.states.forEach((st, i) => {
    const where = `states[${i}]`;
    if (!isObj(st)) throw new TraceError(`itf: ${where} must be an object`);
    const s: JsonState = {};
    for (const [name, f] of Object.entries(fields)) {
      if (!(name in st)) throw new TraceError(`itf: ${where}.${name} is missing`);
      s[name] = fieldFromItf(f, st[name], `${where}.${name}`);
    }
    states.push(s);
    if (i > 0) schedule.push(stepOf(st, i, dnsmcMeta !== undefined));
  });
  if (doc.params !== undefined) {
    const first = doc.states[0] as Record<string, unknown>;
    const recorded = dnsmcMeta && isObj(dnsmcMeta.params) ? dnsmcMeta.params : {};
    if (!Array.isArray(doc.params) || !doc.params.every((p) => typeof p === 'string')) throw new TraceError('itf: params must be an array of names');
    for (const p of doc.params as string[]) {
      if (!(p in first)) throw new TraceError(`itf: states[0].${p} is missing (params names it: a parameter is set in the first state)`);
      const v = paramFromItf(first[p], `states[0].${p}`);
      if (Object.hasOwn(recorded, p) && recorded[p] !== v) {
        throw new TraceError(`itf: states[0].${p} is ${JSON.stringify(v)}, but #meta.dnsmc.params.${p} is ${JSON.stringify(recorded[p])}`);
      }
    }
  }
  let loop: number | undefined;
  if (doc.loop !== undefined) {
    if (!Number.isInteger(doc.loop) || (doc.loop as number) < 0 || (doc.loop as number) >= states.length) {
      throw new TraceError(`itf: loop must be a state index from 0 to ${states.length - 1}`);
    }
    loop = doc.loop as number;
  }
  const vec = model.layout.vector();
  try {
    model.layout.fromJson(states[0], vec);
  } catch (e) {
    if (e instanceof LayoutError) throw new TraceError(`itf: states[0]: ${e.message}`);
    throw e;
  }
  const init = model.layout.toPlain(vec);
  const last = states.length - 1;
  // ADR-015's loop ends in the last state: the step back to states[loop] is added (the old form repeats states[loop] at the end instead).
  if (loop !== undefined) {
    const lb = dnsmcMeta?.loopBack;
    const oldForm = loop < last && JSON.stringify(states[loop]) === JSON.stringify(states[last]);
    if (isObj(lb)) {
      if (typeof lb.action !== 'string' || !Number.isInteger(lb.actor)) {
        throw new TraceError('itf: #meta.dnsmc.loopBack must name the action (a string) and the actor (a whole number) of the step back into the loop');
      }
      schedule.push({ action: lb.action, actor: lb.actor as number });
      states.push(states[loop]);
    } else if (!oldForm && loop < last) {
      const run = replay(model, init, schedule);
      if (run.failure) throw new TraceError(`itf: states[${run.failure.step}]: ${run.failure.reason}`);
      const from = run.steps.length > 0 ? run.steps[run.steps.length - 1].state : init;
      const want = JSON.stringify(states[loop]);
      const back = kernelOf(model).transitions.find((t) => {
        const r = replay(model, from, [{ action: t.name, actor: t.actor }]);
        if (r.failure || r.steps.length !== 1) return false;
        model.layout.fromPlain(r.steps[0].state, vec);
        return JSON.stringify(model.layout.toJson(vec)) === want;
      });
      if (!back) throw new TraceError(`itf: loop is ${loop}, but no action leads from the last state back to states[${loop}]: the loop does not close`);
      schedule.push({ action: back.name, actor: back.actor });
      states.push(states[loop]);
    }
  }
  const run = replay(model, init, schedule);
  if (run.failure) throw new TraceError(`itf: states[${run.failure.step}]: ${run.failure.reason}`);
  run.steps.forEach((s, i) => {
    model.layout.fromPlain(s.state, vec);
    if (JSON.stringify(model.layout.toJson(vec)) !== JSON.stringify(states[i + 1])) {
      throw new TraceError(`itf: states[${i + 1}] differs from the state ${s.action} by ${s.role} ${s.actor} leads to`);
    }
  });
  const meta = dnsmcMeta ?? {};
  const kinds: Trace['kind'][] = ['invariant', 'step', 'deadlock', 'liveness'];
  const kind = kinds.includes(meta.kind as Trace['kind']) ? (meta.kind as Trace['kind']) : 'invariant';
  // Breaks: as the document records them (liveness breaks cannot be recomputed from the states alone), else as the model finds them.
  const built = traceFromReplay(model, run, '', kind === 'liveness' ? 'invariant' : kind);
  const property = typeof meta.property === 'string' ? meta.property : (built.breaks[0]?.property ?? 'none');
  const breaks = Array.isArray(meta.breaks) ? (meta.breaks as Trace['breaks']) : built.breaks;
  // Through parseTrace, which checks the breaks and that a loop closes.
  return parseTrace(JSON.parse(JSON.stringify({ ...built, property, kind, breaks, ...(loop === undefined ? {} : { loop }) })));
}
