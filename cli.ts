/**
 * `dnsmc/cli`: the command line run in-process, for embedding and tests.
 * `main(argv, io)` resolves to the exit code; `bufferIo()` collects what a
 * command prints.
 */
export { main } from './bin/cli.js';
export { bufferIo, processIo, type Io } from './app/io.js';
export { EXIT } from './app/errors.js';
