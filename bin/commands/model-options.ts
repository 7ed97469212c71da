/** The flags that select and parameterise the model, shared by every command that builds one. */
import type { Argv } from 'yargs';
import { VARIANT_NAMES } from '../../models/dns/params.js';

export function modelOptions<T>(y: Argv<T>) {
  return y
    .option('variant', { type: 'string', describe: `protocol variant: ${VARIANT_NAMES.join('|')} [as-was]` })
    .option('enactors', { type: 'string', describe: 'number of enactors [3]' })
    .option('plans', { type: 'string', describe: 'generations the planner publishes [4]' })
    .option('endpoints', { type: 'string', describe: 'number of endpoints [1]' })
    .option('max-backoff', { type: 'string', describe: 'failed-lock counter saturates here [2]' })
    .option('keep', { type: 'string', describe: 'cleanup deletes g when g + keep < plan [1]' })
    .option('model', {
      type: 'string',
      describe: 'a user model module (.js/.mjs/.cjs/.ts/.mts/.cts) exporting createModel(params) or model; the flags above go to createModel [the built-in dns model]',
    });
}
