import { runReplay, type ReplayArgs } from '../../app/replay.js';
import { VARIANT_NAMES } from '../../models/dns/params.js';
import type { Command } from './types.js';

export const replayCommand: Command = (io, run) => ({
  command: 'replay <trace>',
  describe: "replay a trace's schedule under another variant and report where it diverges",
  builder: (y) =>
    y
      .positional('trace', { type: 'string', describe: 'a trace file (from check --trace-out)' })
      .option('variant', { type: 'string', describe: `the rules to replay under: ${VARIANT_NAMES.join('|')} [the trace's own]` })
      .option('json', { type: 'boolean', describe: 'print exactly one JSON object on stdout' })
      .option('trace-out', { type: 'string', describe: 'write the replayed run as a trace file' })
      .option('model', { type: 'string', describe: 'the user model module the trace was made with (dnsmc never loads code a trace names)' })
      .epilog('Exit codes: 0 no property breaks in the replayed run, 1 a property breaks in it, 2 bad usage or input.'),
  handler: (a) => run(() => runReplay(a as ReplayArgs, io)),
});
