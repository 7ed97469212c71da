/**
 * How a package's states look to people: lanes and an inert picture of a
 * state. Everything here runs when a page is written, never in the page.
 */
import type { JsonState } from '../state/layout.js';
import type { Model } from '../model/model.js';

/** A lane of the viewer and of sequence diagrams: an actor or a resource. */
export interface Lane {
  /** A stable id: `role:actor` for actors, the package's own ids for resources. */
  readonly id: string;
  readonly label: string;
}

/** Resource lanes (e.g. each endpoint's DNS records): which lane a changed state path belongs to. */
export interface ResourceLanes {
  readonly lanes: readonly Lane[];
  /** The resource lane a change at `path` (an immer patch path) touches, if any. */
  of(path: readonly (string | number)[]): string | undefined;
}

/**
 * An inert picture of a state: an element tree the viewer builds with
 * `createElement` and `textContent` only. Tags and attributes outside the
 * viewer's allow-list are dropped, so a picture can never run code.
 */
export interface PictureNode {
  /** `div`, `span`, `h3`, `h4`, `p`, `ul`, `li`, `table`, `tr`, `td`, `th`, `svg`, `g`, `rect`, `line`, `path`, `text`, `title`, `circle`, `polygon`, `marker`, `defs`. */
  readonly tag: string;
  readonly class?: string;
  readonly text?: string;
  /** Presentation and `data-*` attributes only (no `on*`, no `href`, no `style` URLs). */
  readonly attrs?: Readonly<Record<string, string | number>>;
  /** The state field (and index) this node shows: the viewer marks it when the step changed it. */
  readonly field?: string;
  readonly index?: number;
  readonly children?: readonly PictureNode[];
}

/** A run that breaks a property, as {@link Presentation.headline} reads it. */
export interface BrokenRun {
  /** The run's states, the initial one first: `steps[i - 1]` leads from `states[i - 1]` to `states[i]`. */
  readonly states: readonly JsonState[];
  readonly steps: readonly { readonly action: string; readonly role: string; readonly actor: number }[];
  /** The property that breaks, and the step where it breaks (an index into `states`). */
  readonly property: string;
  readonly step: number;
}

/**
 * Where a broken run went wrong, as a span of its steps the viewer draws on
 * its timeline: a red bar from the row of step `from` to the row of step
 * `to`. For dns: the enactor's one-time freshness check (step 2) and the
 * step that trusted it (step 11).
 */
export interface RootCauseSpan {
  /** The earlier step and the later one (step n leads from `states[n - 1]` to `states[n]`; 1 ≤ from < to). */
  readonly from: number;
  readonly to: number;
  /** A few words drawn along the bar: `checked at step 2 → used at step 11`. */
  readonly label: string;
  /** The whole sentence, the bar's tooltip. */
  readonly text: string;
}

/** How a package's states look to people: lanes and a picture. Everything runs when a page is written, never in the page. */
export interface Presentation {
  /** Resource lanes for a model built by this package (absent: actor lanes only). */
  lanes?(model: Model): ResourceLanes | undefined;
  /**
   * A picture of `states[i]`, where `states` are a trace's states (initial
   * first), so that the picture may show history (e.g. what was deleted).
   */
  picture?(model: Model, states: readonly JsonState[], i: number): PictureNode;
  /** A one-line label of step `i` (from `states[i - 1]` to `states[i]`) for the timeline, e.g. `flip → plan 1 (active 3), rollback`. */
  label?(model: Model, states: readonly JsonState[], i: number): string | undefined;
  /**
   * What went wrong, in plain words, for a reader who knows no property
   * names: e.g. `endpoint 0 resolves to nothing: enactor 0 pointed it back at
   * plan 1 at step 11, then enactor 1's cleanup deleted plan 1 at step 12`.
   * The viewer shows it above the technical headline; undefined when the
   * package has nothing to say about this property.
   */
  headline?(model: Model, run: BrokenRun): string | undefined;
  /**
   * The span of steps the failure goes back to (e.g. a check at one step
   * trusted at a later one), drawn on the viewer's timeline as a red bar
   * between the two rows; undefined when the package names none.
   */
  rootCause?(model: Model, run: BrokenRun): RootCauseSpan | undefined;
  /**
   * A state field (and, for an array field, one element) in the model's
   * words, for sentences such as `dnsmc explain`'s: `lockHolder`, 0 → `the
   * lock of endpoint 0`. Undefined (or no hook): the raw name, `lockHolder[0]`.
   */
  fieldName?(model: Model, field: string, index: number | undefined): string | undefined;
}

/**
 * Names a state location (`latest`, `lockHolder[0]`: a field, or one element
 * of an array field) in the package's words when its presentation has a
 * `fieldName` that answers, else as it is. Never throws: a hook that throws
 * or answers with no string leaves the raw name.
 */
export function locationNamer(presentation: Presentation | undefined, model: Model): (location: string) => string {
  const hook = presentation?.fieldName;
  if (!hook) return (l) => l;
  return (location) => {
    const m = /^(.*)\[(\d+)\]$/.exec(location);
    try {
      const words = m ? hook.call(presentation, model, m[1], Number(m[2])) : hook.call(presentation, model, location, undefined);
      return typeof words === 'string' && words !== '' ? words : location;
    } catch {
      return location;
    }
  };
}
