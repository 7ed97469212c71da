#!/usr/bin/env node
// The dnsmc command. The TypeScript sources are compiled to dist/ by
// `npm run build` (run automatically by `npm ci` / `npm install`).
import { guardStdout } from '../dist/app/io.js';
import { prestartWorkers } from '../dist/app/prestart.js';

const argv = process.argv.slice(2);
// A closed reader (`dnsmc check | head -1`) ends the output quietly; a full disk is one line.
guardStdout();
// `check` searches on worker threads as well as this one: they boot while the rest loads.
prestartWorkers(argv);

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
