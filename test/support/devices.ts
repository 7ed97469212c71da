import { execFileSync } from 'node:child_process';

/**
 * Makes a character device node at `path` (major 1: minor 3 is a null
 * device, 7 a full one), for tests of writing to devices that never touch
 * the system's own /dev. False where mknod is not allowed (not root).
 */
export function charDevice(path: string, minor: number): boolean {
  try {
    execFileSync('mknod', [path, 'c', '1', String(minor)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
