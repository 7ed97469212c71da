#!/usr/bin/env node
// The dnsmc command. The TypeScript sources are compiled to dist/ by
// `npm run build` (run automatically by `npm ci` / `npm install`).
import { availableParallelism } from 'node:os';
import { startWorkers } from '../dist/checker/parallel.js';

const argv = process.argv.slice(2);
// `check` searches on worker threads as well as this one: start them now, so
// that they start while the command line is read (a bad --workers value is
// reported by the command itself).
if (argv[0] === 'check') {
  const at = argv.findIndex((a) => a === '--workers' || a.startsWith('--workers='));
  const given = at < 0 ? undefined : argv[at].startsWith('--workers=') ? argv[at].slice(10) : argv[at + 1];
  const workers = given === undefined ? availableParallelism() : Number(given);
  if (Number.isInteger(workers) && workers > 1 && workers <= 64) startWorkers(workers - 1);
}

const { main } = await import('../dist/bin/cli.js');
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Not a usage error: a bug in dnsmc or in a model. Say so on one line and keep the details.
    process.stderr.write(`dnsmc: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.DNSMC_DEBUG) process.stderr.write(`${err instanceof Error ? err.stack : ''}\n`);
    process.exitCode = 70;
  },
);
