/**
 * Files the tool writes are written atomically: to a temporary file in the
 * same directory, then renamed over the target, so an interrupted run leaves
 * either the old file or the new one, never half of one. While the file is
 * written, SIGINT and SIGTERM are held (a listener is installed, so the
 * process is not killed part-way; the write is synchronous, so the listener
 * never runs before it ends): no temporary file is left behind by them. A
 * signal that arrived in those few milliseconds is then dropped, and the
 * command ends as it would have. (SIGKILL cannot be held.)
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const hold = (): void => undefined;
const HELD = ['SIGINT', 'SIGTERM'] as const;

export function writeFileAtomic(path: string, data: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd = -1;
  for (const s of HELD) process.on(s, hold);
  try {
    fd = openSync(tmp, 'w', 0o644);
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    for (const s of HELD) process.off(s, hold);
  }
}
