/**
 * Progress on stderr, as TLC reports it: distinct states, queue, rate. A live
 * line on a terminal (rewritten in place), periodic lines otherwise. When it
 * shows is the user's choice (`--progress never|auto|always`, `--quiet`):
 * `auto` shows it for runs longer than a second, so that a short run's stderr
 * holds nothing but errors; `always` from the first report on (about a
 * second in, then every second; a quarter second on a terminal); `never`
 * not at all, and the engine is then given no callback.
 */
import type { Progress } from '../checker/explore/options.js';
import { int } from './format.js';
import type { Io } from './io.js';

export interface ProgressReporter {
  /** Undefined when progress is not shown: the engine then spends nothing on it. */
  readonly onProgress: ((p: Progress) => void) | undefined;
  readonly intervalMs: number;
  /** Clears the live line, if one is showing. */
  done(): void;
}

/** A search's progress line: distinct states, generated, queue, depth, rate. */
export function searchLine(p: Progress): string {
  return (
    `progress: ${int(p.distinctStates)} distinct states, ${int(p.generatedStates)} generated, queue ${int(p.queue)}, depth ${p.depth}, ` +
    `${int((p.distinctStates / p.elapsedMs) * 1000)} states/s, ${(p.elapsedMs / 1000).toFixed(0)} s`
  );
}

/** Reports progress on `io`'s stderr, each report rendered by `line`. */
export function progressReporter(io: Io, line: (p: Progress) => string = searchLine): ProgressReporter {
  const mode = io.progress ?? 'auto';
  let live = false;
  return {
    intervalMs: io.errIsTTY ? 250 : 1000,
    onProgress:
      mode === 'never'
        ? undefined
        : (p) => {
            if (mode === 'auto' && p.elapsedMs < 1000) return;
            if (io.errIsTTY) {
              io.err(`\r\x1b[2K${line(p)}`);
              live = true;
            } else {
              io.err(`${line(p)}\n`);
            }
          },
    done: () => {
      if (live) io.err('\r\x1b[2K');
      live = false;
    },
  };
}
