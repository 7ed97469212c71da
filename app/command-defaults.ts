/**
 * The defaults and choices the commands' flags name in their help, apart
 * from the code that runs the commands: the command line declares every
 * command's flags but loads only the command it runs (bin/commands/), so
 * what the declarations need lives here, in a module that loads nothing heavy.
 */
import type { ModelPackage } from '../checker/package/package.js';
import { kebab } from './errors.js';

/** Defaults of `dnsmc conform`. */
export const CONFORM_DEFAULTS = { skewMs: 50 };

/** The formats of `dnsmc explain`. */
export const EXPLAIN_FORMATS = ['text', 'mermaid', 'dot', 'json'] as const;

/** The export formats. */
export const EXPORT_FORMATS = ['markdown', 'mermaid', 'itf', 'svg'] as const;

/** The scheduler every model has: uniform among the enabled steps. */
export const UNIFORM = 'uniform';

/** Defaults of `dnsmc simulate`. */
export const SIMULATE_DEFAULTS = { runs: 1000, depth: 100, seed: 0, scheduler: UNIFORM };

/** The scheduler names `--scheduler` takes with this package: `uniform`, then the package's own. */
export function schedulerNames(pkg?: ModelPackage): string[] {
  return [UNIFORM, ...(pkg?.schedulers ?? []).map((s) => s.name)];
}

/** Defaults of `dnsmc test-system`. */
export const TEST_SYSTEM_DEFAULTS = { runs: 100, seed: 0, depth: 30 };

/** The flag that slows one actor of a role in a storm (`--slow-<role>`). */
export const slowFlag = (role: string): string => `slow-${kebab(role)}`;
