/**
 * Rebuilding a model from its origin, as worker threads do: a function
 * export or a model package, from TypeScript or compiled JavaScript.
 */
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { check } from '../../../checker/explore/bfs.js';
import { ModelError } from '../../../checker/model/model.js';
import { isTypeScript, modelFromOrigin, tsxApiUrl, typeScriptLoader } from '../../../checker/model/origin.js';

const fixture = new URL('../fixtures/packages.ts', import.meta.url).href;
const counter = new URL('../../../models/toys/counter.ts', import.meta.url).href;

describe('model origins', () => {
  it('a function export is called with the arguments', async () => {
    const m = await modelFromOrigin({ module: counter, export: 'counterModel', args: [7, null] });
    expect([m.name, check(m).distinctStates]).toEqual(['counter', 8]);
  });

  it('a model package export gets its createModel called with the first argument', async () => {
    const m = await modelFromOrigin({ module: fixture, export: 'mutexPackage', args: [{ n: 3 }] });
    expect([m.name, m.params, check(m).distinctStates]).toEqual(['lock-mutex', { n: 3 }, 20]);
  });

  it('an export that is neither is refused, naming it', async () => {
    await expect(modelFromOrigin({ module: counter, export: 'nothing', args: [] })).rejects.toThrow(ModelError);
    await expect(modelFromOrigin({ module: counter, export: 'nothing', args: [] })).rejects.toThrow(/exports no function or model package nothing/);
  });

  it('tells TypeScript modules apart', () => {
    expect([fixture, counter, 'file:///a/b.mts', 'file:///a/b.js', 'file:///a/b.mjs'].map(isTypeScript)).toEqual([true, true, true, false, false]);
  });

  it('the compiled engine imports a TypeScript origin through tsx', async () => {
    // `npm test` compiles to dist/ first; the compiled origin.js has no TypeScript loader of its own.
    const compiled = pathToFileURL(new URL('../../../dist/checker/model/origin.js', import.meta.url).pathname).href;
    const { modelFromOrigin: fromDist, fromSource } = (await import(compiled)) as typeof import('../../../checker/model/origin.js');
    expect(fromSource).toBe(false);
    const m = await fromDist({ module: fixture, export: 'mutexPackage', args: [{ n: 2 }] });
    expect(check(m).distinctStates).toBe(8);
  });

  it('TypeScript goes through tsx where it is installed, else through Node.js where it strips types, else one message naming what to install', () => {
    // tsx is a devDependency here, an optional peer for users (package.json).
    expect(tsxApiUrl()).toMatch(/^file:.*tsx/);
    expect(typeScriptLoader('file:///t/api.mjs', false)).toEqual({ tsx: 'file:///t/api.mjs' });
    expect(typeScriptLoader('file:///t/api.mjs', true)).toEqual({ tsx: 'file:///t/api.mjs' });
    expect(typeScriptLoader(undefined, true)).toEqual({ node: true });
    const missing = typeScriptLoader(undefined, false);
    expect(missing).toEqual({
      missing: expect.stringMatching(
        /^importing a TypeScript module needs tsx on Node\.js [\d.]+ \(npm install --save-dev tsx\), or Node\.js 22\.18 or later, which strips types itself$/,
      ),
    });
  });
});
