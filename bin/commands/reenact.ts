import type { ReenactArgs } from '../../app/reenact.js';
import { JSON_OPTION, systemOptions, TRACE_MODEL_OPTION } from './model-options.js';
import type { Command } from './types.js';

export const reenactCommand: Command = (io, run, source) => ({
  command: 'reenact <trace>',
  describe: "perform a trace's steps on the real system behind its model and compare, step by step",
  builder: (y) =>
    systemOptions(y.positional('trace', { type: 'string', describe: 'a trace file (from check --trace-out or replay --trace-out)' }), source.pkg, 'reenact')
      .option('json', JSON_OPTION)
      .option('trace-out', { type: 'string', describe: 'write the trace annotated with what the system held after each step' })
      .option('view', { type: 'string', describe: "write the trace viewer, the system's records beside the model's, to this file" })
      .option('model', TRACE_MODEL_OPTION)
      .epilog(
        'Exit codes: 0 the system followed the model and every property held, 1 a property broke on the real system, 2 bad input or no system, 4 the system diverged from the model, 5 the driver exited, 6 the driver gave no reply in time, 7 the driver replied what its protocol does not allow, 130/143 stopped by SIGINT/SIGTERM (the steps performed are reported).',
      ),
  handler: (a) => run(async () => (await import('../../app/reenact.js')).runReenact(a as ReenactArgs, io)),
});
