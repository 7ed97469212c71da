import { runReenact, type ReenactArgs } from '../../app/reenact.js';
import { JSON_OPTION, TRACE_MODEL_OPTION } from './model-options.js';
import type { Command } from './types.js';

export const reenactCommand: Command = (io, run) => ({
  command: 'reenact <trace>',
  describe: "perform a trace's steps on the real system behind its model (dns: a private BIND 9) and compare, step by step",
  builder: (y) =>
    y
      .positional('trace', { type: 'string', describe: 'a trace file (from check --trace-out or replay --trace-out)' })
      .option('server', { type: 'string', describe: 'HOST:PORT of an RFC 2136 server to use instead of a private named (with --tsig-key)' })
      .option('tsig-key', { type: 'string', describe: 'a BIND key file (hmac-sha256) the server accepts signed updates and transfers with' })
      .option('endpoints', {
        type: 'string',
        describe: "with --server: the trace's endpoint count, confirmed (the names e0 .. e<N-1> of the zone are reset)",
      })
      .option('json', JSON_OPTION)
      .option('trace-out', { type: 'string', describe: 'write the trace annotated with what the system held after each step' })
      .option('view', { type: 'string', describe: "write the trace viewer, the system's records beside the model's, to this file" })
      .option('model', TRACE_MODEL_OPTION)
      .epilog(
        'Exit codes: 0 the system followed the model and every property held, 1 a property broke on the real system, 2 bad input or no system, 4 the system diverged from the model, 130/143 stopped by SIGINT/SIGTERM (the steps performed are reported).',
      ),
  handler: (a) => run(() => runReenact(a as ReenactArgs, io)),
});
