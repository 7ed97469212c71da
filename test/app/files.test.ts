/**
 * The files commands write and read, end to end:
 *
 * - an output that is not a regular file (a FIFO, a device) is written in
 *   place and never replaced; a failed write is one line and exit 74. Only
 *   FIFOs and device nodes made here, in the tests' temporary folder, are
 *   written to: never the system's /dev.
 * - `storm --out` under /proc is refused before the storm starts (it hung).
 * - every command that reads a file the user names refuses what is not a
 *   regular file (a folder, a FIFO no process writes, /dev/zero,
 *   /dev/urandom, /dev/null, a symlink to a FIFO) with one line and exit 2,
 *   without reading it: a fast-check property over commands and kinds, run
 *   in this process, so a read that blocked or never ended would hang the
 *   test (the FIFO case is also run as a process, with a timeout).
 * - the TSIG key file is bounded at 64 KiB.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdirSync, mkdtempSync, openSync, readSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_KEY_FILE_BYTES, readKeyFile, TsigError } from '../../systems/dns/tsig.js';
import { run, spawnCli } from '../support/cli.js';
import { charDevice } from '../support/devices.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-files-'));
const trace = join(dir, 'race.json');

beforeAll(async () => {
  const r = await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', trace]);
  expect(r.code).toBe(1);
});

/** A FIFO in the tests' folder with its read end open (without blocking), so that a writer finds a reader. */
function fifoWithReader(path: string): number {
  execFileSync('mkfifo', [path]);
  return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

/** What waits in the FIFO's pipe. */
function drain(fd: number): string {
  const buf = Buffer.alloc(1 << 20);
  let length = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, length, buf.length - length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw e;
    }
    if (n === 0) break;
    length += n;
  }
  return buf.toString('utf8', 0, length);
}

describe('outputs that are not regular files', () => {
  it('export --out FIFO: the export goes to the FIFO, which stays a FIFO', async () => {
    const fifo = join(mkdtempSync(join(dir, 'out-')), 'export.fifo');
    const fd = fifoWithReader(fifo);
    try {
      const r = await run(['export', trace, '--format', 'mermaid', '--out', fifo]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(drain(fd)).toMatch(/^sequenceDiagram/);
    } finally {
      closeSync(fd);
    }
  });

  it('--trace-out to a FIFO that no process reads: one line, exit 74, the FIFO stays', async () => {
    const fifo = join(mkdtempSync(join(dir, 'out-')), 'trace.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', fifo]);
    expect(r.code).toBe(74);
    expect(r.stderr).toBe(`dnsmc: --trace-out: cannot write ${fifo}: ENXIO (a FIFO that no process is reading)\n`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('--trace-out to a null device (made here): written, and still a device', async (ctx) => {
    const dev = join(mkdtempSync(join(dir, 'out-')), 'null');
    if (!charDevice(dev, 3)) return ctx.skip();
    const r = await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', dev]);
    expect(r.code).toBe(1);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });

  it('export --out to a full device (made here): ENOSPC in one line, exit 74, still a device', async (ctx) => {
    const dev = join(mkdtempSync(join(dir, 'out-')), 'full');
    if (!charDevice(dev, 7)) return ctx.skip();
    const r = await run(['export', trace, '--format', 'mermaid', '--out', dev]);
    expect(r).toEqual({ code: 74, stdout: '', stderr: `dnsmc: --out: cannot write ${dev}: ENOSPC\n` });
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });
});

describe('storm --out', () => {
  it('a folder under /proc: refused with one line before the storm starts (it hung)', () => {
    // A process, with a timeout: before the fix the folder was made with a recursive mkdir that never returns.
    const r = spawnCli(['storm', '--duration', '1', '--out', '/proc/dnsmc-x/y']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dnsmc: --out \/proc\/dnsmc-x\/y: cannot create the folder \/proc\/dnsmc-x \(ENOENT\)\n$/);
  });

  it('a path through a file: refused, naming the file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const r = await run(['storm', '--duration', '1', '--out', join(file, 'logs')]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `dnsmc: --out ${join(file, 'logs')}: ${file} is not a folder\n` });
  });
});

describe('the TSIG key file', () => {
  const key = 'key "ddb" {\n  algorithm hmac-sha256;\n  secret "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";\n};\n';

  it(`is read up to ${MAX_KEY_FILE_BYTES} bytes and refused beyond, in one line naming the bound`, () => {
    const small = join(dir, 'small.key');
    const big = join(dir, 'big.key');
    writeFileSync(small, key);
    // A valid key followed by a long comment: read whole before the bound, it was accepted.
    writeFileSync(big, `${key}# ${'x'.repeat(MAX_KEY_FILE_BYTES)}\n`);
    expect(readKeyFile(small).name).toBe('ddb.');
    expect(() => readKeyFile(big)).toThrow(new TsigError(`TSIG key file ${big} is larger than 64 KiB`));
  });
});

/** The kinds of non-regular file, each made fresh in `at`. */
const KINDS: Record<string, (at: string) => string> = {
  folder: (at) => {
    mkdirSync(join(at, 'folder.json'));
    return join(at, 'folder.json');
  },
  'FIFO with no writer': (at) => {
    execFileSync('mkfifo', [join(at, 'pipe.json')]);
    return join(at, 'pipe.json');
  },
  '/dev/zero': () => '/dev/zero',
  '/dev/urandom': () => '/dev/urandom',
  '/dev/null': () => '/dev/null',
  'symlink to a FIFO': (at) => {
    execFileSync('mkfifo', [join(at, 'pipe')]);
    symlinkSync(join(at, 'pipe'), join(at, 'link.json'));
    return join(at, 'link.json');
  },
};

/**
 * Each command that reads a file the user names, with the file in its place,
 * and how its message names it; `folderIsInput` when a folder is what it
 * reads there (a storm's log folder), so that kind is left out for it.
 */
const COMMANDS: Record<string, { args: (file: string) => string[]; says: (file: string) => string; folderIsInput?: true }> = {
  view: { args: (f) => ['view', f, '--out', join(dir, 'v.html')], says: (f) => `trace file ${f} is` },
  'view --compare': { args: (f) => ['view', trace, '--compare', f, '--out', join(dir, 'v.html')], says: (f) => `trace file ${f} is` },
  export: { args: (f) => ['export', f, '--format', 'markdown'], says: (f) => `trace file ${f} is` },
  replay: { args: (f) => ['replay', f], says: (f) => `trace file ${f} is` },
  explain: { args: (f) => ['explain', f], says: (f) => `trace file ${f} is` },
  reenact: { args: (f) => ['reenact', f], says: (f) => `trace file ${f} is` },
  'reenact --tsig-key': {
    args: (f) => ['reenact', trace, '--server', '127.0.0.1:9', '--endpoints', '1', '--tsig-key', f],
    says: (f) => `TSIG key file ${f} is`,
  },
  merge: { args: (f) => ['merge', f], says: (f) => `merge: file ${f} is` },
  conform: { args: (f) => ['conform', f], says: (f) => `log file ${f} is` },
  'check --model': { args: (f) => ['check', '--model', f], says: (f) => `--model: ${f} is not a file` },
  'risk --timing': { args: (f) => ['risk', '--timing', f, '--horizon', '0.1'], says: (f) => `timing file ${f} is` },
  'risk --calibrate': {
    args: (f) => ['risk', '--calibrate', f, '--out', join(dir, 'profile.json')],
    says: (f) => `log file ${f} is`,
    folderIsInput: true,
  },
};

describe('every file a command reads: only a regular file (fast-check over commands and kinds)', () => {
  it('a folder, a FIFO, /dev/zero, /dev/urandom, /dev/null, a symlink to a FIFO: one line, exit 2, never read', async () => {
    const commands = Object.keys(COMMANDS);
    const kinds = Object.keys(KINDS);
    // Every pair once as an example, then random ones (a fresh file each time).
    const applies = (c: string, k: string): boolean => !(COMMANDS[c].folderIsInput && k === 'folder');
    const examples = commands.flatMap((c) => kinds.filter((k) => applies(c, k)).map((k) => [c, k] as [string, string]));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...commands), fc.constantFrom(...kinds), async (command, kind) => {
        fc.pre(applies(command, kind));
        const file = KINDS[kind](mkdtempSync(join(dir, 'in-')));
        const r = await run(COMMANDS[command].args(file));
        expect(r.code, `${command} on ${kind}`).toBe(2);
        expect(r.stdout).toBe('');
        const lines = r.stderr.split('\n').filter((l) => l !== '');
        expect(lines, `${command} on ${kind}`).toHaveLength(1);
        expect(lines[0]).toContain(COMMANDS[command].says(file));
        if (command !== 'check --model') expect(lines[0]).toMatch(/is (a folder|a FIFO|a character device), not a regular file$/);
      }),
      { examples, numRuns: examples.length + 20 },
    );
  });

  it('as a process: `view` on a FIFO with no writer ends at once with exit 2 (it blocked forever)', () => {
    const fifo = join(mkdtempSync(join(dir, 'in-')), 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    // spawnCli's timeout kills a run that blocks: the exit code is then null, not 2.
    const r = spawnCli(['view', fifo, '--out', join(dir, 'p.html')]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `dnsmc: trace file ${fifo} is a FIFO, not a regular file\n` });
  });
});
