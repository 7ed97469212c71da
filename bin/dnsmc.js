#!/usr/bin/env node
// The dnsmc command. The TypeScript sources are compiled to dist/ by
// `npm run build` (run automatically by `npm ci` / `npm install`).
// Modules are imported as they are needed, so that the clock below is read first (`check --profile`).
const mainAt = performance.now();
const { mark } = await import('../dist/app/profile.js');
mark('main', mainAt);
const { prestartWorkers } = await import('../dist/app/prestart.js');

const argv = process.argv.slice(2);
// `check` searches on worker threads as well as this one: they boot while the rest loads.
if (prestartWorkers(argv)) mark('workers');
const { guardStdout } = await import('../dist/app/io.js');
// A closed reader (`dnsmc check | head -1`) ends the output quietly; a full disk is one line.
guardStdout();

const { main, messageLine, safeMessage } = await import('../dist/bin/cli.js');
const { unsettledUserCode } = await import('../dist/app/user-code.js');
mark('loaded');

let settled = false;
/** Ends the process once the command has reported: a timer a model module left running does not keep it alive. */
const finish = (code) => {
  settled = true;
  process.exitCode = code;
  // Pipes and files are written synchronously on Linux; the callbacks make sure elsewhere. A failed write
  // to stdout is reported by its error handler (exit 74), which runs before the next turn of the loop.
  const exit = () => setImmediate(() => process.exit(code));
  setTimeout(exit, 2000).unref();
  process.stdout.write('', () => process.stderr.write('', exit));
};
// Node exits when nothing is left to do, even while main still awaits a promise that can no longer
// settle (a model module's top-level await, an async createModel that never returns): that must not be
// a silent exit 0. The user's module is named (exit 2); anything else is a bug (exit 70).
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  const what = unsettledUserCode();
  process.stderr.write(
    what !== undefined
      ? `dnsmc: ${messageLine(`${what} never settled: it awaits a promise that nothing is left to resolve; no verdict`)}\n`
      : 'dnsmc: internal error: the command ended without a verdict\n',
  );
  process.exit(what !== undefined ? 2 : 70);
});
main(argv).then(finish, (err) => {
  // Not a usage error: a bug in dnsmc or in a model. Say so on one line and keep the details.
  process.stderr.write(`dnsmc: internal error: ${messageLine(safeMessage(err))}\n`);
  if (process.env.DNSMC_DEBUG) process.stderr.write(`${safeMessage(err, true)}\n`);
  finish(70);
});
