/**
 * A module package's declarations are checked once, when it is loaded: a
 * parameter may not take the name of a flag of dnsmc's own commands, which
 * the command line lists from its yargs builders (so every command's flag
 * counts, `export --step` and `reenact --tsig-key` included).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandFlags } from '../../bin/cli.js';
import { run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-model-'));
const DIST = resolve('dist/index.js');

/** A module package with one int parameter named `name`. */
function packageWith(name: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    `import { defineLayout, int } from '${DIST}';
export const modelPackage = {
  name: 'p', description: 'a package', params: [{ name: '${name}', type: 'int', min: 0, max: 3, default: 1, help: 'a parameter' }],
  createModel: () => ({ name: 'p', params: {}, layout: defineLayout({ n: int(0, 1) }), roles: { r: 1 }, init: [{ n: 0 }],
    actions: [{ name: 'go', role: 'r', guard: (s) => s.n === 0, effect: (s) => { s.n = 1; } }], invariants: [], stepInvariants: [], terminalOk: () => true }),
};\n`,
  );
  return file;
}

describe('parameter names that are flags of the commands', () => {
  it('the list holds every command flag, the ones only one command has included', () => {
    const flags = commandFlags();
    for (const f of ['step', 'format', 'compare', 'skew', 'duration', 'delay', 'fail-on-loss', 'trace-out', 'workers', 'quiet', 'progress', 'help'])
      expect(flags, f).toContain(f);
    // The dns model's own parameters are not command flags, nor are a system's (its adapter declares them).
    for (const f of ['variant', 'plans', 'enactors', 'server', 'tsig-key']) expect(flags, f).not.toContain(f);
  });

  it.each([
    ['step', '--step'],
    ['compare', '--compare'],
    ['skew', '--skew'],
    ['quiet', '--quiet'],
  ])('a parameter named %s is refused: one line naming it, exit 2', async (name, flag) => {
    const r = await run(['check', '--model', packageWith(name)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`dnsmc: --model ${packageWith(name)}: params[0] (${name}): ${flag} is a flag of dnsmc's commands; name the parameter otherwise\n`);
  });

  it('a parameter with a name of its own is taken', async () => {
    const r = await run(['check', '--quiet', '--model', packageWith('rounds'), '--rounds', '2']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});
