/**
 * Files the tool writes are written atomically: to a temporary file in the
 * same directory, then renamed over the target, so an interrupted run leaves
 * either the old file or the new one, never half of one. While the file is
 * written, SIGINT and SIGTERM are held (a listener is installed, so the
 * process is not killed part-way; the write is synchronous, so the listener
 * never runs before it ends): no temporary file is left behind by them. A
 * signal that arrived in those few milliseconds is then dropped, and the
 * command ends as it would have. (SIGKILL cannot be held.)
 *
 * The temporary file's name is random (`.NAME.RANDOM.tmp`, 128 bits) and it
 * is created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW): a file or symlink
 * planted in the folder is never opened, let alone followed.
 *
 * A target that exists and is not a regular file (after symlinks: a FIFO, a
 * character device such as /dev/null or /dev/full, a socket), and the
 * process's own streams (/dev/stdout, /dev/stderr, /dev/fd/N, any path under
 * /proc/) are not replaced: they are opened and written in place, appending,
 * and a failed write (ENOSPC on /dev/full) is thrown. (Such a write cannot be
 * atomic, and signals are not held during it.)
 * A FIFO that no process is reading fails at once with ENXIO instead of
 * waiting for a reader.
 *
 * Reading: every file the user names is read through {@link readInputFile}.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, type Stats, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const hold = (): void => undefined;
const HELD = ['SIGINT', 'SIGTERM'] as const;

/** How many random names are tried before giving up (each a 1 in 2^128 chance of being taken, unless planted). */
const TEMP_TRIES = 16;

/** Whether `path` is written in place rather than replaced: an existing non-regular file, or one of the process's streams. */
export function writtenInPlace(path: string): boolean {
  const abs = resolve(path);
  if (/^\/dev\/(?:stdout|stderr|stdin|fd\/)|^\/proc\//.test(abs)) return true;
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return false;
  }
  return !st.isFile() && !st.isDirectory();
}

/** Writes all of `data` to an open descriptor. */
function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/** Writes to a FIFO, device or /dev path as it is: no temporary file, no rename. */
function writeInPlace(path: string, data: Buffer): void {
  let probe = -1;
  // A FIFO: opened without blocking first, which fails with ENXIO when no process reads it (a blocking open would wait for one).
  if (statSync(path).isFIFO()) probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    // Never created: what is written in place exists.
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY);
    try {
      writeAll(fd, data);
    } finally {
      closeSync(fd);
    }
  } finally {
    if (probe >= 0) closeSync(probe);
  }
}

/** Creates the temporary file beside `path` under a fresh random name, exclusively; returns its name and descriptor. */
function createTemp(path: string): { tmp: string; fd: number } {
  for (let i = 1; ; i++) {
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(16).toString('hex')}.tmp`);
    try {
      return { tmp, fd: openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || i >= TEMP_TRIES) throw e;
    }
  }
}

export function writeFileAtomic(path: string, data: string): void {
  const bytes = Buffer.from(data, 'utf8');
  // In place, signals are not held: a FIFO whose reader stalls could otherwise block a Ctrl-C.
  if (writtenInPlace(path)) {
    writeInPlace(path, bytes);
    return;
  }
  for (const s of HELD) process.on(s, hold);
  try {
    let tmp: string | undefined;
    let fd = -1;
    try {
      ({ tmp, fd } = createTemp(path));
      writeAll(fd, bytes);
      fsyncSync(fd);
      closeSync(fd);
      fd = -1;
      renameSync(tmp, path);
    } catch (e) {
      if (fd >= 0) closeSync(fd);
      if (tmp !== undefined) rmSync(tmp, { force: true });
      throw e;
    }
  } finally {
    for (const s of HELD) process.off(s, hold);
  }
}

/** A file the user named that cannot be read as one: not found, not a regular file, or too large. Its message is one line. */
export class InputFileError extends Error {
  override name = 'InputFileError';
}

/** What a file that is not a regular one is, as a message names it. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A size as messages give it: in MiB or KiB when whole. */
export function bytesText(n: number): string {
  if (n >= 2 ** 20 && n % 2 ** 20 === 0) return `${n / 2 ** 20} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * Reads a file the user named (a trace, a log, a shard report, a key file)
 * as UTF-8 text. Every command reads user files through this one function:
 *
 * - only a regular file (after symlinks) is read. A folder, a FIFO, a device
 *   (`/dev/zero`, `/dev/null`) or a socket is refused without being opened
 *   for reading, so that a FIFO with no writer cannot block the process; the
 *   file is opened with O_NONBLOCK and checked again through its descriptor,
 *   in case it was swapped in between;
 * - at most `maxBytes` bytes are read: the bound holds for the bytes actually
 *   read, not for the size `stat` reports (a file that grows while it is read
 *   is still cut off).
 *
 * `name` says what the file is for, as messages name it (`trace file`,
 * `TSIG key file`). Throws InputFileError with a one-line message.
 */
export function readInputFile(file: string, o: { readonly name: string; readonly maxBytes: number }): string {
  const bytes = readInputBytes(file, o);
  try {
    return bytes.toString('utf8');
  } catch {
    throw new InputFileError(`${o.name} ${file} is too large to read as text`);
  }
}

/** {@link readInputFile}'s bytes, for a reader that decodes them itself (e.g. refusing bytes that are not UTF-8). */
export function readInputBytes(file: string, o: { readonly name: string; readonly maxBytes: number }): Buffer {
  const cannot = (e: unknown): InputFileError =>
    new InputFileError(`cannot read ${o.name} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  const notRegular = (st: Stats): InputFileError => new InputFileError(`${o.name} ${file} is ${kindOf(st)}, not a regular file`);
  const tooLarge = (): InputFileError => new InputFileError(`${o.name} ${file} is larger than ${bytesText(o.maxBytes)}`);
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    throw cannot(e);
  }
  if (!st.isFile()) throw notRegular(st);
  if (st.size > o.maxBytes) throw tooLarge();
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw cannot(e);
  }
  try {
    const now = fstatSync(fd);
    if (!now.isFile()) throw notRegular(now);
    // One byte more than the bound: reading it shows the file is over.
    let buf = Buffer.allocUnsafe(Math.min(now.size, o.maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > o.maxBytes) throw tooLarge();
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, o.maxBytes + 1));
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buf, length, buf.length - length, null);
      } catch (e) {
        throw cannot(e);
      }
      if (n === 0) break;
      length += n;
    }
    if (length > o.maxBytes) throw tooLarge();
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
