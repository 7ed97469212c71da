import type { ReplayArgs } from '../../app/replay.js';
import { JSON_OPTION, modelOptions } from './model-options.js';
import type { Command } from './types.js';

export const replayCommand: Command = (io, run, source) => ({
  command: 'replay <trace>',
  describe: "replay a trace's schedule under other parameters (e.g. another variant) and report where it diverges",
  builder: (y) =>
    modelOptions(y.positional('trace', { type: 'string', describe: 'a trace file (from check --trace-out)' }), source.pkg, "[the trace's own]")
      .option('json', JSON_OPTION)
      .option('trace-out', { type: 'string', describe: 'write the replayed run as a trace file' })
      .epilog('Exit codes: 0 no property breaks in the replayed run, 1 a property breaks in it, 2 bad usage or input.'),
  handler: (a) => run(async () => (await import('../../app/replay.js')).runReplay(a as ReplayArgs, io)),
});
