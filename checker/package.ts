/**
 * A model package: the one unit dnsmc is generic over. It declares its
 * parameters (from which the command line builds its flags, `--help` and
 * validation, and which traces record), builds a {@link Model} from them,
 * and may offer schedulers for simulation, a presentation for the viewer
 * (lanes, a picture of a state) and a system adapter (a real system the
 * model's traces can be re-enacted against).
 *
 * The built-in packages (models/index.ts) and a user's `--model` module are
 * loaded the same way. Nothing here knows any particular model.
 */
import type { FieldSpec, Json, JsonState } from './layout.js';
import type { Model } from './model.js';
import type { Interrupt } from './options.js';

/** One parameter of a model package. Its flag is the kebab-case name (`maxBackoff` -> `--max-backoff`). */
export type ParamSpec = IntParam | EnumParam | BoolParam;

interface ParamBase {
  /** camelCase name, as the model and traces see it (e.g. `maxBackoff`). */
  readonly name: string;
  /** One line for `--help`. */
  readonly help: string;
}

/** A whole number in `min .. max`. */
export interface IntParam extends ParamBase {
  readonly type: 'int';
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** Why the range is what it is, quoted when a value is refused. */
  readonly why?: string;
}

/** One of a fixed list of names (e.g. a protocol variant). */
export interface EnumParam<V extends string = string> extends ParamBase {
  readonly type: 'enum';
  readonly values: readonly V[];
  readonly default: V;
}

/** On or off. */
export interface BoolParam extends ParamBase {
  readonly type: 'bool';
  readonly default: boolean;
}

/** Parameter values, fully resolved (every declared parameter present, in range). */
export type ParamValues = Readonly<Record<string, Json>>;

/**
 * The values a list of parameter declarations resolves to, typed by the
 * declarations: `{ variant: 'as-was' | 'fixed'; tokens: number }` for an
 * enum parameter `variant` and an int parameter `tokens`.
 */
export type ParamValuesOf<P extends readonly ParamSpec[]> = {
  readonly [K in P[number] as K['name']]: K extends EnumParam<infer V> ? V : K extends IntParam ? number : boolean;
};

/**
 * A scheduler a package offers to `simulate` by name (e.g. `slow-enactor`):
 * which actor moves rarely. The engine's own `uniform` is always offered.
 */
export interface SchedulerDecl {
  readonly name: string;
  readonly help: string;
  /** The actor scheduled rarely: a role of the model and an actor of it. */
  readonly slow: { readonly role: string; readonly actor: number };
}

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
}

/** The commands that run a real system: each offers the system's flags that name it (all three by default). */
export type SystemCommand = 'reenact' | 'test-system' | 'storm';

/**
 * A flag of a real system, declared by its adapter as a model declares its
 * parameters (e.g. the server to use, its key, the implementation to run).
 * The flag is the kebab-case name (`tsigKey` -> `--tsig-key`); the adapter's
 * `options` reads and checks the values.
 */
export interface SystemFlag {
  /** camelCase name, as `options` receives it. */
  readonly name: string;
  /** One line for `--help`. */
  readonly help: string;
  /** `string`: a value the adapter checks itself; `bool`: a switch. */
  readonly type: 'string' | 'bool';
  /** The commands that take it (absent: reenact, test-system and storm). */
  readonly commands?: readonly SystemCommand[];
}

/** The flags of `adapter` that `command` takes. */
export function systemFlags(adapter: Pick<SystemAdapter, 'flags'>, command: SystemCommand): SystemFlag[] {
  return adapter.flags.filter((f) => f.commands === undefined || f.commands.includes(command));
}

/**
 * A real system behind the model (e.g. a DNS server driven by a reference
 * implementation): start it fresh, perform one action by one actor, observe
 * its state mapped to the model's, stop. See docs/real-dns.md for the dns one.
 * `Opts` is what its flags resolve to.
 */
export interface SystemAdapter<Opts = unknown> {
  /** The system's own flags (a server, a key, an implementation...): the commands offer them. */
  readonly flags: readonly SystemFlag[];
  /**
   * Reads the flags' values (by camelCase name, as given: unchecked; absent
   * when not given) for `command` on `model`, into the options `start` and
   * the workload take. A bad value throws a SystemError: one line naming the
   * flag and what it takes.
   */
  options(flags: Readonly<Record<string, unknown>>, command: SystemCommand, model: Model): Opts;
  /** Starts a fresh system for a model built by this package. */
  start(model: Model, options: Opts): Promise<RunningSystem>;
  /**
   * Implementations of the system `start` can run, the default first: e.g. a
   * reference implementation and deliberately drifted ones that tests of the
   * system must catch. For `--help`. Absent: one implementation.
   */
  readonly implementations?: readonly { readonly name: string; readonly help: string }[];
  /** The system run for real, with real timing (`dnsmc storm`). Absent: the system has none. */
  readonly workload?: Workload<Opts>;
}

/**
 * A fault a workload can inject, declared as data (as Jepsen's nemesis):
 * `slow` makes one actor of `role` wait before each of its contended steps
 * (the flag `--slow-<role> ACTOR`, with `--delay MS`).
 */
export interface FaultDecl {
  readonly kind: 'slow';
  readonly role: string;
  readonly help: string;
}

/** A fault, as a run of a workload gets it. */
export interface Fault {
  readonly kind: 'slow';
  readonly role: string;
  readonly actor: number;
  readonly delayMs: number;
}

/** How a workload is run: for how long, with which seed (its jitter) and faults. */
export interface WorkloadRun {
  readonly durationMs: number;
  readonly seed: number;
  readonly faults: readonly Fault[];
  /** Checked between steps: once requested, the workload ends as `interrupted`. */
  readonly interrupt?: Interrupt;
  /** Called now and then with a line on how it goes (absent: nothing is reported). */
  readonly onProgress?: (line: string) => void;
}

/** What a workload did. */
export interface WorkloadResult {
  /** What ran it (e.g. the server's version), for reports. */
  readonly system: string;
  readonly durationMs: number;
  /** Event logs per process, in the format `conform` reads (docs/conformance.md). */
  readonly logs: ReadonlyMap<string, readonly Json[]>;
  /** Its counts and findings, for the JSON report (keys of the workload's own). */
  readonly summary: Readonly<Record<string, Json>>;
  /** The same, for people: lines of text. */
  readonly lines: readonly string[];
  /** The public names that were unavailable at some point (`--fail-on-loss` fails when any was). */
  readonly lost: readonly string[];
  /** Why it ended before its duration: a stop request, or the system failed (`failure` says how); null when it ran its course. */
  readonly stoppedBy: 'interrupted' | 'server' | null;
  readonly failure: string | null;
}

/** A system's real-timing workload (`dnsmc storm`): runs its implementation for a duration, with faults, and returns the logs. */
export interface Workload<Opts = unknown> {
  /** One line for `--help`. */
  readonly help: string;
  readonly faults: readonly FaultDecl[];
  run(model: Model, options: Opts, run: WorkloadRun): Promise<WorkloadResult>;
}

/** A started system. `stop` is safe to call more than once. */
export interface RunningSystem {
  /** What the system is, for reports (e.g. `BIND 9.18.33`). */
  readonly description: string;
  /** The implementation it runs (e.g. `reference`, or a driver's command), for reports. */
  readonly implementation?: string;
  /** Milliseconds the system took to start, when it measured it (reported by reenact). */
  readonly startMs?: number;
  /** Performs one action of the model by one actor on the real system. */
  perform(action: string, actor: number): Promise<void>;
  /** The real state, mapped to the model's state fields it can observe (a subset of the model's JSON state). */
  observe(): Promise<JsonState>;
  /** What the real system answers for each public name, at the end (e.g. a DNS resolution). */
  resolve?(): Promise<readonly Json[]>;
  /** Puts the system back in its initial state (e.g. resets the zone), so that one started system serves many runs. */
  reset?(): Promise<void>;
  /** What the system's own processes wrote on stderr so far (e.g. a driver's; bounded), kept in reports. */
  stderr?(): readonly string[];
  stop(): Promise<void>;
}

/** The one unit dnsmc is generic over. */
export interface ModelPackage {
  /** The model's name, as traces record it and `--model` selects a built-in one (e.g. `dns`). */
  readonly name: string;
  /** One line for `--help` and listings. */
  readonly description: string;
  /** Its parameters, in the order `--help` lists them. */
  readonly params: readonly ParamSpec[];
  /** Builds the model for resolved parameters (see {@link resolveParamValues}). */
  createModel(params: ParamValues): Model | Promise<Model>;
  readonly schedulers?: readonly SchedulerDecl[];
  readonly presentation?: Presentation;
  readonly system?: SystemAdapter;
  /** The story `dnsmc` with no command tells with this package (the built-in default package's is the postmortem demo). */
  readonly demo?: DemoScript;
  /** Scenarios `--scenario NAME` selects (see scenario.ts and docs/scenarios.md). */
  readonly scenarios?: readonly ScenarioDecl[];
  /** Constraints with a bound, each a flag (see scenario.ts). */
  readonly constraints?: readonly ConstraintDecl[];
}

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

/** A short story told with checks of the package's model: `dnsmc` with no command. */
export interface DemoScript {
  readonly title: string;
  readonly sections: readonly DemoSection[];
}

/**
 * One part of a demo. `counterexample`: the shortest violation of
 * `properties`, narrated (the demo fails if there is none); `check`: the
 * safety properties, verdict and statistics (the demo fails unless they
 * hold); `table`: for each value of the enum parameter `over`, one line with
 * every property's verdict, liveness included.
 */
export type DemoSection =
  | { readonly kind: 'counterexample'; readonly heading: string; readonly params: ParamValues; readonly properties: readonly string[] }
  | { readonly kind: 'check'; readonly heading: string; readonly params: ParamValues }
  | { readonly kind: 'table'; readonly heading: string; readonly over: string };

/** A parameter value out of its declared range; `param` names it (the CLI turns it into `--flag ...`). */
export class ParamError extends Error {
  override name = 'ParamError';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a parameter accepts, in words (`a whole number from 1 to 31`, `one of as-was|fixed`). */
export function describeParam(p: ParamSpec): string {
  switch (p.type) {
    case 'int':
      return `a whole number from ${p.min} to ${p.max}${p.why ? ` (${p.why})` : ''}`;
    case 'enum':
      return `one of ${p.values.join('|')}`;
    case 'bool':
      return 'true or false';
  }
}

/**
 * Fills in defaults and validates `given` against the declared parameters.
 * A name that is not declared, or a value out of range, throws a ParamError
 * naming the parameter. The result holds every declared parameter, in
 * declaration order.
 */
export function resolveParamValues<const P extends readonly ParamSpec[]>(specs: P, given?: Readonly<Record<string, unknown>>): ParamValuesOf<P>;
export function resolveParamValues(specs: readonly ParamSpec[], given: Readonly<Record<string, unknown>> = {}): Record<string, Json> {
  const names = specs.map((p) => p.name);
  for (const k of Object.keys(given)) {
    if (given[k] !== undefined && !names.includes(k)) {
      throw new ParamError(k, `${k} is not a parameter of this model (it has ${names.length > 0 ? names.join(', ') : 'none'})`);
    }
  }
  const out: Record<string, Json> = {};
  for (const p of specs) {
    const v = Object.hasOwn(given, p.name) && given[p.name] !== undefined ? given[p.name] : p.default;
    const ok =
      p.type === 'int'
        ? typeof v === 'number' && Number.isSafeInteger(v) && v >= p.min && v <= p.max
        : p.type === 'enum'
          ? typeof v === 'string' && p.values.includes(v)
          : typeof v === 'boolean';
    if (!ok) throw new ParamError(p.name, `${p.name} must be ${describeParam(p)}, got ${String(v)}`);
    out[p.name] = v as Json;
  }
  return out;
}
