/**
 * ITF, the Informal Trace Format that Apalache and Quint read and write
 * (ADR-015): a trace as an ITF document, and a reader that turns such a
 * document back into a trace by replaying it under the model.
 */
import type { Field, FieldSpec, Json, JsonState, ScalarField } from '../checker/layout.js';
import { LayoutError } from '../checker/layout.js';
import type { Model } from '../checker/model.js';
import { replay, type ScheduleStep } from '../checker/path.js';
import { loopOf, traceTitle } from './text.js';
import { parseTrace, TraceError, traceFromReplay, type Trace } from './trace.js';

/** An ITF value: a string or boolean as is, tagged objects for the rest. */
export type ItfValue =
  | string
  | boolean
  | { readonly '#bigint': string }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly tag: string; readonly value: ItfValue };

/** An ITF state: the model's fields, and `#meta` saying which step led to it. */
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
    };
  };
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
  /** For a lasso: the index of the state where the loop starts. */
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

/**
 * The trace as an ITF document. `fields` is the model's field spec (its
 * layout's `fields`), which says which arrays are sets. Each state's `#meta`
 * holds its `index`, and for every state after the first the `action`, `role`
 * and `actor` of the step that led to it; the first state's action is `init`.
 */
export function toItf(trace: Trace, fields: FieldSpec): ItfTrace {
  const states: ItfState[] = [stateToItf(fields, trace.initial, { index: 0, action: 'init' }, 'initial')];
  trace.steps.forEach((s, i) => {
    states.push(stateToItf(fields, s.state, { index: i + 1, action: s.action, role: s.role, actor: s.actor }, `steps[${i}].state`));
  });
  const loop = loopOf(trace);
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
      },
    },
    vars: Object.keys(fields),
    states,
    ...(loop === undefined ? {} : { loop }),
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

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

/**
 * Reads an ITF document (as {@link toItf} writes it, or any ITF trace of the
 * same model whose states carry `#meta.action` and `#meta.actor`) back into a
 * trace. The model gives the field kinds and rebuilds each step: the schedule
 * is replayed from the first state, and every replayed state must equal the
 * document's, so narrations and patches come out as the model makes them.
 * Throws a TraceError naming the first thing that does not fit.
 */
export function traceFromItf(doc: unknown, model: Model): Trace {
  if (!isObj(doc)) throw new TraceError('itf: the document must be a JSON object');
  const fields = model.layout.fields as FieldSpec;
  const names = Object.keys(fields);
  if (!Array.isArray(doc.vars) || doc.vars.length !== names.length || !names.every((n) => (doc.vars as unknown[]).includes(n))) {
    throw new TraceError(`itf: vars must list the model's state fields: ${names.join(', ')}`);
  }
  if (!Array.isArray(doc.states) || doc.states.length === 0) throw new TraceError('itf: states must be a non-empty array');
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
    if (i === 0) return;
    const meta = st['#meta'];
    if (!isObj(meta) || typeof meta.action !== 'string' || !Number.isInteger(meta.actor)) {
      throw new TraceError(`itf: ${where}["#meta"] must name the action (a string) and the actor (a whole number) that led to the state`);
    }
    schedule.push({ action: meta.action, actor: meta.actor as number });
  });
  const vec = model.layout.vector();
  try {
    model.layout.fromJson(states[0], vec);
  } catch (e) {
    if (e instanceof LayoutError) throw new TraceError(`itf: states[0]: ${e.message}`);
    throw e;
  }
  const run = replay(model, model.layout.toPlain(vec), schedule);
  if (run.failure) throw new TraceError(`itf: states[${run.failure.step}]: ${run.failure.reason}`);
  run.steps.forEach((s, i) => {
    model.layout.fromPlain(s.state, vec);
    if (JSON.stringify(model.layout.toJson(vec)) !== JSON.stringify(states[i + 1])) {
      throw new TraceError(`itf: states[${i + 1}] differs from the state ${s.action} by ${s.role} ${s.actor} leads to`);
    }
  });
  const meta = isObj(doc['#meta']) && isObj(doc['#meta'].dnsmc) ? doc['#meta'].dnsmc : {};
  const kinds: Trace['kind'][] = ['invariant', 'step', 'deadlock', 'liveness'];
  const kind = kinds.includes(meta.kind as Trace['kind']) ? (meta.kind as Trace['kind']) : 'invariant';
  // Breaks: as the document records them (liveness breaks cannot be recomputed from the states alone), else as the model finds them.
  const built = traceFromReplay(model, run, '', kind === 'liveness' ? 'invariant' : kind);
  const property = typeof meta.property === 'string' ? meta.property : (built.breaks[0]?.property ?? 'none');
  const breaks = Array.isArray(meta.breaks) ? (meta.breaks as Trace['breaks']) : built.breaks;
  let loop: number | undefined;
  if (doc.loop !== undefined) {
    if (!Number.isInteger(doc.loop) || (doc.loop as number) < 0 || (doc.loop as number) >= states.length) {
      throw new TraceError(`itf: loop must be a state index from 0 to ${states.length - 1}`);
    }
    loop = doc.loop as number;
  }
  // Through parseTrace, which checks the breaks and that a loop closes.
  return parseTrace(JSON.parse(JSON.stringify({ ...built, property, kind, breaks, ...(loop === undefined ? {} : { loop }) })));
}
