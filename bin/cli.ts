/**
 * The command line. This file only wires yargs to library functions that
 * users and tests call as well (one module per command in bin/commands/);
 * every message for bad input is one line on stderr with exit code 2.
 */
import yargs, { type Argv } from 'yargs';
import { EXIT, LimitError, printable, UsageError, usageMessage } from '../app/errors.js';
import { secondsFlag, wholeFlag } from '../app/flags.js';
import { thrownText } from '../checker/model/model-error.js';
import { bufferIo, EXIT_OUTPUT, OutputError, PROGRESS_MODES, type ProgressMode, processIo, userOutputToStderr, type Io } from '../app/io.js';
import { paramFlag, resolvePackage, useCommandFlags, type PackageSource } from '../app/model.js';
import { earlyArgs } from '../app/prestart.js';
import { mark } from '../app/profile.js';
import { setUserCodeMemoryLimit, setUserCodeTimeLimit } from '../app/user-code.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { replayCommand } from './commands/replay.js';
import { viewCommand } from './commands/view.js';
import { explainCommand } from './commands/explain.js';
import { riskCommand } from './commands/risk.js';
import { simulateCommand } from './commands/simulate.js';
import { mergeCommand } from './commands/merge.js';
import { conformCommand } from './commands/conform.js';
import { reenactCommand } from './commands/reenact.js';
import { stormCommand } from './commands/storm.js';
import { testSystemCommand } from './commands/test-system.js';
import type { Command, Run } from './commands/types.js';

/** Every command, in the order `--help` lists them. */
const COMMANDS: Command[] = [
  demoCommand,
  checkCommand,
  replayCommand,
  reenactCommand,
  viewCommand,
  exportCommand,
  simulateCommand,
  riskCommand,
  mergeCommand,
  explainCommand,
  testSystemCommand,
  conformCommand,
  stormCommand,
];

/** The options every command takes, besides its own. */
function globalOptions<T>(parser: Argv<T>): Argv<T> {
  return parser
    .option('progress', { type: 'string', describe: 'progress lines on stderr: never|auto (runs over a second)|always [auto]' })
    .option('quiet', { type: 'boolean', describe: 'nothing on stderr but errors (--progress never)' });
}

/**
 * Every flag of the commands themselves, as their yargs builders declare
 * them for a package with no parameters: a model package's parameter may
 * not take one of these names.
 */
export function commandFlags(): Set<string> {
  const bare: PackageSource = { pkg: { name: 'none', description: '', params: [], createModel: () => Promise.reject(new Error('unused')) }, declared: true };
  const flags = new Set(['help', 'version']);
  for (const c of COMMANDS) {
    const { builder } = c(bufferIo(), async () => undefined, bare);
    const y = globalOptions(yargs([]));
    const built = typeof builder === 'function' ? builder(y) : y.options(builder ?? {});
    for (const k of declaredKeys(built)) flags.add(k);
  }
  return flags;
}

/** The option names a yargs instance declares (`getOptions()`, which yargs' types leave out). */
function declaredKeys(parser: unknown): string[] {
  const options = (parser as { getOptions?: () => { key?: Record<string, unknown> } }).getOptions?.();
  if (!options?.key) throw new Error('yargs no longer lists its options (getOptions().key)');
  return Object.keys(options.key);
}
useCommandFlags(commandFlags);

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const run: Run = async (f) => {
    // The model's code runs in the command: what it prints goes to stderr, and stdout carries the report alone.
    code = await userOutputToStderr(f);
  };
  // The package `--model` selects declares the flags the commands take, so it is loaded first.
  let source: PackageSource;
  const early = earlyArgs(argv);
  // Loading the model module is bounded by --time-limit too (a bad value is left for the command to report).
  const seconds = validOrUndefined(() => secondsFlag('time-limit', early.timeLimit));
  setUserCodeTimeLimit(seconds === undefined ? undefined : seconds * 1000);
  setUserCodeMemoryLimit(validOrUndefined(() => wholeFlag('max-memory', early.maxMemory, 64)));
  try {
    source = await userOutputToStderr(() => resolvePackage(early.model));
  } catch (e) {
    return fail(e, io);
  }
  mark('package');
  // Progress lines follow --progress and --quiet, read before any command runs.
  let progress: ProgressMode | undefined;
  const commandIo: Io = {
    out: (t) => io.out(t),
    err: (t) => io.err(t),
    errIsTTY: io.errIsTTY,
    get progress() {
      return progress ?? io.progress;
    },
  };
  let parser = yargs(argv).scriptName('dnsmc').usage('$0 [command]\n\nWith no command, runs the demo of the default model.');
  for (const c of COMMANDS) parser = parser.command(c(commandIo, run, source));
  parser = globalOptions(parser)
    .middleware((a) => {
      progress = progressFlag(a.progress, a.quiet);
    })
    .strict()
    .strictOptions()
    .help()
    .version()
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      // Throwing stops yargs before any command handler runs.
      throw err ?? new UsageError(unknownFlagHint(msg, argv, source));
    });
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (e) {
    return fail(e, io);
  }
  return code;
}

/** The mode `--progress` and `--quiet` ask for (undefined: the Io's own). */
function progressFlag(flag: unknown, quiet: unknown): ProgressMode | undefined {
  if (flag !== undefined && !PROGRESS_MODES.includes(flag as ProgressMode))
    throw new UsageError(`--progress must be ${PROGRESS_MODES.join(', ')}, not ${JSON.stringify(flag)}`);
  if (quiet === true && flag !== undefined && flag !== 'never') throw new UsageError(`--quiet shows no progress: it cannot go with --progress ${String(flag)}`);
  return quiet === true ? 'never' : (flag as ProgressMode | undefined);
}

/** yargs' "Unknown argument: plans" with what the model does take, since the model's flags depend on --model. */
function unknownFlagHint(msg: string, argv: readonly string[], source: PackageSource): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!m) return msg;
  const names = m[1].split(', ');
  // A bare word (an unknown command or a stray argument) is left as yargs says it, with the command it may have meant.
  const words = names.filter((n) => argv.includes(n));
  if (words.length > 0) {
    const commands = commandNames(source);
    const meant = argv.some((a) => commands.includes(a)) ? undefined : suggestedCommand(words[0], commands);
    return meant === undefined
      ? `Unknown argument${words.length > 1 ? 's' : ''}: ${words.join(', ')}`
      : `Unknown argument: ${words[0]}. Did you mean ${meant}?`;
  }
  const flags = names.map((f) => `--${f.replace(/^-+/, '')}`);
  const own = source.pkg.params.map((p) => `--${paramFlag(p)}`);
  const model = source.module ?? source.pkg.name;
  return `${flags.join(', ')}: no such flag${flags.length > 1 ? 's' : ''} (model ${model} takes ${own.length > 0 ? own.join(', ') : 'no parameters'}; see --help)`;
}

/** The names of the commands (the demo, the default command, has none). */
function commandNames(source: PackageSource): string[] {
  const names: string[] = [];
  for (const c of COMMANDS) {
    const { command } = c(bufferIo(), async () => undefined, source);
    const name = String(command).split(' ')[0];
    if (name !== '$0') names.push(name);
  }
  return names;
}

/**
 * The command yargs suggests for a mistyped one (its recommendCommands).
 * yargs suggests none where there is a default command, as the demo is, so
 * the word is put to a parser of the command names alone.
 */
function suggestedCommand(word: string, commands: readonly string[]): string | undefined {
  let said: string | undefined;
  let parser = yargs([word])
    .recommendCommands()
    .exitProcess(false)
    .help(false)
    .version(false)
    .fail((msg) => {
      said ??= msg;
      throw new UsageError(msg);
    });
  for (const name of commands) parser = parser.command(name, '', {}, () => undefined);
  try {
    parser.parseSync();
  } catch {
    // The suggestion, if any, is in `said`.
  }
  return /^Did you mean (\S+)\?$/.exec(said ?? '')?.[1];
}

/** The longest error line dnsmc prints: input echoed in a message is cut to fit. */
const MAX_MESSAGE = 400;

/** A message as one printable line: control characters shown as escapes, cut to MAX_MESSAGE characters. */
export function messageLine(msg: string): string {
  const flat = msg.split('\n').filter(Boolean).join(' ');
  const shown = printable(flat);
  return shown.length <= MAX_MESSAGE ? shown : `${shown.slice(0, MAX_MESSAGE - 40)}... (${shown.length - (MAX_MESSAGE - 40)} more characters)`;
}

/** The value `f` returns, or undefined if it throws. */
function validOrUndefined<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** The message of anything thrown, never throwing itself (see thrownText); with `stack`, the stack when there is one. */
export function safeMessage(e: unknown, stack = false): string {
  if (stack) {
    try {
      if (e instanceof Error && typeof e.stack === 'string') return e.stack;
    } catch {
      // No stack to show: the message will do.
    }
  }
  return thrownText(e);
}

/** A usage error as one line on stderr and exit code 2, an output error with 74, a limit with 3; anything else is rethrown (a bug). */
function fail(e: unknown, io: Io): number {
  if (e instanceof OutputError) {
    io.err(`dnsmc: ${messageLine(e.message)}\n`);
    return EXIT_OUTPUT;
  }
  if (e instanceof LimitError) {
    io.err(`dnsmc: ${messageLine(e.message)}\n`);
    return EXIT.incomplete;
  }
  const msg = usageMessage(e);
  if (msg === undefined) throw e;
  io.err(`dnsmc: ${messageLine(msg)}\n`);
  return EXIT.usage;
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
