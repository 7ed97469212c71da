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
import type { Model } from '../model/model.js';
import type { DemoScript } from './demo.js';
import type { ConstraintDecl, ScenarioDecl } from './observer.js';
import type { ParamSpec, ParamValues } from './params.js';
import type { Presentation } from './presentation.js';
import type { SystemAdapter } from './system.js';
import type { TimingProfile } from './timing.js';

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
  /**
   * The model's safety properties, most severe first: when a run breaks
   * several, `check` shows (and `--json` lists first) the most severe, and
   * searches on for the more severe ones when it stopped at a less severe
   * first violation. Properties left out rank after every listed one, in the
   * order found. Absent: the order found (breadth-first).
   */
  readonly severity?: readonly string[];
  /**
   * The default timing profile of the timed simulation (`dnsmc risk`, see
   * timing.ts): how long each action takes. `--timing FILE` replaces it;
   * without either, a model cannot be simulated in time.
   */
  readonly timing?: TimingProfile;
}
