/**
 * The story `dnsmc` with no command tells with a package's model.
 */
import type { ParamValues } from './params.js';

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
