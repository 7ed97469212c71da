/**
 * The files dnsmc writes and reads (traces/io.ts):
 *
 * - atomic writes under signals: a SIGINT that arrives while a large file is
 *   being written is held until the write is done, so the file is whole and
 *   no temporary file is left beside it;
 * - a target that is not a regular file (a FIFO, a device) is written in
 *   place, never replaced; only FIFOs and device nodes made here, in the
 *   tests' temporary folder, are written to (never the system's /dev);
 * - the temporary file has an unpredictable name and is created exclusively,
 *   so a symlink planted beside the target is never followed;
 * - reading: only regular files, and never more bytes than the bound.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputFileError, readInputFile, writeFileAtomic } from '../../traces/io.js';
import { ROOT } from '../support/cli.js';
import { charDevice } from '../support/devices.js';

// randomBytes as the real one, unless a test asks for given bytes (to know the temporary file's first candidate name).
const planned: Buffer[] = [];
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, randomBytes: (n: number) => planned.shift() ?? real.randomBytes(n) };
});

afterEach(() => {
  planned.length = 0;
  vi.restoreAllMocks();
});

const fresh = (): string => mkdtempSync(join(tmpdir(), 'dnsmc-io-'));

/** Makes a FIFO; opens its read end without blocking (a reader is then present). */
function fifoWithReader(path: string): number {
  execFileSync('mkfifo', [path]);
  return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

/** What is waiting in a FIFO's pipe, read without blocking. */
function drain(fd: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65_536);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

describe('writeFileAtomic', () => {
  it('a SIGINT during the write: the file is whole, no temporary file is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-io-'));
    const target = join(dir, 'big.json');
    const size = 200 * 2 ** 20;
    // A child that announces the write, then writes 200 MiB synchronously through writeFileAtomic.
    const script = `
      import { writeFileAtomic } from ${JSON.stringify(join(ROOT, 'dist', 'traces', 'io.js'))};
      const data = 'x'.repeat(${size});
      process.stdout.write('writing\\n');
      writeFileAtomic(${JSON.stringify(target)}, data);
      process.stdout.write('written\\n');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let out = '';
    let sentMidWrite = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out !== 'writing\n') return;
        // Send the signal once the temporary file exists: the write is then under way.
        const poll = setInterval(() => {
          if (readdirSync(dir).some((f) => f.endsWith('.tmp'))) {
            clearInterval(poll);
            sentMidWrite = true;
            child.kill('SIGINT');
          }
        }, 1);
        child.on('exit', () => clearInterval(poll));
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(sentMidWrite).toBe(true);
    expect(out).toBe('writing\nwritten\n');
    expect(code).toBe(0);
    expect(statSync(target).size).toBe(size);
    expect(readdirSync(dir)).toEqual(['big.json']);
  });
});

describe('writeFileAtomic: a target that is not a regular file is written in place', () => {
  it('a FIFO with a reader gets the data and stays a FIFO', () => {
    const dir = fresh();
    const fifo = join(dir, 'out.fifo');
    const fd = fifoWithReader(fifo);
    try {
      writeFileAtomic(fifo, 'hello\n');
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(drain(fd)).toBe('hello\n');
      expect(readdirSync(dir)).toEqual(['out.fifo']);
    } finally {
      closeSync(fd);
    }
  });

  it('a symlink to a FIFO: the data goes to the FIFO, the link stays a link', () => {
    const dir = fresh();
    const fifo = join(dir, 'out.fifo');
    const link = join(dir, 'link.json');
    const fd = fifoWithReader(fifo);
    symlinkSync(fifo, link);
    try {
      writeFileAtomic(link, '{}\n');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(drain(fd)).toBe('{}\n');
    } finally {
      closeSync(fd);
    }
  });

  it('a FIFO that no process reads: ENXIO at once, not a wait, and the FIFO stays', () => {
    const dir = fresh();
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => writeFileAtomic(fifo, 'x')).toThrow(expect.objectContaining({ code: 'ENXIO' }));
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['out.fifo']);
  });

  it('a character device (a null device made here) is written to and stays a device', (ctx) => {
    const dev = join(fresh(), 'null');
    if (!charDevice(dev, 3)) return ctx.skip();
    writeFileAtomic(dev, 'x'.repeat(100_000));
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });

  it('a full device (made here) fails with ENOSPC and stays a device', (ctx) => {
    const dev = join(fresh(), 'full');
    if (!charDevice(dev, 7)) return ctx.skip();
    expect(() => writeFileAtomic(dev, 'x')).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });
});

describe('writeFileAtomic: the temporary file', () => {
  it('a symlink planted at a name it might pick (the old PID.MS name, its first random candidate) is never followed', () => {
    const dir = fresh();
    const target = join(dir, 'out.json');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    // The name the temporary file once had: .NAME.PID.MS.tmp (Date.now fixed so that it is known).
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    symlinkSync(victim, join(dir, `.out.json.${process.pid}.1700000000000.tmp`));
    // The first candidate the random name gives when randomBytes returns these bytes.
    const bytes = Buffer.alloc(16, 0xab);
    planned.push(bytes, bytes);
    symlinkSync(victim, join(dir, `.out.json.${bytes.toString('hex')}.tmp`));
    writeFileAtomic(target, 'new\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(target).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    // Only the planted links remain beside the output: nothing of its own.
    expect(readdirSync(dir).filter((f) => !lstatSync(join(dir, f)).isSymbolicLink())).toEqual(['out.json', 'victim.txt'].sort());
  });

  it('two writes leave no temporary file, and the names are not derived from the process and the clock', () => {
    const dir = fresh();
    const target = join(dir, 'out.json');
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    writeFileAtomic(target, 'one\n');
    writeFileAtomic(target, 'two\n');
    expect(readFileSync(target, 'utf8')).toBe('two\n');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });
});

describe('readInputFile', () => {
  const read = (file: string, maxBytes = 1024): string => readInputFile(file, { name: 'trace file', maxBytes });

  it('reads a regular file, through a symlink too', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.json'), 'é{}\n');
    symlinkSync(join(dir, 'a.json'), join(dir, 'link'));
    expect(read(join(dir, 'a.json'))).toBe('é{}\n');
    expect(read(join(dir, 'link'))).toBe('é{}\n');
  });

  it('bounds the bytes read: a file one byte over is refused, one at the bound is read', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'at'), 'x'.repeat(1024));
    writeFileSync(join(dir, 'over'), 'x'.repeat(1025));
    expect(read(join(dir, 'at'))).toHaveLength(1024);
    expect(() => read(join(dir, 'over'))).toThrow(new InputFileError(`trace file ${join(dir, 'over')} is larger than 1 KiB`));
  });

  it.each([
    [
      'a folder',
      (d: string) => {
        mkdirSync(join(d, 'sub'));
        return join(d, 'sub');
      },
      'a folder',
    ],
    [
      'a FIFO with no writer (not opened: no wait)',
      (d: string) => {
        execFileSync('mkfifo', [join(d, 'p')]);
        return join(d, 'p');
      },
      'a FIFO',
    ],
    [
      'a symlink to a FIFO',
      (d: string) => {
        execFileSync('mkfifo', [join(d, 'p')]);
        symlinkSync(join(d, 'p'), join(d, 'l'));
        return join(d, 'l');
      },
      'a FIFO',
    ],
    ['/dev/zero', () => '/dev/zero', 'a character device'],
    ['/dev/urandom', () => '/dev/urandom', 'a character device'],
    ['/dev/null', () => '/dev/null', 'a character device'],
  ])('refuses %s without reading it', (_, make, kind) => {
    const file = make(fresh());
    expect(() => read(file)).toThrow(new InputFileError(`trace file ${file} is ${kind}, not a regular file`));
  });

  it('a missing file: the error code', () => {
    const file = join(fresh(), 'nope.json');
    expect(() => read(file)).toThrow(new InputFileError(`cannot read trace file ${file}: ENOENT`));
  });
});
