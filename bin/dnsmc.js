#!/usr/bin/env node
// The dnsmc command. The TypeScript sources are compiled to dist/ by
// `npm run build` (run automatically by `npm ci` / `npm install`).
import { main } from '../dist/bin/cli.js';

main(process.argv.slice(2)).then(
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
