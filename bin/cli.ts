/**
 * The command line. This file only wires yargs to library functions that
 * users and tests call as well (one module per command in bin/commands/);
 * every message for bad input is one line on stderr with exit code 2.
 */
import yargs from 'yargs';
import { EXIT, UsageError, usageMessage } from '../app/errors.js';
import { processIo, type Io } from '../app/io.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { replayCommand } from './commands/replay.js';
import { viewCommand } from './commands/view.js';
import { simulateCommand } from './commands/simulate.js';
import { mergeCommand } from './commands/merge.js';
import type { Command, Run } from './commands/types.js';

/** Every command, in the order `--help` lists them. */
const COMMANDS: Command[] = [demoCommand, checkCommand, replayCommand, viewCommand, exportCommand, simulateCommand, mergeCommand];

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const run: Run = async (f) => {
    code = await f();
  };
  let parser = yargs(argv).scriptName('dnsmc').usage('$0 [command]\n\nWith no command, runs the postmortem demo.');
  for (const c of COMMANDS) parser = parser.command(c(io, run));
  parser = parser
    .strict()
    .strictOptions()
    .help()
    .version()
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      // Throwing stops yargs before any command handler runs.
      throw err ?? new UsageError(msg);
    });
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (e) {
    const msg = usageMessage(e);
    if (msg === undefined) throw e;
    io.err(`dnsmc: ${msg.split('\n').filter(Boolean).join(' ')}\n`);
    code = EXIT.usage;
  }
  return code;
}

/**
 * Before it runs a command, yargs renders that command's whole help text and
 * keeps it, to show should the command fail later: some 30 ms of measuring
 * strings before `check` can start. dnsmc reports failures in one line and
 * never shows that text, so the rendering is skipped. (`--help` renders its
 * text when asked.) An internal of yargs: where it is missing, nothing
 * changes.
 */
function skipHelpCache(parser: unknown): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (parser as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}
