/**
 * How a command plugs into the CLI: each file in bin/commands/ exports a
 * function that returns a yargs command module whose handler calls one
 * library function through `run` (which maps usage errors to exit code 2).
 * Commands that build a model get the package `--model` selected, whose
 * parameters they offer as flags.
 */
import type { CommandModule } from 'yargs';
import type { Io } from '../../app/io.js';
import type { PackageSource } from '../../app/model.js';

export type Run = (f: () => Promise<number>) => Promise<void>;
// biome-ignore lint/suspicious/noExplicitAny: the flags are declared at run time (from the package), so yargs' types cannot follow them.
export type Command = (io: Io, run: Run, source: PackageSource) => CommandModule<any, any>;
