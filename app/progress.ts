/**
 * Progress on stderr, as TLC reports it: distinct states, queue, rate. A live
 * line on a terminal (rewritten in place), periodic lines otherwise. The
 * engine calls back no sooner than a second into the run.
 */
import type { Progress } from '../checker/options.js';
import { int } from './format.js';
import type { Io } from './io.js';

export interface ProgressReporter {
  readonly onProgress: (p: Progress) => void;
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
  let live = false;
  return {
    intervalMs: io.errIsTTY ? 250 : 1000,
    onProgress: (p) => {
      if (p.elapsedMs < 1000) return;
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
