/**
 * Lanes: who acts, and which resources a step touches. The sequence of a
 * trace places each step on its actor's lane, with arrows to the resource
 * lanes its changes touch; the viewer's timeline and the mermaid export
 * draw it. Resource lanes come from a model package's presentation.
 */
import { ModelError, type Model } from '../checker/model/model.js';
import type { Lane, Presentation, ResourceLanes } from '../checker/package/presentation.js';
import type { Trace } from './trace.js';

/** A lane as a diagram draws it: an actor's, or a resource's. */
export interface SequenceLane extends Lane {
  readonly kind: 'actor' | 'resource';
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
  readonly lanes: readonly SequenceLane[];
  readonly steps: readonly SequenceStep[];
}

/** Lanes for a model's traces: every actor of every role, named as the model names them, then the presentation's resource lanes. */
export function laneOptionsFor(model: Model, presentation?: Presentation): LaneOptions {
  const actorName = model.actorName;
  return {
    roles: model.roles,
    actorName: actorName ? (role, actor) => actorName.call(model, role, actor) : undefined,
    resources: presentation?.lanes ? checkedLanes(presentation.lanes(model)) : undefined,
  };
}

/** A package's resource lanes, checked: a user's presentation may return anything (a ModelError names what is wrong). */
function checkedLanes(r: unknown): ResourceLanes | undefined {
  const what = 'presentation.lanes(model) must return undefined or { lanes: [{ id, label }, ...], of(path) }';
  if (r === undefined) return undefined;
  if (r === null || typeof r !== 'object' || Array.isArray(r))
    throw new ModelError(`${what}, not ${Array.isArray(r) ? 'an array' : r === null ? 'null' : typeof r}`);
  const o = r as { lanes?: unknown; of?: unknown };
  if (!Array.isArray(o.lanes)) throw new ModelError(`${what}: its lanes must be an array`);
  o.lanes.forEach((l, i) => {
    const lane = l as { id?: unknown; label?: unknown } | null;
    if (typeof lane !== 'object' || lane === null || typeof lane.id !== 'string' || typeof lane.label !== 'string')
      throw new ModelError(`${what}: lanes[${i}] must have a string id and a string label`);
  });
  const of = o.of;
  if (typeof of !== 'function') throw new ModelError(`${what}: its of must be a function`);
  return {
    lanes: o.lanes as ResourceLanes['lanes'],
    of: (path) => {
      try {
        const id: unknown = of.call(r, path);
        return typeof id === 'string' ? id : undefined;
      } catch (e) {
        throw new ModelError(`presentation.lanes(model).of(${JSON.stringify(path)}) threw: ${e instanceof Error ? e.message : 'a value that is not an Error'}`);
      }
    },
  };
}

const actorLaneId = (role: string, actor: number): string => `actor:${role}:${actor}`;

/** Lanes for a trace: one per actor of every role, then the resource lanes. */
export function sequenceOf(trace: Trace, o: LaneOptions = {}): Sequence {
  const roles = new Map<string, number>();
  for (const [role, n] of Object.entries(o.roles ?? {})) roles.set(role, n);
  for (const s of trace.steps) roles.set(s.role, Math.max(roles.get(s.role) ?? 0, s.actor + 1));
  const name = (role: string, actor: number): string => o.actorName?.(role, actor) ?? (roles.get(role) === 1 ? role : `${role} ${actor}`);
  const lanes: SequenceLane[] = [];
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
