/**
 * `dnsmc check --profile`: where the whole process's time goes, from the
 * process's start to the report. The command line marks the moments phases
 * end ({@link mark}: a clock read each, a handful per run, whether or not
 * the profile is asked for); the search measures its own layers and threads
 * (checker/explore/profile.ts) only when asked. This module imports no code
 * (a type only), so that the CLI's entry point can load it first.
 */
import type { SearchProfile } from '../checker/explore/profile.js';

/** The moments the CLI marks, in the order they happen. */
export type Mark = 'main' | 'workers' | 'loaded' | 'package' | 'parsed' | 'model' | 'searched' | 'reported';

const marks = new Map<Mark, number>();

/** Notes that a phase ended now (or at `at`, a `performance.now()` reading); the first mark of a name stands. */
export function mark(name: Mark, at = performance.now()): void {
  if (!marks.has(name)) marks.set(name, at);
}

type SearchTimes = SearchProfile;

/** The `profile` object of `check --json --profile`: milliseconds per phase of the process, and the search's own profile. */
export interface PhaseProfile {
  /** From the process's start (Node's time origin) to the first line of the CLI. */
  readonly startMs: number;
  /** Loading the CLI's modules (and starting worker threads, when `check` starts them early). */
  readonly loadMs: number;
  /** Resolving `--model` (loading a user's module) and reading the command line. */
  readonly parseMs: number;
  /** Building the model from its parameters. */
  readonly modelMs: number;
  /** The search (and any follow-up search for more severe properties), counterexamples rebuilt. */
  readonly searchMs: number;
  /** Building the report (traces, JSON), up to printing it. */
  readonly reportMs: number;
  /** From the process's start to printing the report. */
  readonly totalMs: number;
  /** Worker threads: when they were started and ready, in milliseconds since the process started; null when none were. */
  readonly workers: {
    readonly startedMs: number | null;
    readonly readyMs: readonly number[];
    readonly joinedMs: number | null;
    readonly joinedDepth: number | null;
  };
  /** The layers searched on one thread (before the workers joined) and on all; the visited set's growth. */
  readonly layersAlone: { readonly layers: number; readonly states: number; readonly ms: number };
  readonly layersTogether: { readonly layers: number; readonly states: number; readonly ms: number };
  readonly growMs: number;
  readonly grows: number;
  readonly rebuildMs: number;
  /** The search's profile as measured (checker/explore/profile.ts), every layer and thread. */
  readonly search: SearchTimes;
}

const round = (x: number): number => Math.round(x * 10) / 10;

/** The phases of this process so far, with the search's profile; `reported` is marked now when not yet. */
export function phaseProfile(search: SearchTimes): PhaseProfile {
  mark('reported');
  const at = (m: Mark, or: number): number => marks.get(m) ?? or;
  const main = at('main', 0);
  const loaded = at('loaded', main);
  const parsed = at('parsed', at('package', loaded));
  const model = at('model', parsed);
  const searched = at('searched', model);
  const reported = at('reported', searched);
  const group = (alone: boolean): PhaseProfile['layersAlone'] => {
    const ls = search.layers.filter((l) => l.threads.length <= 1 === alone);
    return { layers: ls.length, states: ls.reduce((n, l) => n + l.states, 0), ms: round(ls.reduce((n, l) => n + l.ms, 0)) };
  };
  const started = marks.get('workers');
  return {
    startMs: round(main),
    loadMs: round(loaded - main),
    parseMs: round(parsed - loaded),
    modelMs: round(model - parsed),
    searchMs: round(searched - model),
    reportMs: round(reported - searched),
    totalMs: round(reported),
    workers: {
      startedMs: started === undefined ? null : round(started),
      readyMs: search.workersReadyMs.map((t) => round(search.startedAtMs + t)),
      joinedMs: search.joinedMs === null ? null : round(search.startedAtMs + search.joinedMs),
      joinedDepth: search.joinedDepth,
    },
    layersAlone: group(true),
    layersTogether: group(false),
    growMs: round(search.growMs),
    grows: search.grows,
    rebuildMs: round(search.rebuildMs),
    search,
  };
}

/** The phases as one line of text, for `check --profile` without `--json`. */
export function phaseLine(p: PhaseProfile): string {
  return (
    `profile (ms): start ${p.startMs}, modules ${p.loadMs}, command line ${p.parseMs}, model ${p.modelMs}, ` +
    `search ${p.searchMs}, report ${p.reportMs}; total ${p.totalMs}`
  );
}
