import { EXPLAIN_FORMATS, runExplain, type ExplainArgs } from '../../app/explain.js';
import { TRACE_MODEL_OPTION } from './model-options.js';
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
      .epilog('Exit codes: 0 explained, 2 bad usage or input.'),
  handler: (a) => run(() => runExplain(a as ExplainArgs, io)),
});
