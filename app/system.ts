/**
 * The real system behind a model, as the commands that run one (reenact,
 * test-system, storm) reach it: through the package's system adapter, whose
 * own flags they read and hand over unchecked (the adapter checks them), and
 * whose driver failures end a run with their own exit code. Nothing here
 * knows any particular system.
 */
import type { Model } from '../checker/model/model.js';
import { systemFlags, type SystemAdapter, type SystemCommand } from '../checker/package/system.js';
import { DriverError } from '../checker/package/system.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import type { PackageSource } from './model.js';

/** The package's system adapter, or a UsageError saying the model has none (`what`: what the command would do with it). */
export function systemOf(source: PackageSource, model: Model, what: string): SystemAdapter {
  const system = source.pkg.system;
  if (!system) throw new UsageError(`model ${model.name} has no system adapter: there is no real system to ${what}`);
  return system;
}

/** The adapter's options for `command`, from the flags it declares (their values as given). */
export function systemOptions(system: SystemAdapter, command: SystemCommand, a: Readonly<Record<string, unknown>>, model: Model): unknown {
  const given: Record<string, unknown> = {};
  for (const f of systemFlags(system, command)) if (a[f.name] !== undefined) given[f.name] = a[f.name];
  return system.options(given, command, model);
}

/**
 * A driver that crashed, gave no reply in time or replied what the protocol
 * does not allow: its one line on stderr, and its exit code (5, 6, 7).
 * Undefined for any other error (rethrown by the caller).
 */
export function driverFailure(e: unknown, io: Io): number | undefined {
  if (!(e instanceof DriverError)) return undefined;
  io.err(`dnsmc: ${e.message.split('\n').join(' ')}\n`);
  return e.exitCode;
}
