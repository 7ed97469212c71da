import type { ExplainArgs } from '../../app/explain.js';
import { EXPLAIN_FORMATS } from '../../app/command-defaults.js';
import { MAX_EXPLAIN_STEPS } from '../../checker/runs/explain.js';
import { MAX_MEMORY_OPTION, TIME_LIMIT_OPTION, TRACE_MODEL_OPTION } from './model-options.js';
import type { Command } from './types.js';

export const explainCommand: Command = (io, run) => ({
  command: 'explain <trace>',
  describe:
    "a counterexample's causal structure: what each step read and wrote, the happens-before graph, the steps that can move, the orderings it depends on",
  builder: (y) =>
    y
      .positional('trace', { type: 'string', describe: 'a trace file (from check --trace-out)' })
      .option('format', { type: 'string', describe: `${EXPLAIN_FORMATS.join('|')} [text]` })
      .option('model', TRACE_MODEL_OPTION)
      .option('time-limit', TIME_LIMIT_OPTION)
      .option('max-memory', MAX_MEMORY_OPTION)
      .epilog(
        `Exit codes: 0 explained, 2 bad usage or input, 3 a limit stopped it (--time-limit, --max-memory, or a run of more than ${MAX_EXPLAIN_STEPS} steps).`,
      ),
  handler: (a) => run(async () => (await import('../../app/explain.js')).runExplain(a as ExplainArgs, io)),
});
