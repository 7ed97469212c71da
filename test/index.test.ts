/**
 * The package's API and its documentation say the same: every name index.ts
 * exports is documented in docs/library.md, every name docs/library.md's
 * table of exports lists is exported, and no other document calls a
 * function exported that is not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../index.js';
import { ROOT } from './support/cli.js';

/** The names index.ts exports, types included (read from its source: types leave no runtime trace). */
function exportedNames(): string[] {
  const src = readFileSync(join(ROOT, 'index.ts'), 'utf8');
  const names: string[] = [];
  for (const m of src.matchAll(/export (?:type )?\{([^}]*)\}/g))
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) names.push(name);
    }
  return names;
}

/** The table of exports in docs/library.md: the backticked names of its first column. */
function documentedNames(doc: string): string[] {
  const start = doc.indexOf('| export ');
  const table = doc.slice(start, doc.indexOf('\n\n', start));
  const names: string[] = [];
  for (const row of table.split('\n').slice(2)) {
    const first = row.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)/g)) names.push(m[1]);
  }
  return names;
}

describe('the package API and docs/library.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');

  it('every name index.ts exports is in the table of exports', () => {
    const documented = new Set(documentedNames(doc));
    const missing = exportedNames().filter((n) => !documented.has(n));
    expect(missing).toEqual([]);
  });

  it('every name the table lists is exported (values at run time, types in the source)', () => {
    const exported = new Set(exportedNames());
    const runtime = new Set(Object.keys(api));
    expect(documentedNames(doc).filter((n) => !exported.has(n))).toEqual([]);
    // What index.ts names as a value is there at run time.
    for (const n of Object.keys(api)) expect(exported.has(n), n).toBe(true);
    expect(runtime.has('check')).toBe(true);
  });

  it('no other document calls a function exported from the package that is not', () => {
    const exported = new Set(exportedNames());
    const claims: string[] = [];
    for (const f of readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && f !== 'library.md')) {
      const text = readFileSync(join(ROOT, 'docs', f), 'utf8');
      for (const para of text.split(/\n\s*\n/)) {
        if (!/exported from the package|exported by the package|the package exports/i.test(para)) continue;
        for (const m of para.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)\(/g)) if (!exported.has(m[1])) claims.push(`${f}: ${m[1]}`);
      }
    }
    expect(claims).toEqual([]);
  });
});
