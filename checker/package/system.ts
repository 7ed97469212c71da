/**
 * The seam to a real system behind a model (e.g. a DNS server driven by an
 * implementation): the adapter a package declares (its flags, starting the
 * system, its real-timing workload with faults as data), the started system,
 * and the errors a system reports (a refused step is a divergence; a system
 * that fails, or a driver that does, ends the run).
 */
import type { Json, JsonState } from '../state/layout.js';
import type { Interrupt, Model } from '../model/model.js';
import type { TimingProfile } from './timing.js';

/** A real system refused a step the model takes (its own guard, in its own words). Counts as a divergence. */
export class ActionRefused extends Error {
  override name = 'ActionRefused';
}

/** A real system could not be started or reached, or gave an answer it cannot use. One line; not a divergence. */
export class SystemError extends Error {
  override name = 'SystemError';
}

/**
 * The process that runs a system's implementation (a driver, docs/drivers.md)
 * failed: it exited, gave no reply within its timeout, or replied what the
 * protocol does not allow. Not a divergence: the run ends, with one line and
 * the failure's own exit code (5, 6, 7).
 */
export class DriverError extends SystemError {
  override name = 'DriverError';
  constructor(
    readonly kind: 'crashed' | 'timeout' | 'malformed',
    message: string,
  ) {
    super(message);
  }
  /** The exit code of a command this ends: 5 crashed, 6 no reply in time, 7 a malformed reply. */
  get exitCode(): 5 | 6 | 7 {
    return this.kind === 'crashed' ? 5 : this.kind === 'timeout' ? 6 : 7;
  }
}

/**
 * The commands that reach a real system: each offers the system's flags that
 * name it (reenact, test-system and storm by default; `conform` only those
 * that name it, for reading a snapshot of the running system).
 */
export type SystemCommand = 'reenact' | 'test-system' | 'storm' | 'conform';

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
  /** The commands that take it (absent: reenact, test-system and storm, not conform). */
  readonly commands?: readonly SystemCommand[];
}

/** The flags of `adapter` that `command` takes. */
export function systemFlags(adapter: Pick<SystemAdapter, 'flags'>, command: SystemCommand): SystemFlag[] {
  return adapter.flags.filter((f) => (f.commands === undefined ? command !== 'conform' : f.commands.includes(command)));
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
  /**
   * Reads the running system (e.g. a server and a plan store, as its flags
   * for `conform` name them) into a state of the model, in its JSON form but
   * in the system's own numbering ({@link normaliseLogs} maps it): the
   * snapshot `conform --initial-from-server` starts the logs from. A system
   * it cannot read, or a state it cannot map, throws a SystemError (one line).
   * Absent: the system offers no snapshot.
   */
  snapshot?(model: Model, options: Opts): Promise<JsonState>;
  /**
   * Maps logs of the running system to the model's numbering (e.g. plan
   * generations in the hundreds of thousands to 1..plans, relative to the
   * snapshot's oldest live plan): the snapshot logs begin at, and what each
   * event saw. Returns them mapped, and what was done in words (null when
   * nothing). Throws a SystemError, one line, when they do not fit the model
   * (a window wider than its bound, naming the parameter's flag; an event's
   * value outside it, naming the file and line). Absent: nothing is mapped.
   */
  normaliseLogs?(model: Model, initial: JsonState, events: readonly LoggedSaw[]): NormalisedLogs;
  /**
   * Derives a timing profile from logs of the workload's runs (`dnsmc storm
   * --out`; each run its processes' event logs, each in sequence order): per
   * action, the durations measured (an empirical distribution). Pure: the
   * same logs give the same profile. Logs it cannot use (an action with no
   * sample, a step that does not fit the model) throw a SystemError, one
   * line naming the file and line. Absent: the system cannot be calibrated.
   */
  calibrate?(runs: readonly (readonly (readonly LoggedStep[])[])[]): TimingProfile;
}

/** One logged protocol step (docs/conformance.md), as calibration reads it, and where it was read. */
export interface LoggedStep {
  readonly file: string;
  readonly line: number;
  readonly process: string;
  /** Milliseconds, on one clock for every process of a run. */
  readonly ts: number;
  readonly action: string;
  readonly actor: number;
  readonly saw: Readonly<Record<string, Json>>;
}

/** What one logged event saw, and where it was read (for messages). */
export interface LoggedSaw {
  readonly file: string;
  readonly line: number;
  readonly saw: Readonly<Record<string, Json>>;
}

/** Logs mapped to the model's numbering: the snapshot, each event's `saw` (same order), and what was done. */
export interface NormalisedLogs {
  readonly initial: JsonState;
  readonly saws: readonly Readonly<Record<string, Json>>[];
  readonly note: string | null;
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
