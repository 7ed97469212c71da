/**
 * Scenarios and constraints: observers over the steps of a run.
 *
 * An observer keeps a few bounded counters (its own state fields), updates
 * them after each step from the state before it, the action, the actor and
 * the state after it, may forbid a step (an action constraint) or the
 * expansion of a state (a state constraint), and says whether the run so far
 * tells its story (`accepts`).
 *
 * "The model together with its observers" is itself a model, built here by
 * {@link withObservers}: its layout is the model's fields plus the observers'
 * counters; each action keeps its guard (and-ed with the observers'
 * `allows` and state constraints) and runs its effect, then the observers'
 * updates; each invariant holds where the model's holds or the scenario does
 * not (yet) accept the run, so that the shortest violation the search finds
 * is the shortest one of the story. The engine's search loop is untouched:
 * it searches an ordinary model. The counters are part of the searched
 * state, and so of the counts.
 *
 * Traces are made with the model alone (see {@link baseModel}): a
 * counterexample's schedule replays on the model, so its trace has the
 * model's fields only (the counters are projected away) and is verified,
 * replayed, viewed and explained like any other; it records the scenario by
 * name and parameters.
 *
 * Nothing here knows any particular model.
 */
import type { FieldSpec, Json, StateOf } from '../state/layout.js';
import { defineLayout } from '../state/layout.js';
import type { Action, Invariant, Model, ModelOrigin, StepInvariant } from '../model/model.js';
import { ModelError } from '../model/model-error.js';
import { importModule, modelFromOrigin } from '../model/origin.js';
import type { ConstraintDecl, Observer, ObservedState, ScenarioDecl } from './observer.js';
import type { ParamValues } from './params.js';
import { resolveParamValues } from './params.js';

/** `T` with its optional member `K` present. */
type With<T, K extends keyof T> = T & Required<Pick<T, K>>;
/** What a model was combined with, recorded in reports and traces. */
export interface ObservedBy {
  /** The scenario and its resolved parameters, or null. */
  readonly scenario: { readonly name: string; readonly params: ParamValues } | null;
  /** Constraint bounds by name (only the ones given). */
  readonly constraints: Readonly<Record<string, number>>;
}

/** A model combined with observers: the model it wraps, and what wraps it. */
interface Wrapped {
  readonly base: Model;
  readonly observedBy: ObservedBy;
}
const WRAPPED = new WeakMap<Model, Wrapped>();

/** The model without its observers (itself when it has none): traces are made with this one. */
export function baseModel(model: Model): Model {
  return WRAPPED.get(model)?.base ?? model;
}

/** The scenario and constraints a model was combined with, or undefined when none. */
export function observedBy(model: Model): ObservedBy | undefined {
  return WRAPPED.get(model)?.observedBy;
}

/** `scenario postmortem (retries 2); constraints maxRetriesTotal 3`, or '' for a model with no observers. */
export function describeObservedBy(o: ObservedBy | undefined): string {
  if (!o) return '';
  const parts: string[] = [];
  if (o.scenario) {
    const ps = Object.entries(o.scenario.params).map(([k, v]) => `${k} ${String(v)}`);
    parts.push(`scenario ${o.scenario.name}${ps.length > 0 ? ` (${ps.join(', ')})` : ''}`);
  }
  const cs = Object.entries(o.constraints).map(([k, v]) => `${k} ${v}`);
  if (cs.length > 0) parts.push(`constraints ${cs.join(', ')}`);
  return parts.join('; ');
}

/** How the combined model is rebuilt in a worker thread: the package (to find the declarations) and the model's own origin. */
export interface ObserverOrigin {
  /** The package module and export (a ModelPackage with `scenarios`/`constraints`). */
  readonly pkg: { readonly module: string; readonly export: string };
  /** The model's own origin. */
  readonly model: ModelOrigin;
}

interface DeclSource {
  readonly scenarios?: readonly ScenarioDecl[];
  readonly constraints?: readonly ConstraintDecl[];
}

/** The observers a package's declarations give for a scenario name (or null) and constraint bounds. Throws ModelError for unknown names or bad values. */
export function observersOf(
  model: Model,
  decls: DeclSource,
  scenario: string | null,
  scenarioParams: Readonly<Record<string, unknown>>,
  constraints: Readonly<Record<string, number>>,
): { observers: Observer[]; scenarioObserver: Observer | null; by: ObservedBy } {
  const observers: Observer[] = [];
  let scenarioObserver: Observer | null = null;
  let sc: ObservedBy['scenario'] = null;
  if (scenario !== null) {
    const d = (decls.scenarios ?? []).find((s) => s.name === scenario);
    if (!d) {
      const names = (decls.scenarios ?? []).map((s) => s.name);
      throw new ModelError(`scenario ${scenario} is not one of model ${model.name}'s (${names.length > 0 ? names.join(', ') : 'it has none'})`);
    }
    const params = resolveParamValues(d.params, scenarioParams);
    scenarioObserver = d.observer(model, params);
    observers.push(scenarioObserver);
    sc = { name: d.name, params };
  }
  const given: Record<string, number> = {};
  for (const [name, bound] of Object.entries(constraints)) {
    const d = (decls.constraints ?? []).find((c) => c.name === name);
    if (!d) throw new ModelError(`constraint ${name} is not one of model ${model.name}'s`);
    if (!Number.isSafeInteger(bound) || bound < d.min || bound > d.max)
      throw new ModelError(`constraint ${name} must be a whole number from ${d.min} to ${d.max}, got ${bound}`);
    observers.push(d.observer(model, bound));
    given[name] = bound;
  }
  return { observers, scenarioObserver, by: { scenario: sc, constraints: given } };
}

/**
 * The model combined with a package's scenario and constraints, as worker
 * threads rebuild it (this is the export an origin of a combined model names).
 */
export async function modelWithObservers(
  origin: ObserverOrigin,
  scenario: string | null,
  scenarioParams: Readonly<Record<string, Json>>,
  constraints: Readonly<Record<string, number>>,
): Promise<Model> {
  const mod = await importModule(origin.pkg.module);
  const pkg = mod[origin.pkg.export] as DeclSource | undefined;
  if (typeof pkg !== 'object' || pkg === null) throw new ModelError(`${origin.pkg.module} exports no model package ${origin.pkg.export}`);
  const model = await modelFromOrigin(origin.model);
  return combine(model, pkg, scenario, scenarioParams, constraints, origin);
}

/** {@link observersOf} and {@link withObservers} in one, with an origin for worker threads when `origin` is given. */
export function combine(
  model: Model,
  decls: DeclSource,
  scenario: string | null,
  scenarioParams: Readonly<Record<string, unknown>>,
  constraints: Readonly<Record<string, number>>,
  origin?: ObserverOrigin,
): Model {
  const { observers, scenarioObserver, by } = observersOf(model, decls, scenario, scenarioParams, constraints);
  if (observers.length === 0) return model;
  const o: ModelOrigin | undefined = origin
    ? {
        module: import.meta.url,
        export: 'modelWithObservers',
        args: [origin as unknown as Json, scenario, (by.scenario?.params ?? {}) as Json, by.constraints as Json],
      }
    : undefined;
  return withObservers(model, observers, scenarioObserver, by, o);
}

/**
 * The model together with `observers` (see the module comment).
 * `scenario`, one of them, decides which runs count; the others only
 * constrain. `origin` (optional) is how worker threads rebuild the result.
 */
export function withObservers(model: Model, observers: readonly Observer[], scenario: Observer | null, by: ObservedBy, origin?: ModelOrigin): Model {
  const fields: Record<string, FieldSpec[string]> = { ...model.layout.fields };
  const init: Record<string, number | readonly number[]> = {};
  for (const ob of observers) {
    for (const [name, f] of Object.entries(ob.fields) as [string, FieldSpec[string]][]) {
      if (Object.hasOwn(fields, name)) throw new ModelError(`observer field ${name} is already a field of model ${model.name} or of another observer`);
      fields[name] = f;
      const v = ob.init[name];
      if (v === undefined) throw new ModelError(`observer field ${name} has no initial value`);
      init[name] = v;
    }
  }
  const layout = defineLayout(fields, { checkWrites: model.layout.checkWrites });
  const names = Object.keys(fields);
  const arrays = names.map((n) => fields[n].kind === 'array');
  const lengths = names.map((n) => {
    const f = fields[n];
    return f.kind === 'array' ? f.length : 0;
  });
  // The state before a step, copied here (no allocation per step): observers read it in `update`.
  const before: ObservedState = {};
  names.forEach((n, i) => {
    before[n] = arrays[i] ? new Int32Array(lengths[i]) : 0;
  });
  const snapshot = (s: ObservedState): void => {
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      if (arrays[i]) {
        const src = s[n];
        const dst = before[n] as Int32Array;
        for (let j = 0; j < lengths[i]; j++) dst[j] = src[j];
      } else before[n] = s[n];
    }
  };
  const allows = observers.filter((ob): ob is With<Observer, 'allows'> => ob.allows !== undefined);
  const expands = observers.filter((ob): ob is With<Observer, 'expands'> => ob.expands !== undefined);
  const updates = observers.filter((ob): ob is With<Observer, 'update'> => ob.update !== undefined);
  const accepts = (s: ObservedState): boolean => (scenario?.accepts ? scenario.accepts(s) : true);
  const expanded = (s: ObservedState): boolean => {
    for (let i = 0; i < expands.length; i++) if (!expands[i].expands(s)) return false;
    return true;
  };

  const actions: Action<ObservedState>[] = model.actions.map((a) => {
    const name = a.name;
    const guard = a.guard as (s: ObservedState, actor: number) => boolean;
    const effect = a.effect as (s: ObservedState, actor: number) => void;
    return {
      name,
      role: a.role,
      guard: (s, actor) => {
        if (!expanded(s) || !guard(s, actor)) return false;
        for (let i = 0; i < allows.length; i++) if (!allows[i].allows(s, name, actor)) return false;
        return true;
      },
      effect: (s, actor) => {
        if (updates.length > 0) snapshot(s);
        effect(s, actor);
        for (let i = 0; i < updates.length; i++) updates[i].update(before, name, actor, s);
      },
    };
  });
  const invariants: Invariant<ObservedState>[] = model.invariants.map((p) => {
    const holds = p.holds as (s: ObservedState) => boolean;
    return {
      name: p.name,
      description: p.description,
      holds: (s) => !accepts(s) || holds(s),
      ...(p.explain ? { explain: p.explain as (s: ObservedState) => string } : {}),
    };
  });
  const stepInvariants: StepInvariant<ObservedState>[] = model.stepInvariants.map((p) => {
    const holds = p.holds as (b: ObservedState, a: ObservedState) => boolean;
    return {
      name: p.name,
      description: p.description,
      holds: (b, a) => !accepts(a) || holds(b, a),
      ...(p.explain ? { explain: p.explain as (b: ObservedState, a: ObservedState) => string } : {}),
    };
  });
  // A state is an acceptable end when the model accepts it, when the story is not told in it,
  // or when only the observers stop it (a constraint's edge is not a deadlock of the model).
  const innerTerminalOk = model.terminalOk as ((s: ObservedState) => boolean) | undefined;
  const terminalOk = (s: ObservedState): boolean => {
    if (!accepts(s)) return true;
    if (innerTerminalOk?.(s)) return true;
    for (const a of model.actions) {
      const n = model.roles[a.role];
      for (let actor = 0; actor < n; actor++) if ((a.guard as (s: ObservedState, actor: number) => boolean)(s, actor)) return true;
    }
    return false;
  };
  let symmetry = model.symmetry;
  if (symmetry) {
    const withCounters = observers.filter((ob) => Object.keys(ob.fields).length > 0);
    const maps = withCounters.flatMap((ob) => (ob.symmetry ? [ob.symmetry] : []));
    symmetry =
      maps.length === withCounters.length
        ? {
            role: symmetry.role,
            indexed: [...symmetry.indexed, ...maps.flatMap((m) => m.indexed)],
            holds: [...symmetry.holds, ...maps.flatMap((m) => m.holds)],
          }
        : undefined;
  }
  const project = (s: Record<string, Json>): Record<string, Json> => {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(model.layout.fields)) out[k] = s[k];
    return out;
  };
  const narrate = model.narrate?.bind(model);
  const render = model.render?.bind(model);
  const combined: Model = {
    name: model.name,
    ...(model.variant !== undefined ? { variant: model.variant } : {}),
    params: model.params,
    layout: layout as Model['layout'],
    roles: model.roles,
    init: model.init.map((s) => ({ ...(s as object), ...structuredClone(init) }) as unknown as StateOf<FieldSpec>),
    actions: actions as Model['actions'],
    invariants: invariants as Model['invariants'],
    stepInvariants: stepInvariants as Model['stepInvariants'],
    terminalOk: terminalOk as Model['terminalOk'],
    ...(model.actorName ? { actorName: model.actorName.bind(model) } : {}),
    ...(narrate ? { narrate: (st) => narrate({ ...st, before: project(st.before), after: project(st.after) }) } : {}),
    ...(render ? { render: (s) => render(project(s)) } : {}),
    ...(symmetry ? { symmetry } : {}),
    ...(origin ? { origin } : {}),
  };
  // A user model's module path (reports and traces quote it) goes along.
  const mod = (model as { module?: unknown }).module;
  if (typeof mod === 'string') Object.defineProperty(combined, 'module', { value: mod, enumerable: false, configurable: true });
  WRAPPED.set(combined, { base: model, observedBy: by });
  return combined;
}
