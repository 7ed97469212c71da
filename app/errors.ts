/**
 * Errors a user can fix: bad flags, config or trace files. The CLI prints the
 * message as one line and exits with code 2, never with a stack trace.
 */
import { LayoutError } from '../checker/state/layout.js';
import { ModelError } from '../checker/model/model.js';
import { OptionError } from '../checker/explore/options.js';
import { ParamError } from '../checker/package/params.js';
import { SystemError } from '../checker/package/system.js';
import { InputFileError } from '../traces/io.js';
import { TraceError } from '../traces/trace.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A limit (`--time-limit`, `--max-memory`) stopped a run before it had a verdict: one line, exit code 3. */
export class LimitError extends Error {
  override name = 'LimitError';
}

/** Exit codes of every command. */
export const EXIT = { ok: 0, violation: 1, usage: 2, incomplete: 3, diverged: 4 } as const;

/** The one-line message for an error a user can fix, or undefined for a bug. */
export function usageMessage(e: unknown): string | undefined {
  if (
    e instanceof UsageError ||
    e instanceof InputFileError ||
    e instanceof TraceError ||
    e instanceof OptionError ||
    e instanceof LayoutError ||
    e instanceof ModelError ||
    e instanceof SystemError
  ) {
    return e.message;
  }
  if (e instanceof ParamError) return `--${kebab(e.param)} ${e.message.replace(new RegExp(`^${e.param} `), '')}`;
  return undefined;
}

/**
 * Untrusted text made printable: control characters (line breaks, terminal
 * escapes), format characters (Unicode category Cf: bidirectional overrides
 * such as U+202E, zero-width characters, the byte order mark) and line and
 * paragraph separators shown as `\u001b` (or `\u{e0001}`) escapes.
 */
export function printable(s: string): string {
  return s.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => {
    const n = c.codePointAt(0) ?? 0;
    return n > 0xffff ? `\\u{${n.toString(16)}}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** `maxBackoff` -> `max-backoff`. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
