/**
 * Observers over steps, and what a package offers with them: scenarios
 * (`--scenario NAME`) and constraints with a bound (see scenario.ts).
 */
import type { FieldSpec } from '../state/layout.js';
import type { Model } from '../model/model.js';
import type { ParamSpec, ParamValues } from './params.js';

/** A state as an observer sees it: the model's fields and the observer's counters, by name. */
// biome-ignore lint/suspicious/noExplicitAny: observers read the fields they know of
export type ObservedState = Record<string, any>;

/**
 * An observer over steps. All of it runs in the search, once per step: keep
 * it small (no allocation, no string-keyed maps).
 */
export interface Observer {
  /** The counters: state fields of their own (bounded, as every field). Names must differ from the model's. */
  readonly fields: FieldSpec;
  /** The counters' initial values (numbers, or arrays of numbers for array fields). */
  readonly init: Readonly<Record<string, number | readonly number[]>>;
  /** An action constraint: whether `actor` may take `action` in `s` (default: yes). A step it forbids is not enabled. */
  allows?(s: Readonly<ObservedState>, action: string, actor: number): boolean;
  /** A state constraint: whether `s` is expanded at all (default: yes). As TLC's CONSTRAINT, `s` itself is still counted and checked. */
  expands?(s: Readonly<ObservedState>): boolean;
  /** Updates the counters in `after` (already holding the model's effect) from the state `before` the step. */
  update?(before: Readonly<ObservedState>, action: string, actor: number, after: ObservedState): void;
  /** Whether the run so far tells the story (default: always). Violations count only where it does. */
  accepts?(s: Readonly<ObservedState>): boolean;
  /**
   * How the counters follow a renaming of the model's interchangeable actors
   * (its `symmetry`): array fields indexed by those actors, and fields that
   * name one. Absent on an observer with counters: symmetry reduction is off
   * for the combined model.
   */
  readonly symmetry?: { readonly indexed: readonly string[]; readonly holds: readonly string[] };
  /** Describes the counters for people (one line), e.g. `enactor 0 lost the lock twice on endpoint 0`. */
  progress?(s: Readonly<ObservedState>): string;
}

/** A scenario a model package offers: `--scenario NAME`, with parameters of its own (flags, as a model's). */
export interface ScenarioDecl {
  /** kebab-case, e.g. `postmortem`. */
  readonly name: string;
  /** One line for `--help` and reports. */
  readonly description: string;
  readonly params: readonly ParamSpec[];
  /** The observer for a model of the package and resolved scenario parameters. */
  observer(model: Model, params: ParamValues): Observer;
}

/**
 * A constraint a model package offers, with a whole-number bound given as a
 * flag (its camelCase name, e.g. `maxRetriesTotal` -> `--max-retries-total N`).
 * Absent flag: no constraint.
 */
export interface ConstraintDecl {
  readonly name: string;
  readonly help: string;
  readonly min: number;
  readonly max: number;
  observer(model: Model, bound: number): Observer;
}
