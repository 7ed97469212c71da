/**
 * The story `dnsmc` with no command tells with a package's model.
 */
import type { StepInfo } from '../model/model.js';
import type { ParamValues } from './params.js';

/** A short story told with checks of the package's model: `dnsmc` with no command. */
export interface DemoScript {
  readonly title: string;
  /** Plain lines after the title, before the first section: who acts, and on what. */
  readonly intro?: readonly string[];
  readonly sections: readonly DemoSection[];
  /** The commands to try next, each with what it shows; printed last. */
  readonly next?: readonly { readonly command: string; readonly shows: string }[];
}

/**
 * One part of a demo. `counterexample`: the shortest violation of
 * `properties`, narrated (the demo fails if there is none); `check`: the
 * safety properties, verdict and statistics (the demo fails unless they
 * hold); `table`: for each value of the enum parameter `over`, one line with
 * every property's verdict, liveness included.
 */
export type DemoSection =
  | {
      readonly kind: 'counterexample';
      readonly heading: string;
      readonly params: ParamValues;
      readonly properties: readonly string[];
      /** One sentence naming the root cause, read from the counterexample's steps (step n is `steps[n - 1]`). */
      readonly rootCause?: (steps: readonly StepInfo[]) => string;
    }
  | { readonly kind: 'check'; readonly heading: string; readonly params: ParamValues }
  | { readonly kind: 'table'; readonly heading: string; readonly over: string };
