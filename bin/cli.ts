/**
 * The command line. This file only wires yargs to library functions that
 * users and tests call as well; every message for bad input is one line on
 * stderr with exit code 2.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runCheck, type CheckArgs } from '../app/check.js';
import { runDemo } from '../app/demo.js';
import { EXIT, UsageError, usageMessage } from '../app/errors.js';
import { processIo, type Io } from '../app/io.js';
import { VARIANT_NAMES } from '../models/dns/params.js';

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const fail = (msg: string): void => {
    io.err(`dnsmc: ${msg.split('\n').filter(Boolean).join(' ')}\n`);
    code = EXIT.usage;
  };
  const guard = (run: () => number): void => {
    try {
      code = run();
    } catch (e) {
      const msg = usageMessage(e);
      if (msg === undefined) throw e;
      fail(msg);
    }
  };
  const parser = yargs(argv)
    .scriptName('dnsmc')
    .usage('$0 [command]\n\nWith no command, runs the postmortem demo.')
    .command(
      '$0',
      'run the postmortem demo: the as-was race, then the fix',
      (y) => y,
      () => guard(() => runDemo(io)),
    )
    .command(
      'check',
      'explore every interleaving of the dns model and check its properties',
      (y) =>
        y
          .option('variant', { type: 'string', describe: `protocol variant: ${VARIANT_NAMES.join('|')} [as-was]` })
          .option('enactors', { type: 'string', describe: 'number of enactors [3]' })
          .option('plans', { type: 'string', describe: 'generations the planner publishes [4]' })
          .option('endpoints', { type: 'string', describe: 'number of endpoints [1]' })
          .option('max-backoff', { type: 'string', describe: 'failed-lock counter saturates here [2]' })
          .option('keep', { type: 'string', describe: 'cleanup deletes g when g + keep < plan [1]' })
          .option('property', { type: 'string', array: true, describe: 'check only this property (repeatable) [all]' })
          .option('continue', { type: 'boolean', describe: 'keep exploring; report the shortest violation of each property' })
          .option('deadlock', { type: 'boolean', default: true, describe: 'report deadlocks (--no-deadlock to skip)' })
          .option('max-states', { type: 'string', describe: 'stop (incomplete) after this many distinct states' })
          .option('max-depth', { type: 'string', describe: 'do not expand states at this depth' })
          .option('time-limit', { type: 'string', describe: 'stop (incomplete) after this many seconds' })
          .option('json', { type: 'boolean', describe: 'print exactly one JSON object on stdout' })
          .option('trace-out', { type: 'string', describe: 'write the counterexample trace (JSON) to this file' })
          .epilog('Exit codes: 0 no violation, 1 violation or deadlock, 2 bad usage or input, 3 incomplete.'),
      (a) => guard(() => runCheck(a as CheckArgs, io)),
    )
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
  try {
    await parser.parseAsync();
  } catch (e) {
    const msg = usageMessage(e);
    if (msg === undefined) throw e;
    fail(msg);
  }
  return code;
}
