/**
 * Trace exports for postmortems and other tools:
 *  - markdown: a table of steps with the narrated lines;
 *  - mermaid: a `sequenceDiagram`, one participant per actor (and per
 *    resource lane, when the caller names them);
 *  - ITF, the Informal Trace Format that Apalache and Quint read and write
 *    (ADR-015), with a reader that turns such a document back into a trace.
 *
 * Every string taken from a trace is untrusted: it is escaped for the target
 * syntax so that it can only ever be read as text.
 */
import type { Field, FieldSpec, Json, JsonState, ScalarField } from '../checker/layout.js';
import { LayoutError } from '../checker/layout.js';
import type { Model } from '../checker/model.js';
import { replay, type ScheduleStep } from '../checker/path.js';
import { headline, pathName, showValue } from './text.js';
import { parseTrace, TraceError, traceFromReplay, type Trace, type TraceStep } from './trace.js';

// ---------------------------------------------------------------------------
// Lanes: who acts, and which resources a step touches.

/** A lane of a sequence diagram: an actor, or a resource that steps act on. */
export interface Lane {
  /** Unique within one diagram. */
  readonly id: string;
  readonly label: string;
  readonly kind: 'actor' | 'resource';
}

/** Resource lanes (e.g. a DNS endpoint's records) and which state paths belong to each. */
export interface ResourceLanes {
  readonly lanes: readonly { readonly id: string; readonly label: string }[];
  /** The resource lane a changed state path (a patch path such as `["alias", 0]`) belongs to, if any. */
  of(path: readonly (string | number)[]): string | undefined;
}

/** How to name and order the lanes. All optional; defaults come from the trace itself. */
export interface LaneOptions {
  /** Actor roles and how many actors each has (a model's `roles`): every actor gets a lane, even one that never acts. */
  readonly roles?: Readonly<Record<string, number>>;
  /** Names an actor (a model's `actorName`). Default: the role, followed by the actor number when the role has several. */
  readonly actorName?: (role: string, actor: number) => string;
  /** Resource lanes, placed after the actors. Default: none. */
  readonly resources?: ResourceLanes;
}

/** One step placed on the diagram: its actor's lane and the resource lanes its changes touch. */
export interface SequenceStep {
  readonly step: number;
  readonly lane: string;
  readonly action: string;
  readonly targets: readonly string[];
}

/** The lanes of a trace and each step's place among them. */
export interface Sequence {
  readonly lanes: readonly Lane[];
  readonly steps: readonly SequenceStep[];
}

const actorLaneId = (role: string, actor: number): string => `actor:${role}:${actor}`;

/** Lanes for a trace: one per actor (planner, each enactor, ...), then the resource lanes. */
export function sequenceOf(trace: Trace, o: LaneOptions = {}): Sequence {
  const roles = new Map<string, number>();
  for (const [role, n] of Object.entries(o.roles ?? {})) roles.set(role, n);
  for (const s of trace.steps) roles.set(s.role, Math.max(roles.get(s.role) ?? 0, s.actor + 1));
  const name = (role: string, actor: number): string => o.actorName?.(role, actor) ?? (roles.get(role) === 1 ? role : `${role} ${actor}`);
  const lanes: Lane[] = [];
  for (const [role, n] of roles) for (let a = 0; a < n; a++) lanes.push({ id: actorLaneId(role, a), label: name(role, a), kind: 'actor' });
  const resourceIds = new Set<string>();
  for (const r of o.resources?.lanes ?? []) {
    lanes.push({ id: `resource:${r.id}`, label: r.label, kind: 'resource' });
    resourceIds.add(r.id);
  }
  const steps = trace.steps.map((s): SequenceStep => {
    const targets: string[] = [];
    for (const p of s.patches) {
      const r = Array.isArray(p.path) ? o.resources?.of(p.path) : undefined;
      if (r !== undefined && resourceIds.has(r) && !targets.includes(`resource:${r}`)) targets.push(`resource:${r}`);
    }
    return { step: s.step, lane: actorLaneId(s.role, s.actor), action: s.action, targets };
  });
  return { lanes, steps };
}

/**
 * The step index where a lasso's loop starts (the last state equals the state
 * at that step, and the steps after it repeat forever), when the trace is a
 * lasso and `loop` is in range.
 */
export function loopOf(trace: Trace): number | undefined {
  const loop = trace.loop;
  return Number.isInteger(loop) && (loop as number) >= 0 && (loop as number) <= trace.steps.length ? loop : undefined;
}

/** What a lasso does after its last step, in words. */
function loopWords(loop: number, n: number): string {
  return loop === n ? `the run stays in the state of step ${n} forever` : `after step ${n} the run is back in the state of step ${loop}, and steps ${loop + 1} to ${n} repeat forever`;
}

/**
 * The trace's headline: what breaks and after how many steps, as `headline`
 * says it; for a trace in which its own property does not break (a replay
 * under a fix), the steps and whatever does break, or that nothing does.
 */
export function traceTitle(t: Trace): string {
  if (t.breaks.some((b) => b.property === t.property)) return headline(t);
  const n = t.steps.length;
  const broken = t.breaks.map((b) => b.property);
  const what = broken.length === 0 ? 'no property breaks' : `${broken.join(', ')} break${broken.length === 1 ? 's' : ''}`;
  return `${t.model}${t.variant ? ` (${t.variant})` : ''}: ${n} step${n === 1 ? '' : 's'}, ${what}`;
}

/** The value at a state path, or null. */
function valueAt(s: JsonState, path: readonly (string | number)[]): Json {
  let v: Json = s;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string | number, Json>)[k as never] ?? null;
  }
  return v;
}

/** `alias[0]: 3 → 1` for each change a step made. */
function changeLines(before: JsonState, s: TraceStep): string[] {
  return s.patches
    .filter((p) => Array.isArray(p.path))
    .map((p) => `${pathName(p.path)}: ${showValue(valueAt(before, p.path))} → ${showValue(p.value)}`);
}

/** A state for people: the model's `render` when given, else one `field = value` per field. */
function stateLines(s: JsonState, render?: (s: JsonState) => string[]): string[] {
  if (render) return render(s);
  return Object.entries(s).map(([k, v]) => `${k} = ${Array.isArray(v) && v.some(Array.isArray) ? `[${v.map(showValue).join(', ')}]` : showValue(v)}`);
}

// ---------------------------------------------------------------------------
// Markdown

/** Options for {@link toMarkdown}. */
export interface MarkdownOptions extends LaneOptions {
  /** Renders a state for people (a model's `render`), used for the initial state. Default: one `field = value` per field. */
  readonly render?: (s: JsonState) => string[];
}

/**
 * Escapes text for Markdown (GitHub flavour): the characters that Markdown
 * or HTML could read as syntax inside a table cell (emphasis, code, links,
 * tags, entities, pipes, strikethrough, math) are backslash-escaped, and line
 * breaks become spaces, so a cell stays one cell of plain text.
 */
export function markdownText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|~&$]/g, (c) => `\\${c}`);
}

/** A markdown table of the trace's steps with the narrated lines, ready to paste into a postmortem. */
export function toMarkdown(trace: Trace, o: MarkdownOptions = {}): string {
  const md = markdownText;
  const seq = sequenceOf(trace, o);
  const label = new Map(seq.lanes.map((l) => [l.id, l.label]));
  const loop = loopOf(trace);
  const params = Object.entries(trace.params)
    .filter(([k]) => k !== 'variant')
    .map(([k, v]) => `${k} ${showValue(v)}`)
    .join(', ');
  const out = [`### ${md(traceTitle(trace))}`, ''];
  out.push(`Model ${md(trace.model)}${trace.variant ? `, variant ${md(trace.variant)}` : ''}${params ? `; ${md(params)}` : ''}.`, '');
  const breaksAt = (i: number): string[] =>
    trace.breaks
      .filter((b) => b.step === i)
      .map((b) => (b.property === trace.property ? `**${md(b.property)} violated:** ${md(b.explanation)}` : `**${md(b.property)} also breaks:** ${md(b.explanation)}`));
  const loopMark = (i: number): string => (loop === i ? ' ↻' : '');
  out.push('| step | actor | action | what happens | what changed |', '|---:|---|---|---|---|');
  const initial = stateLines(trace.initial, o.render).map(md).join('<br>');
  out.push(`| 0${loopMark(0)} | | | initial state<br>${[initial, ...breaksAt(0)].filter(Boolean).join('<br>')} | |`);
  let before = trace.initial;
  trace.steps.forEach((s, i) => {
    const who = label.get(seq.steps[i].lane) ?? `${s.role} ${s.actor}`;
    const what = [md(s.narration), ...breaksAt(s.step)].join('<br>');
    out.push(`| ${s.step}${loopMark(s.step)} | ${md(who)} | ${md(s.action)} | ${what} | ${changeLines(before, s).map(md).join('<br>')} |`);
    before = s.state;
  });
  out.push('');
  if (loop !== undefined) out.push(`↻ The run is a lasso: ${loopWords(loop, trace.steps.length)}.`, '');
  const main = trace.breaks.find((b) => b.property === trace.property);
  if (main) out.push(`**${md(main.property)}** ${main.kind === 'deadlock' ? 'occurs' : 'is violated'} at step ${main.step}: ${md(main.explanation)}`, '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// Mermaid

/**
 * Escapes text for a mermaid sequence diagram: letters, digits, spaces and
 * harmless punctuation stay; anything else (`#`, `;`, `<`, `>`, `&`, quotes,
 * line breaks, non-ASCII) becomes a mermaid entity code `#NNN;`, which
 * mermaid shows as the character and never reads as syntax or HTML.
 */
export function mermaidText(s: string): string {
  let out = '';
  for (const ch of s.replace(/[\r\n]+/g, ' ')) {
    out += /[A-Za-z0-9 ,.'()\-_/=+*!?:[\]{}@$^~]/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  // A leading "wrap:" or "nowrap:" would be read as a directive.
  return out.replace(/^(no)?wrap:/i, (m) => `#${m.codePointAt(0)};${m.slice(1)}`);
}

/** A mermaid `sequenceDiagram` of the trace: each step a message from its actor (to the resources it changed), with the narration as a note. */
export function toMermaid(trace: Trace, o: LaneOptions = {}): string {
  const t = mermaidText;
  const seq = sequenceOf(trace, o);
  const id = new Map(seq.lanes.map((l, i) => [l.id, `p${i}`]));
  const first = 'p0';
  const last = `p${Math.max(0, seq.lanes.length - 1)}`;
  const loop = loopOf(trace);
  const out = ['sequenceDiagram'];
  for (const l of seq.lanes) out.push(`  participant ${id.get(l.id)} as ${t(l.label)}`);
  const breaks = (i: number): void => {
    for (const b of trace.breaks) {
      if (b.step !== i) continue;
      const what = b.property === trace.property ? (b.kind === 'deadlock' ? 'deadlock' : `${b.property} VIOLATED`) : `${b.property} also breaks`;
      out.push(`  Note over ${first},${last}: ${t(`${what}: ${b.explanation}`)}`);
    }
  };
  if (seq.lanes.length > 0) {
    out.push(`  Note over ${first},${last}: ${t(`${traceTitle(trace)}. Step 0: the initial state`)}`);
    breaks(0);
  }
  trace.steps.forEach((s, i) => {
    if (loop !== undefined && s.step === loop + 1) out.push(`  loop ${t(`steps ${loop + 1} to ${trace.steps.length} repeat forever`)}`);
    const step = seq.steps[i];
    const from = id.get(step.lane) ?? first;
    const targets = step.targets.length > 0 ? step.targets : [step.lane];
    targets.forEach((to, j) => out.push(`  ${from}->>${id.get(to) ?? from}: ${t(j === 0 ? `${s.step}. ${s.action}` : `${s.step}. (also)`)}`));
    out.push(`  Note over ${from}: ${t(s.narration)}`);
    breaks(s.step);
  });
  if (loop !== undefined && loop < trace.steps.length) out.push('  end');
  if (loop !== undefined && loop === trace.steps.length && seq.lanes.length > 0) out.push(`  Note over ${first},${last}: ${t(`↻ ${loopWords(loop, loop)}`)}`);
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// ITF (Informal Trace Format, Apalache ADR-015)

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
