/**
 * The architecture as rules the sources must keep: no import cycle (types
 * included), nothing outside models/ imports a model but the registry's one
 * reader and the public API, checker/ and traces/ name no model, and no file
 * points outside the repository.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCES = ['app', 'bin', 'checker', 'models', 'systems', 'traces', 'bench'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const sources = [...SOURCES.flatMap((d) => files(join(ROOT, d))), join(ROOT, 'index.ts'), join(ROOT, 'cli.ts')].map((f) => relative(ROOT, f));

/** The relative specifiers a source's text imports: static imports and re-exports (`import type` included), and dynamic `import()`. */
function specifiersOf(text: string): string[] {
  return [
    ...[...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1]),
    ...[...text.matchAll(/\bimport\s*\(\s*['"`](\.{1,2}\/[^'"`]+)['"`]\s*\)/g)].map((m) => m[1]),
  ];
}

/** The project files a source imports (static, `import type` and dynamic `import()` alike). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const spec of specifiersOf(text)) {
    const target = relative(ROOT, resolve(dirname(join(ROOT, file)), spec)).replace(/\.js$/, '.ts');
    if (sources.includes(target)) out.push(target);
    else if (sources.includes(target.replace(/\.ts$/, '.js'))) out.push(target.replace(/\.ts$/, '.js'));
  }
  return out;
}

const graph = new Map(sources.map((f) => [f, importsOf(f)]));

/** The rooms of checker/, bottom up, and the rooms each may import (docs/architecture.md). */
const ROOMS: Record<string, string[]> = {
  state: [],
  model: ['state'],
  package: ['state', 'model'],
  explore: ['state', 'model'],
  liveness: ['state', 'model', 'explore'],
  random: ['state', 'model', 'explore'],
  runs: ['state', 'model', 'explore', 'package'],
  risk: ['state', 'model', 'explore', 'package', 'random'],
};

/** The top folders above checker/ and the folders each may import (docs/architecture.md). */
const FOLDERS: Record<string, string[]> = {
  traces: ['checker'],
  models: ['checker', 'systems', 'traces'],
  systems: ['checker', 'traces'],
  app: ['checker', 'traces', 'models'],
  bin: ['app', 'checker', 'traces'],
};

describe('the architecture', () => {
  it('reads the sources it rules on', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get('app/check.ts')).toContain('app/liveness.ts');
  });

  it('has no import cycle, types included', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('nothing outside models/ imports a model, but the registry’s reader (app/model.ts), the public API and the dns benchmark', () => {
    const importers = [...graph].filter(([f, to]) => !f.startsWith('models/') && to.some((t) => t.startsWith('models/'))).map(([f]) => f);
    expect(importers.sort()).toEqual(['app/model.ts', 'bench/checked-dns.ts', 'bench/run.ts', 'bench/promela.ts', 'bench/reenact.ts', 'index.ts'].sort());
    expect(graph.get('app/model.ts')!.filter((t) => t.startsWith('models/'))).toEqual(['models/index.ts']);
  });

  it('reads dynamic import() too', () => {
    expect(specifiersOf("const m = await import('../systems/dns/storm.js');")).toEqual(['../systems/dns/storm.js']);
    expect(specifiersOf("import type { X } from './x.js';\nexport { y } from '../y.js';")).toEqual(['./x.js', '../y.js']);
    // The dns package loads its system lazily: that dynamic import is an edge of the graph.
    expect(graph.get('models/dns/package.ts')).toContain('systems/dns/adapter.ts');
  });

  it('app/ imports nothing from systems/: the real system is reached through the package’s adapter', () => {
    const offenders = [...graph].filter(([f, to]) => f.startsWith('app/') && to.some((t) => t.startsWith('systems/'))).map(([f]) => f);
    expect(offenders).toEqual([]);
  });

  it('app/ and bin/ name no part of the dns system: no "enactor", "tsig" or "BIND" (any case) in their sources', () => {
    const found: string[] = [];
    for (const f of sources.filter((s) => s.startsWith('app/') || s.startsWith('bin/'))) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/enactor|tsig|\bbind\b/gi)) found.push(`${f}: ${m[0]}`);
    }
    expect(found).toEqual([]);
  });

  it('checker/ is in rooms, each importing only itself and the rooms docs/architecture.md lets it', () => {
    const inChecker = sources.filter((f) => f.startsWith('checker/'));
    expect(inChecker.filter((f) => f.split('/').length !== 3 || !(f.split('/')[1] in ROOMS))).toEqual([]);
    const bad: string[] = [];
    for (const f of inChecker) {
      const room = f.split('/')[1];
      for (const t of graph.get(f) ?? []) {
        const to = t.startsWith('checker/') ? t.split('/')[1] : t;
        if (to !== room && !ROOMS[room].includes(to)) bad.push(`${f} -> ${t}`);
      }
    }
    expect(bad).toEqual([]);
    // Every room is used: the rules rule on real code.
    for (const room of Object.keys(ROOMS))
      expect(
        inChecker.some((f) => f.startsWith(`checker/${room}/`)),
        room,
      ).toBe(true);
  });

  it('each top folder imports only the folders docs/architecture.md lets it', () => {
    const bad: string[] = [];
    for (const [f, to] of graph) {
      const from = f.split('/')[0];
      if (!(from in FOLDERS)) continue;
      for (const t of to) {
        const folder = t.split('/')[0];
        if (folder !== from && !FOLDERS[from].includes(folder)) bad.push(`${f} -> ${t}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('docs/architecture.md states the rules this test holds', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const table = (head: string): Record<string, string[]> => {
      const start = doc.indexOf(head);
      expect(start, head).toBeGreaterThan(-1);
      const rows = doc
        .slice(start)
        .split('\n\n')[0]
        .split('\n')
        .slice(2)
        .filter((r) => r.startsWith('|'));
      return Object.fromEntries(
        rows.map((r) => {
          const cells = r.split('|').map((c) => c.trim());
          const name = cells[1].replace(/[`/]/g, '');
          const may = cells[cells.length - 2];
          return [name, may === 'nothing' ? [] : [...may.matchAll(/`([a-z]+)\/?`/g)].map((m) => m[1])];
        }),
      );
    };
    expect(table('| room |')).toEqual(ROOMS);
    expect(table('| folder |')).toEqual({ checker: [], ...FOLDERS });
  });

  it('one kernel: nothing but the kernel and the expansion compiled from it calls a guard or an effect', () => {
    const calls = sources
      .filter((f) => f !== 'checker/model/kernel.ts' && f !== 'checker/explore/expand.ts')
      .flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\.(guard|effect)\(/g)].map((m) => `${f}: ${m[0]}`));
    expect(calls).toEqual([]);
  });

  it('checker/ and traces/ name no model', () => {
    for (const f of sources.filter((s) => s.startsWith('checker/') || s.startsWith('traces/'))) {
      expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/\bdnsModel\b|models\/dns|'dns'|Route 53/);
    }
  });

  it('no file points at ../shared', () => {
    const all = [
      ...sources,
      ...files(join(ROOT, 'test'))
        .map((f) => relative(ROOT, f))
        .filter((f) => f !== 'test/architecture.test.ts'),
      ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`),
      'README.md',
      'models/dns/README.md',
    ];
    for (const f of all) expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toContain('../shared');
  });
});
