/**
 * What the npm package holds and asks of its users: the tarball's files (the
 * docs the README links to, the licence), and no install script in what a
 * user's `npm install dnsmc` or the project's own `npm ci` runs unasked.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('the npm package', () => {
  it('npm pack holds docs/*.md, which the README links to, and the MIT LICENSE', () => {
    // --ignore-scripts: the listing needs no build (prepare), and the test no network.
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = new Set((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
    const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    expect(docs.length).toBeGreaterThan(5);
    for (const d of docs) expect(files, `docs/${d}`).toContain(`docs/${d}`);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    const licence = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(manifest.license).toBe('MIT');
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the dnsmc authors\n/);
    expect(licence).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('installs no package with an install script at run time; the one the developers install (esbuild, through tsx) is settled by allowScripts', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }>;
    };
    const scripted = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript);
    expect(scripted.map(([path]) => path)).toEqual(['node_modules/esbuild']);
    // Only developers get it: a user's `npm install dnsmc` does not.
    for (const [, p] of scripted) expect(p.dev).toBe(true);
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
    // A fresh `npm ci` of the project itself neither runs it nor warns that it is not allowed (npm 11's allowScripts policy).
    const names = scripted.map(([path]) => path.replace(/^.*node_modules\//, ''));
    for (const n of names) expect(manifest.allowScripts?.[n], `allowScripts.${n}`).toBe(false);
    // Users on a Node that cannot strip types install tsx themselves to load .ts models: it is an optional peer.
    expect(manifest.peerDependencies?.tsx).toBe(manifest.devDependencies.tsx);
    expect(manifest.peerDependenciesMeta?.tsx).toEqual({ optional: true });
  });
});
