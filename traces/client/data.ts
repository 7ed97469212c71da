/**
 * The data a viewer page carries (in its `<script type="application/json">`
 * block) and its script reads: types only, shared by the page writer
 * (traces/viewer.ts, in Node) and the page script (viewer.js, in the
 * browser), so that both sides are checked against one shape.
 *
 * Everything shown as text is formatted when the page is written (by
 * traces/format.ts, as the text output is); the page script formats no
 * value. The trace itself is carried too, for the narration, the breaks, the
 * timeline and which fields each step changed.
 */
import type { PictureNode } from '../../checker/package/presentation.js';

/** How a row of a side-by-side view compares: both sides took the step with equal (or different) results, or only one side has it. */
export type RowStatus = 'same' | 'differs' | 'only-a' | 'only-b';

/** One row of two traces aligned by step: the step index on each side (0 is the initial state), or null where a side has no such step. */
export interface AlignedRow {
  readonly a: number | null;
  readonly b: number | null;
  readonly status: RowStatus;
}

/** The parts of a trace the page script reads (a dnsmc trace has these and more). */
export interface PageTrace {
  readonly property: string;
  readonly initial: Readonly<Record<string, unknown>>;
  readonly steps: readonly {
    readonly step: number;
    readonly action: string;
    readonly role: string;
    readonly actor: number;
    readonly narration: string;
    readonly patches: readonly { readonly path: readonly (string | number)[] }[];
    readonly state: Readonly<Record<string, unknown>>;
  }[];
  readonly breaks: readonly { readonly property: string; readonly step: number; readonly kind: string; readonly explanation: string }[];
}

/** One lane of the timeline. */
export interface PageLane {
  readonly id: string;
  readonly label: string;
  readonly kind: 'actor' | 'resource';
}

/** One step on the timeline: its actor's lane and the resource lanes it touches. */
export interface PageMark {
  readonly step: number;
  readonly lane: string;
  readonly action: string;
  readonly targets: readonly string[];
}

/** An action the model enabled before a step, and where it leads (computed when the page is written). */
export interface Alternative {
  readonly action: string;
  readonly role: string;
  readonly actor: number;
  /** The one the trace took. */
  readonly taken: boolean;
  /** The model's label of that step, when its package offers labels. */
  readonly label: string | null;
  readonly narration: string;
  /** The next state's changes, one line each (`alias[0]: 3 → 1`). */
  readonly changes: readonly string[];
  /** The properties that step would break. */
  readonly breaks: readonly string[];
}

/** One trace of the page. */
export interface PaneData {
  readonly label: string;
  readonly side: 'a' | 'b';
  /** The header line: model, variant, parameters, number of steps. */
  readonly summary: string;
  readonly trace: PageTrace;
  readonly lanes: readonly PageLane[];
  readonly marks: readonly PageMark[];
  /** For a lasso, the step where its loop starts. */
  readonly loop: number | null;
  /** Fields that hold one value per index (shown and compared element by element); other JSON arrays are one value, a set. */
  readonly arrays: readonly string[];
  /** `changes[i]`: one line per change step `i` made (`changes[0]`, the initial state, is empty). */
  readonly changes: readonly (readonly string[])[];
  /** `fields[i]`: every field of state `i` as a table (an index into `PageData.nodes`). */
  readonly fields: readonly number[];
  /** `pictures[i]`: the model's picture of state `i` (an index into `PageData.nodes`); null when its package has none. */
  readonly pictures: readonly number[] | null;
  /** Why the model's picture could not be drawn, when it threw. */
  readonly pictureError: string | null;
  /** `labels[i]`: the model's one-line label of step `i` for the timeline (`labels[0]` null); null when its package has none. */
  readonly labels: readonly (string | null)[] | null;
  /**
   * `alternatives[i]`: every action enabled before step `i` and where each leads (`[0]` empty), as indexes into
   * `PageData.alternatives`; null without the model, or for a trace too long.
   */
  readonly alternatives: readonly (readonly number[])[] | null;
  /** What went wrong, in plain words (the package's `presentation.headline`); null when it says nothing. */
  readonly plain: string | null;
  /**
   * The span of steps the failure goes back to (the package's `presentation.rootCause`), drawn on the timeline
   * as a red bar from the row of step `from` to the row of step `to`; null when the package names none.
   */
  readonly rootCause: { readonly from: number; readonly to: number; readonly label: string; readonly text: string } | null;
  /** The step the page opens at: where the trace's property breaks (0 when it breaks nothing). */
  readonly breaking: number;
  /** The run's verdict, e.g. `every property holds at each of its 11 steps` or `aliasResolves violated at step 12`. */
  readonly verdict: { readonly ok: boolean; readonly text: string };
  /**
   * What the violation depends on (`dnsmc explain`, computed when the page is written): the orderings that
   * must hold, in words; the steps that could move; the happens-before edges. Null for a run that
   * breaks nothing, a lasso, or a trace too long.
   */
  readonly explanation: {
    readonly outcome: string;
    /** Each ordering the run depends on: the earlier step, the later one, and one plain sentence. */
    readonly critical: readonly { readonly before: number; readonly after: number; readonly text: string }[];
    readonly movable: readonly string[];
    readonly edges: readonly { readonly from: number; readonly to: number; readonly why: string }[];
  } | null;
}

/**
 * A node of a picture or fields table as the page carries it: a PictureNode
 * whose children are indexes into `PageData.nodes`. Every distinct subtree
 * is stored once for the whole page, so consecutive states, which differ in
 * a few fields, share all but the nodes on the way to what changed.
 */
export interface PageNode extends Omit<PictureNode, 'children'> {
  readonly children?: readonly number[];
}

/** Everything the page shows. */
export interface PageData {
  readonly title: string;
  /** Every distinct node of every picture and fields table of the page (a child's index is below its parent's). */
  readonly nodes: readonly PageNode[];
  /** Every distinct alternative of the page (see `PaneData.alternatives`). */
  readonly alternatives: readonly Alternative[];
  readonly panes: readonly PaneData[];
  readonly rows: readonly AlignedRow[];
  /** The first row where two traces differ; null for one trace or when they agree. */
  readonly divergence: number | null;
  /** The tags and attributes pictures are drawn under (traces/picture-allow.ts). */
  readonly allow: { readonly html: readonly string[]; readonly svg: readonly string[]; readonly attrs: readonly string[] };
}

export type { PictureNode };
