/**
 * Ctrl-C and SIGTERM during a search: the search is asked to stop (it looks
 * about every thousand states, and the search on this thread lets the event
 * loop turn every few tens of milliseconds), ends as incomplete with what it
 * has found, and the command reports it and exits with 130 (SIGINT) or 143
 * (SIGTERM). A second signal while it stops ends the process at once.
 */
import type { Interrupt } from '../checker/explore/options.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Caught = (typeof SIGNALS)[number];

/** The exit code of a run a signal stopped: 128 + the signal's number. */
export const SIGNAL_EXIT: Readonly<Record<Caught, number>> = { SIGINT: 130, SIGTERM: 143 };

/** A stop request set by a signal, and which signal set it. */
export interface SignalInterrupt extends Interrupt {
  requested: boolean;
  signal: Caught | null;
}

/** Runs `f` with SIGINT and SIGTERM turned into a stop request it can pass to the search. */
export async function interruptible<T>(f: (interrupt: SignalInterrupt) => Promise<T>): Promise<{ value: T; signal: Caught | null }> {
  const interrupt: SignalInterrupt = { requested: false, signal: null };
  const on = (signal: Caught) => (): void => {
    if (interrupt.requested) process.exit(SIGNAL_EXIT[signal]);
    interrupt.requested = true;
    interrupt.signal = signal;
  };
  const handlers = SIGNALS.map((s) => [s, on(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    return { value: await f(interrupt), signal: interrupt.signal };
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}
