/**
 * A driver: the child process that runs a system's implementation, in any
 * language, and speaks JSON lines on its stdin and stdout (docs/drivers.md).
 * dnsmc writes one request per line and waits for one reply per request, in
 * order; the driver's stderr is kept (its last 64 KiB) for reports. Every
 * failure ends the wait, never a hang:
 *
 * - the process exits (or cannot be started): `crashed`, with its exit status
 *   and the last lines it wrote on stderr;
 * - no reply within the timeout: `timeout` (the process is killed);
 * - a reply that is not one JSON object on one line (at most 1 MiB), or a
 *   line written when no request waits: `malformed`.
 *
 * The process runs in its own process group (a Ctrl-C on the terminal
 * reaches dnsmc, which stops it in order), is killed however dnsmc ends
 * (run-dirs.ts), and must exit when its stdin closes.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { DriverError } from '../checker/package/system.js';
import { trackChild } from './dns/run-dirs.js';

/** The longest reply line read. */
const MAX_LINE = 1 << 20;
/** The stderr kept, at most (its end). */
const MAX_STDERR = 64 * 1024;

export interface DriverOptions {
  /** Milliseconds to wait for each reply. */
  readonly timeoutMs: number;
  /** How reports name the driver (default: its command line). */
  readonly label?: string;
}

/** A running driver process. */
export class DriverProcess {
  readonly label: string;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly untrack: () => void;
  private buffer = '';
  private stderrText = '';
  private exited: string | null = null;
  private readonly exit: Promise<void>;
  private waiting: { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; what: string } | null = null;
  /** A failure seen while no request waited (an unsolicited line): reported at the next request. */
  private pending: DriverError | null = null;

  constructor(
    readonly argv: readonly string[],
    private readonly options: DriverOptions,
  ) {
    this.label = options.label ?? argv.join(' ');
    this.child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.untrack = trackChild(this.child);
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (t: string) => this.onData(t));
    this.child.stderr.on('data', (t: string) => {
      this.stderrText = (this.stderrText + t).slice(-MAX_STDERR);
    });
    // A driver that is gone makes writes fail with EPIPE: its exit is what is reported.
    this.child.stdin.on('error', () => undefined);
    this.exit = new Promise<void>((resolve) => {
      const done = (why: string): void => {
        if (this.exited !== null) return;
        this.exited = why;
        this.untrack();
        this.fail(new DriverError('crashed', `the driver ${this.label} ${why}${this.tail()}`));
        resolve();
      };
      // `close`: the process has exited and its output is all read (its last lines included).
      this.child.once('close', (code, sig) => done(sig ? `was killed by ${sig}` : `exited with status ${code}`));
      this.child.once('error', (e) => done(`could not be started (${(e as NodeJS.ErrnoException).code ?? e.message})`));
    });
  }

  /** The driver's stderr so far (its last 64 KiB), by line. */
  stderr(): string[] {
    const lines = this.stderrText.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines;
  }

  /** `; its last stderr lines: a | b | c` (at most 3), or nothing. */
  private tail(): string {
    const last = this.stderr()
      .filter((l) => l.trim() !== '')
      .slice(-3);
    return last.length > 0 ? `; its last stderr lines: ${last.join(' | ')}` : '';
  }

  private fail(e: DriverError): void {
    const w = this.waiting;
    this.waiting = null;
    if (w) w.reject(e);
    else this.pending ??= e;
  }

  private onData(text: string): void {
    this.buffer += text;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.onLine(line);
    }
    if (this.buffer.length > MAX_LINE) {
      this.buffer = '';
      this.malformed(`a reply line longer than ${MAX_LINE} bytes`);
    }
  }

  private malformed(why: string): void {
    const what = this.waiting ? ` to ${this.waiting.what}` : '';
    this.fail(new DriverError('malformed', `the driver ${this.label} replied${what} ${why} (docs/drivers.md)`));
    this.kill();
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    if (!this.waiting) {
      this.malformed(`with no request waiting: ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      this.malformed(`a line that is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.malformed(`${JSON.stringify(line.slice(0, 80))}, not a JSON object`);
      return;
    }
    const w = this.waiting;
    this.waiting = null;
    w.resolve(v as Record<string, unknown>);
  }

  /**
   * Sends `message` as one line and resolves to the reply (a JSON object).
   * `what` names the request in messages (`step 3 (acquireLock by actor 1)`).
   */
  request(message: Record<string, unknown>, what: string): Promise<Record<string, unknown>> {
    if (this.pending) return Promise.reject(this.pending);
    if (this.exited !== null) return Promise.reject(new DriverError('crashed', `the driver ${this.label} ${this.exited}${this.tail()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.waiting?.what !== what) return;
        this.waiting = null;
        this.kill();
        reject(new DriverError('timeout', `the driver ${this.label} gave no reply to ${what} within ${this.options.timeoutMs} ms${this.tail()}`));
      }, this.options.timeoutMs);
      this.waiting = {
        what,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  private kill(): void {
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Ends the driver: closes its stdin (it must exit then), and kills it after `graceMs`. Safe to call twice. */
  async stop(graceMs = 1000): Promise<void> {
    if (this.exited === null) {
      this.child.stdin.end();
      const t = setTimeout(() => this.kill(), graceMs);
      await this.exit;
      clearTimeout(t);
    }
    // Whatever it says after this is not a reply to anything.
    this.waiting = null;
    this.pending = null;
  }
}
