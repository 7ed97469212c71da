/**
 * Re-enacting a schedule on a real system: performs each step through the
 * system's adapter (checker/package/package.ts), observes the real state after it,
 * and compares it field by field with the model's state at that step, which
 * is re-derived here by running the model's own actions (never taken from a
 * file). The model's invariants and step invariants are evaluated on what
 * was observed, so a property that breaks is one that broke on the real
 * system. Generic: it knows only the model and adapter interfaces.
 *
 * Exit codes for a command built on it (see {@link reenactExitCode}): 0 the
 * system followed the model and every property held, 1 it followed the
 * model and a property broke on it, 4 it diverged from the model.
 */
import type { FieldSpec, Json, JsonState, StateOf } from '../state/layout.js';
import type { Model } from '../model/model.js';
import type { Interrupt } from '../explore/options.js';
import type { RunningSystem } from '../package/system.js';
import { ActionRefused } from '../package/system.js';
import { breaksAlong, replay, type PropertyBreak, type ScheduleStep } from '../model/replay.js';

/** One field (or element: `alias[0]`) where the observed state differs from the model's. */
export interface FieldDiff {
  readonly field: string;
  readonly model: Json;
  readonly observed: Json;
}

/** One step re-enacted. Step 0 is the initial state (action and actor null). */
export interface ReenactedStep {
  readonly step: number;
  readonly action: string | null;
  readonly actor: number | null;
  /** The model's state after the step, in its JSON form. */
  readonly model: JsonState;
  /** What the system holds after the step, mapped to the model's fields (null when the step was refused). */
  readonly observed: JsonState | null;
  readonly conforms: boolean;
  readonly diff: readonly FieldDiff[];
  /** Why the system refused the step, when it did. */
  readonly refused?: string;
}

/** A property that broke on the observed states: its first failing step. */
export type ObservedBreak = PropertyBreak;

/** The first divergence: the step and the fields (or the refusal). */
export interface Divergence {
  readonly step: number;
  readonly fields: readonly string[];
  readonly text: string;
}

export interface ReenactReport {
  /** `ok`: conforms, every property held; `violation`: conforms, a property broke on the system; `diverged`. */
  readonly status: 'ok' | 'violation' | 'diverged';
  readonly conforms: boolean;
  /** Step 0 (the initial state) first, then one entry per step performed; re-enacting stops after the first divergence. */
  readonly steps: readonly ReenactedStep[];
  readonly divergence: Divergence | null;
  /** Properties that broke on the observed states (none are evaluated after a divergence). */
  readonly breaks: readonly ObservedBreak[];
  /** The model's fields the system does not observe (not compared). */
  readonly unobserved: readonly string[];
  /** What the system answers for its public names at the end (`RunningSystem.resolve`), or null (not asked after an interruption). */
  readonly resolution: readonly Json[] | null;
  readonly server: { readonly description: string; readonly startMs: number | null };
  /** `interrupted` when a stop request ended the re-enactment before its last step (the steps are those performed); null otherwise. */
  readonly stoppedBy: 'interrupted' | null;
}

export interface ReenactOptions {
  /** Checked before each step: once requested, no further step is performed. */
  readonly interrupt?: Interrupt;
}

/** The trace-like input: an initial state (the model's first when absent) and the schedule. */
export interface ReenactInput {
  readonly initial?: JsonState;
  readonly steps: readonly ScheduleStep[];
}

const same = (x: Json | undefined, y: Json | undefined): boolean => JSON.stringify(x) === JSON.stringify(y);

/** Field-by-field (element-by-element for arrays) differences, over the fields `observed` has. */
export function diffStates(model: JsonState, observed: JsonState): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const f of Object.keys(model)) {
    if (!Object.hasOwn(observed, f)) continue;
    const m = model[f];
    const o = observed[f];
    if (Array.isArray(m) && Array.isArray(o) && m.length === o.length) {
      m.forEach((v, i) => {
        if (!same(v, o[i])) out.push({ field: `${f}[${i}]`, model: v, observed: o[i] });
      });
    } else if (!same(m, o)) out.push({ field: f, model: m, observed: o ?? null });
  }
  for (const f of Object.keys(observed)) if (!Object.hasOwn(model, f)) out.push({ field: f, model: null, observed: observed[f] });
  return out;
}

/** The exit code for a report: 0 ok, 1 violation, 4 diverged. */
export function reenactExitCode(r: ReenactReport): 0 | 1 | 4 {
  return r.status === 'ok' ? 0 : r.status === 'violation' ? 1 : 4;
}

const shown = (v: Json): string => JSON.stringify(v);

/**
 * Re-enacts `input`'s schedule on `running`. The schedule must run under
 * `model` (an Error saying which step does not is thrown otherwise, before
 * anything is performed). Errors of the system (SystemError and others) are
 * thrown; a refused step or a differing observation is a divergence, and
 * re-enacting stops there. A stop request (`options.interrupt`) ends it
 * before the next step, with what was performed so far. Does not stop the
 * system.
 */
export async function reenact<F extends FieldSpec>(
  model: Model<F>,
  input: ReenactInput,
  running: RunningSystem,
  options: ReenactOptions = {},
): Promise<ReenactReport> {
  const layout = model.layout;
  const vec = layout.vector();
  let initial: StateOf<F>;
  if (input.initial) {
    layout.fromJson(input.initial, vec);
    initial = layout.toPlain(vec);
  } else {
    initial = model.init[0];
  }
  const run = replay(model, initial, input.steps);
  if (run.failure) throw new Error(`step ${run.failure.step} of the schedule cannot be taken in the model: ${run.failure.reason}`);
  const toJson = (s: StateOf<F>): JsonState => {
    layout.fromPlain(s, vec);
    return layout.toJson(vec);
  };
  const modelStates = [run.initial, ...run.steps.map((s) => s.state)].map(toJson);

  const steps: ReenactedStep[] = [];
  /** The observed states as full model states (unobserved fields from the model), for the properties; null when out of the layout. */
  const observedStates: (StateOf<F> | null)[] = [];
  let divergence: Divergence | null = null;
  let unobserved: string[] = [];

  const record = (i: number, observed: JsonState | null, refused?: string): void => {
    const m = modelStates[i];
    const action = i === 0 ? null : input.steps[i - 1].action;
    const actor = i === 0 ? null : input.steps[i - 1].actor;
    if (observed === null) {
      steps.push({ step: i, action, actor, model: m, observed: null, conforms: false, diff: [], refused });
      divergence = { step: i, fields: [], text: `step ${i}: the system refused ${action} by actor ${actor}: ${refused}` };
      return;
    }
    if (i === 0) unobserved = Object.keys(m).filter((f) => !Object.hasOwn(observed, f));
    const diff = diffStates(m, observed);
    steps.push({ step: i, action, actor, model: m, observed, conforms: diff.length === 0, diff });
    if (diff.length > 0) {
      divergence = {
        step: i,
        fields: diff.map((d) => d.field),
        text: `step ${i}: ${diff.map((d) => `${d.field} is ${shown(d.observed)} on the system, ${shown(d.model)} in the model`).join('; ')}`,
      };
      return;
    }
    let full: StateOf<F> | null;
    try {
      layout.fromJson({ ...m, ...observed }, vec);
      full = layout.toPlain(vec);
    } catch {
      full = null;
    }
    observedStates.push(full);
  };

  record(0, await running.observe());
  let stoppedBy: ReenactReport['stoppedBy'] = null;
  for (let i = 1; i <= input.steps.length && divergence === null; i++) {
    if (options.interrupt?.requested) {
      stoppedBy = 'interrupted';
      break;
    }
    const { action, actor } = input.steps[i - 1];
    try {
      await running.perform(action, actor);
    } catch (e) {
      if (e instanceof ActionRefused) {
        record(i, null, e.message);
        break;
      }
      throw e;
    }
    record(i, await running.observe());
  }

  const breaks: ObservedBreak[] = breaksAlong(model, observedStates);
  const resolution = running.resolve && stoppedBy === null ? await running.resolve() : null;
  const conforms = divergence === null;
  return {
    status: !conforms ? 'diverged' : breaks.length > 0 ? 'violation' : 'ok',
    conforms,
    steps,
    divergence,
    breaks,
    unobserved,
    resolution,
    server: { description: running.description, startMs: running.startMs ?? null },
    stoppedBy,
  };
}
