/**
 * Trace validation: whether logged events are a behaviour of a model.
 *
 * Each process's events are totally ordered (by their sequence numbers);
 * events of different processes are only partially ordered, since clocks are
 * skewed. The search is depth-first over configurations: a model state
 * paired with each process's position in its log. From a configuration,
 * the next event of any process may be taken if its transition (its action
 * by its actor) is enabled in the model state and the state after it agrees
 * with every field the event says the process saw. Each configuration is
 * stored once; the earliest-stamped pending event is tried first. The log
 * conforms when a configuration explains every event; when none does, the
 * configurations that explain the most events (d) hold the events no model
 * step explains, and their model states are the states reachable just before.
 *
 * With `skewMs`, an event may not be taken while another process has a
 * pending event stamped more than skewMs earlier (clocks agree to within
 * skewMs). Without it, only each process's own order counts.
 *
 * The cost: one configuration per event for a log that conforms along the
 * first path tried (the usual case), whatever the concurrency; every
 * reachable configuration for one that diverges, bounded by the time, memory
 * and configuration limits. Generic: it knows only the model interface and
 * steps it through the kernel (kernel.ts).
 */
import { kernelOf } from '../model/kernel.js';
import type { FieldSpec, Json, JsonState } from '../state/layout.js';
import type { Model } from '../model/model.js';
import { OptionError } from '../model/validate.js';

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
  /** Stop (incomplete) when the search has stored this many configurations. Default {@link MAX_CONFIGURATIONS}. */
  readonly maxConfigurations?: number;
  /** Stop (incomplete) after this many milliseconds. */
  readonly timeLimitMs?: number;
  /** Stop (incomplete) before resident memory passes this many bytes. */
  readonly maxMemoryBytes?: number;
  /** Called about every `progressIntervalMs` (default 1000) while the search runs. */
  readonly onProgress?: (p: ConformProgress) => void;
  readonly progressIntervalMs?: number;
  /**
   * The state the logs begin in (a snapshot of the running system, in the
   * model's JSON form), instead of the model's initial states. It must fit
   * the layout (a LayoutError names the field otherwise).
   */
  readonly initial?: JsonState;
}

export interface ConformResult {
  readonly status: 'conforms' | 'diverges' | 'incomplete';
  /** When incomplete: the limit that stopped the search. */
  readonly stoppedBy: ConformStop | null;
  readonly events: number;
  readonly processes: number;
  /** The most events any interleaving explained. */
  readonly explained: number;
  /** Configurations stored, and the most stored that explain the same number of events (the widest layer). */
  readonly configurations: number;
  readonly maxWidth: number;
  readonly durationMs: number;
  /** When the log conforms: the model state after the last event, along the interleaving found (JSON form). */
  readonly final: JsonState | null;
  /** When the log conforms: the interleaving found, every event once, in the order the model takes them. */
  readonly order: readonly ConformEvent[] | null;
  /** When the log diverges: an event no explained prefix can take next, the prefix, and what was reachable before it. */
  readonly failure: ConformFailure | null;
}

/** The events from configuration `c`'s root to `c`: at each parent link, the event of the process that moved. */
function pathTo(
  c: number,
  store: { readonly pool: Uint32Array; readonly parent: Int32Array; readonly W: number; readonly P: number },
  logs: readonly (readonly ConformEvent[])[],
): ConformEvent[] {
  const { pool, parent, W, P } = store;
  const C = W + P;
  const events: ConformEvent[] = [];
  for (let q = parent[c]; q >= 0; c = q, q = parent[c]) {
    for (let r = 0; r < P; r++) {
      const was = pool[q * C + W + r];
      if (pool[c * C + W + r] !== was) {
        events.push(logs[r][was]);
        break;
      }
    }
  }
  return events.reverse();
}

/** Why a log diverges (see {@link conform}). */
export interface ConformFailure {
  /**
   * The event named: one that some explained prefix has pending and no
   * explained prefix takes (`alone`), the earliest stamped of those; or,
   * when every pending event is taken by some interleaving but none explains
   * them together (`alone` false), the earliest stamped of the events
   * pending where the most events are explained.
   */
  readonly event: ConformEvent;
  readonly alone: boolean;
  /** Every event that could be the culprit by the same rule (at most 10; the named one first), and their number. */
  readonly culprits: readonly ConformEvent[];
  readonly culpritsTotal: number;
  /** The longest explained interleaving after which the named event is pending: the state it starts from and its events in order. */
  readonly prefix: { readonly initial: JsonState; readonly events: readonly ConformEvent[] };
  /** The model states of the explained prefixes that have the named event pending (distinct, at most 10), in JSON form. */
  readonly states: readonly JsonState[];
  readonly statesTotal: number;
  /** For each of those states (same order), why the event is not a step from it. */
  readonly reasons: readonly string[];
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

/** A zeroed state of the model, as a vector and in JSON form (built once per model: compile probes values against it). */
const blanks = new WeakMap<object, { readonly vec: Int32Array; readonly base: JsonState }>();

/** Compiles each event's transition and field checks; throws ConformInputError for what is not an event of the model. */
function compile<F extends FieldSpec>(model: Model<F>, e: ConformEvent): Compiled {
  const kernel = kernelOf(model);
  const layout = model.layout;
  let blank = blanks.get(model);
  if (!blank) blanks.set(model, (blank = { vec: layout.vector(), base: layout.toJson(layout.vector()) }));
  const t = kernel.indexOf(e.action, e.actor);
  if (t < 0) {
    const action = model.actions.find((a) => a.name === e.action);
    if (action === undefined)
      throw new ConformInputError(
        e.file,
        e.line,
        `action ${JSON.stringify(e.action)} is not an action of model ${model.name} (${model.actions.map((a) => a.name).join(', ')})`,
      );
    const role = action.role;
    throw new ConformInputError(
      e.file,
      e.line,
      `actor ${e.actor} is out of range for ${e.action} (role ${role} has actors 0 to ${(model.roles[role] ?? 0) - 1})`,
    );
  }
  const checks: Check[] = [];
  const { vec, base } = blank;
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
      throw new ConformInputError(e.file, e.line, `saw: ${path}: ${name} ${isArray ? `is an array: name an element, as ${name}[0]` : 'is not an array'}`);
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

/** Progress of a conformance search (see {@link ConformOptions.onProgress}). */
export interface ConformProgress {
  /** The most events one interleaving has explained so far, and the log's events. */
  readonly explained: number;
  readonly events: number;
  /** Configurations stored so far, and the depth of the search's stack. */
  readonly configurations: number;
  readonly stack: number;
  readonly elapsedMs: number;
}

/** Why a search stopped before its verdict. */
export type ConformStop = 'time-limit' | 'max-memory' | 'max-configurations';

/** Default cap on the configurations one search stores. */
export const MAX_CONFIGURATIONS = 20_000_000;

/** A growable typed array of numbers (the search's stack). */
class Ints {
  data = new Int32Array(1024);
  length = 0;
  push(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
    this.data[this.length++] = c;
  }
}

/**
 * Decides whether the per-process logs (each in sequence order) are a
 * behaviour of `model` from one of its initial states. Throws
 * ConformInputError for an event that cannot be one of this model's.
 *
 * The search is depth-first over configurations (see the top of the file),
 * each stored once, packed, in one table keyed by its words; from each
 * configuration it tries first the pending event stamped earliest, then the
 * others. A log that conforms is usually explained by the first path tried,
 * in time linear in its length; a log that diverges makes it visit every
 * configuration reachable, as a breadth-first search would.
 */
export function conform<F extends FieldSpec>(model: Model<F>, logs: readonly (readonly ConformEvent[])[], options: ConformOptions = {}): ConformResult {
  const started = performance.now();
  const kernel = kernelOf(model);
  const layout = model.layout;
  const skew = options.skewMs;
  const maxConfigurations = options.maxConfigurations ?? MAX_CONFIGURATIONS;
  const timeLimitMs = options.timeLimitMs ?? Infinity;
  const maxMemoryBytes = options.maxMemoryBytes ?? Infinity;
  const progressEvery = options.progressIntervalMs ?? 1000;
  if (skew !== undefined && !(skew >= 0)) throw new OptionError('conform: skewMs must be 0 or more');
  if (!(maxConfigurations >= 1)) throw new OptionError('conform: maxConfigurations must be 1 or more');
  const P = logs.length;
  const compiled = logs.map((log) => log.map((e) => compile(model, e)));
  const lengths = Int32Array.from(logs, (l) => l.length);
  const total = logs.reduce((n, l) => n + l.length, 0);
  // Timestamps of every event, process by process: ts[first[p] + position].
  const first = new Int32Array(P);
  const ts = new Float64Array(total);
  for (let p = 0, k = 0; p < P; p++) {
    first[p] = k;
    for (const e of logs[p]) ts[k++] = e.ts;
  }
  const W = layout.words;
  // A configuration: W words of packed state, then P positions; the pool holds them one after another.
  const C = W + P;
  let pool = new Uint32Array(C * 1024);
  // Per configuration: the one it was reached from (-1 for a root), to rebuild the explained prefix of a failure.
  let parent = new Int32Array(1024);
  let count = 0;
  // Per event (ts's numbering): tried from some configuration (its skew allowing), and taken from one.
  const tried = new Uint8Array(total);
  const taken = new Uint8Array(total);
  // Open addressing: slot holds a configuration's number + 1, or 0.
  let table = new Int32Array(2048);
  let mask = table.length - 1;
  const cur = layout.vector();
  const next = layout.vector();
  const curView = layout.view(cur);
  const nextView = layout.view(next);
  const hashAt = (at: number): number => {
    let h = 0x9e3779b9;
    for (let i = 0; i < C; i++) {
      h = Math.imul(h ^ pool[at + i], 0x85ebca6b);
      h ^= h >>> 13;
    }
    return Math.imul(h ^ (h >>> 16), 0xc2b2ae35) ^ (h >>> 15);
  };
  const grow = (): void => {
    const old = table;
    table = new Int32Array(old.length * 2);
    mask = table.length - 1;
    for (let i = 0; i < old.length; i++) {
      const v = old[i];
      if (v === 0) continue;
      let s = hashAt((v - 1) * C) & mask;
      while (table[s] !== 0) s = (s + 1) & mask;
      table[s] = v;
    }
  };
  /** Makes room for the configuration being written at the pool's end (number `count`). */
  const reserve = (): void => {
    if (count + 1 > parent.length) {
      const a2 = new Int32Array(parent.length * 2);
      a2.set(parent);
      parent = a2;
    }
    if ((count + 1) * C <= pool.length) return;
    const p2 = new Uint32Array(pool.length * 2);
    p2.set(pool);
    pool = p2;
  };
  /** Stores the configuration written at the pool's end, unless it is there already: its number, or -1. */
  const commit = (): number => {
    const at = count * C;
    let s = hashAt(at) & mask;
    for (;;) {
      const v = table[s];
      if (v === 0) break;
      const o = (v - 1) * C;
      let same = true;
      for (let i = 0; i < C; i++)
        if (pool[o + i] !== pool[at + i]) {
          same = false;
          break;
        }
      if (same) return -1;
      s = (s + 1) & mask;
    }
    table[s] = count + 1;
    if (++count * 2 > table.length) grow();
    return count - 1;
  };

  // Per depth (events explained): configurations stored; the deepest, and those stored at it.
  const perDepth = new Int32Array(total + 1);
  let deepest = -1;
  let atDeepest: number[] = [];
  const stored = (c: number, depth: number): void => {
    perDepth[depth]++;
    if (depth > deepest) {
      deepest = depth;
      atDeepest = [c];
    } else if (depth === deepest) atDeepest.push(c);
  };
  /** The pending process with the earliest stamp (ties: the first), or -1. */
  const earliest = (at: number): number => {
    let best = -1;
    let bestTs = Infinity;
    for (let p = 0; p < P; p++) {
      const k = pool[at + W + p];
      if (k >= lengths[p]) continue;
      const t = ts[first[p] + k];
      if (best < 0 || t < bestTs) {
        best = p;
        bestTs = t;
      }
    }
    return best;
  };

  // The stack: per frame, a configuration, its earliest pending process, and the next process to try (-1: the earliest).
  const stack = new Ints();
  let attempts = 0;
  let stoppedBy: ConformStop | null = null;
  let lastProgress = started;
  const result = (
    status: ConformResult['status'],
    failure: ConformResult['failure'],
    final: Int32Array | null = null,
    order: readonly ConformEvent[] | null = null,
  ): ConformResult => {
    let widest = 0;
    for (let d = 0; d <= total; d++) if (perDepth[d] > widest) widest = perDepth[d];
    return {
      status,
      stoppedBy,
      events: total,
      processes: P,
      explained: Math.max(0, deepest),
      configurations: count,
      maxWidth: widest,
      durationMs: performance.now() - started,
      final: final ? layout.toJson(final) : null,
      order,
      failure,
    };
  };
  /** Every 1024 attempts: the limits, and progress. True when the search must stop. */
  const tick = (): boolean => {
    const now = performance.now();
    if (now - started >= timeLimitMs) stoppedBy = 'time-limit';
    else if (maxMemoryBytes !== Infinity && process.memoryUsage.rss() + (pool.length + table.length) * 4 > maxMemoryBytes) stoppedBy = 'max-memory';
    if (stoppedBy !== null) return true;
    if (options.onProgress && now - lastProgress >= progressEvery) {
      lastProgress = now;
      options.onProgress({ explained: Math.max(0, deepest), events: total, configurations: count, stack: stack.length / 3, elapsedMs: now - started });
    }
    return false;
  };

  // The snapshot the logs begin at, or the model's initial states.
  const snapshot = options.initial ? layout.vector() : null;
  if (snapshot && options.initial) layout.fromJson(options.initial, snapshot);
  const inits: readonly (Int32Array | null)[] = snapshot ? [snapshot] : model.init.map(() => null);
  for (let i = 0; i < inits.length; i++) {
    reserve();
    const given = inits[i];
    if (given) cur.set(given);
    else layout.fromPlain(model.init[i], cur);
    layout.pack(cur, pool, count * C);
    pool.fill(0, count * C + W, count * C + C);
    const root = commit();
    if (root < 0) continue;
    parent[root] = -1;
    stored(root, 0);
    if (total === 0) return result('conforms', null, cur, []);
    stack.push(root, earliest(root * C), -1);
    while (stack.length > 0) {
      if ((++attempts & 1023) === 0 && tick()) return result('incomplete', null);
      const f = stack.length - 3;
      const data = stack.data;
      const at = data[f] * C;
      const e = data[f + 1];
      let p = data[f + 2];
      if (p === -1) {
        p = e;
        data[f + 2] = 0;
      } else {
        // The others, in order; under the skew bound, only those stamped within it of the earliest.
        const limit = skew === undefined ? Infinity : ts[first[e] + pool[at + W + e]] + skew;
        while (p < P && (p === e || pool[at + W + p] >= lengths[p] || ts[first[p] + pool[at + W + p]] > limit)) p++;
        if (p >= P) {
          stack.length -= 3;
          continue;
        }
        data[f + 2] = p + 1;
      }
      const k = first[p] + pool[at + W + p];
      const ev = compiled[p][pool[at + W + p]];
      tried[k] = 1;
      layout.unpack(pool, at, cur);
      if (!kernel.enabled(curView, ev.t)) continue;
      kernel.step(cur, next, nextView, ev.t);
      let ok = true;
      for (const ch of ev.checks)
        if (next[ch.slot] !== ch.value) {
          ok = false;
          break;
        }
      if (!ok) continue;
      taken[k] = 1;
      reserve();
      const to = count * C;
      layout.pack(next, pool, to);
      pool.copyWithin(to + W, at + W, at + C);
      pool[to + W + p]++;
      const c = commit();
      if (c < 0) continue;
      parent[c] = data[f];
      const depth = stack.length / 3;
      stored(c, depth);
      if (depth === total) return result('conforms', null, next, pathTo(c, { pool, parent, W, P }, logs));
      if (count >= maxConfigurations) {
        stoppedBy = 'max-configurations';
        return result('incomplete', null);
      }
      stack.push(c, earliest(to), -1);
    }
  }
  const skewAllows = (pos: Uint32Array, p: number): boolean => {
    if (skew === undefined) return true;
    const t = ts[first[p] + pos[p]];
    for (let q = 0; q < P; q++) if (q !== p && pos[q] < lengths[q] && ts[first[q] + pos[q]] + skew < t) return false;
    return true;
  };
  // The culprits: events some configuration tried (its skew allowing) and none took. At most one per process (its later events are never pending).
  const culprits: { p: number; at: number }[] = [];
  for (let p = 0; p < P; p++)
    for (let at = 0; at < lengths[p]; at++)
      if (tried[first[p] + at] === 1 && taken[first[p] + at] === 0) {
        culprits.push({ p, at });
        break;
      }
  const alone = culprits.length > 0;
  if (!alone) {
    // Each pending event is taken by some interleaving, but none explains them together: the events pending where the most are explained.
    const seen = new Set<number>();
    for (const c of atDeepest)
      for (let p = 0; p < P; p++) {
        const at = pool[c * C + W + p];
        if (at < lengths[p] && !seen.has(first[p] + at)) {
          seen.add(first[p] + at);
          culprits.push({ p, at });
        }
      }
  }
  const tsOf = (x: { p: number; at: number }): number => ts[first[x.p] + x.at];
  culprits.sort((x, y) => tsOf(x) - tsOf(y) || x.p - y.p);
  return result('diverges', explainFailure(model, logs, compiled, culprits, alone, { pool, parent, count, W, P }, skewAllows));
}

/**
 * The failure of a log that diverges: the event named (the first of
 * `culprits`), the configurations that have it pending and cannot take it
 * (their distinct states, and why each refuses it), and the longest explained
 * prefix ending in one of them, rebuilt through the parents.
 */
function explainFailure<F extends FieldSpec>(
  model: Model<F>,
  logs: readonly (readonly ConformEvent[])[],
  compiled: readonly (readonly Compiled[])[],
  culprits: readonly { readonly p: number; readonly at: number }[],
  alone: boolean,
  store: { readonly pool: Uint32Array; readonly parent: Int32Array; readonly count: number; readonly W: number; readonly P: number },
  skewAllows: (pos: Uint32Array, p: number) => boolean,
): ConformFailure {
  const kernel = kernelOf(model);
  const layout = model.layout;
  const { pool, parent, count, W, P } = store;
  const C = W + P;
  const { p, at } = culprits[0];
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
  let deepest = -1;
  let deepestDepth = -1;
  const depthOf = (c: number): number => {
    let depth = 0;
    for (let q = 0; q < P; q++) depth += pool[c * C + W + q];
    return depth;
  };
  /** Why the event is not a step from configuration c, or null when it is one (another interleaving), or the clocks rule it out there. */
  const refusal = (c: number): string | null => {
    const pos = pool.subarray(c * C + W, c * C + C);
    layout.unpack(pool, c * C, cur);
    let reason: string | null;
    if (!skewAllows(pos, p)) reason = null;
    else if (!kernel.enabled(curView, ev.t)) reason = `${event.action} by actor ${event.actor} is not enabled in this state`;
    else {
      kernel.step(cur, next, nextView, ev.t);
      const wrong = ev.checks.filter((ch) => next[ch.slot] !== ch.value);
      if (wrong.length === 0) reason = null;
      else {
        const after = layout.toJson(next);
        const at2 = (f: string): Json => {
          const m = FIELD.exec(f);
          if (m === null) return null;
          const v = after[m[1]];
          return m[2] === undefined ? v : (v as Json[])[Number(m[2])];
        };
        reason = `the step leads to ${wrong.map((ch) => `${ch.field} = ${shown(at2(ch.field))}`).join(', ')}, but the process saw ${wrong.map((ch) => `${ch.field} = ${shown(ch.json)}`).join(', ')}`;
      }
    }
    return reason;
  };
  // The configurations that have the event pending and refuse it; the states shown are those of the deepest (the longest prefixes).
  for (let c = 0; c < count; c++) {
    if (pool[c * C + W + p] !== at || depthOf(c) <= deepestDepth || refusal(c) === null) continue;
    deepestDepth = depthOf(c);
    deepest = c;
  }
  for (let c = 0; c < count; c++) {
    if (pool[c * C + W + p] !== at || depthOf(c) !== deepestDepth) continue;
    const reason = refusal(c);
    if (reason === null) continue;
    const json = layout.toJson(cur);
    const key = JSON.stringify(json);
    if (keys.has(key)) continue;
    keys.add(key);
    statesTotal++;
    if (states.length >= 10) continue;
    states.push(json);
    reasons.push(reason);
  }
  const events = pathTo(deepest, { pool, parent, W, P }, logs);
  // The prefix's first state: its root configuration's.
  let c = deepest;
  for (let q = parent[c]; q >= 0; c = q, q = parent[c]);
  layout.unpack(pool, c * C, cur);
  const named = culprits.slice(0, 10).map((x) => logs[x.p][x.at]);
  return { event, alone, culprits: named, culpritsTotal: culprits.length, prefix: { initial: layout.toJson(cur), events }, states, statesTotal, reasons };
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
  return [...byProcess.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, events]) => events);
}
