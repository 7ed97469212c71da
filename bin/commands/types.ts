/**
 * How a command plugs into the CLI: each file in bin/commands/ exports a
 * function that returns a yargs command module whose handler calls one
 * library function through `run` (which maps usage errors to exit code 2).
 */
import type { CommandModule } from 'yargs';
import type { Io } from '../../app/io.js';

export type Run = (f: () => Promise<number>) => Promise<void>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Command = (io: Io, run: Run) => CommandModule<any, any>;
