/**
 * Atomic writes under signals: a SIGINT that arrives while a large file is
 * being written is held until the write is done, so the file is whole and
 * no temporary file is left beside it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

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
