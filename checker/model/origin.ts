/**
 * Rebuilding a model from its origin (`model.origin`), as a worker thread
 * does: import the module and call its export. The export is either a
 * function, called with `args`, or a model package (an object with
 * `createModel`, see package.ts), whose `createModel` gets `args[0]` (the
 * resolved parameters). A TypeScript module (a user's `--model model.ts`) is
 * imported through tsx.
 */
import type { Model, ModelOrigin } from './model.js';
import { ModelError } from './model.js';

/** Whether a module URL names TypeScript source, which Node.js cannot import by itself. */
export function isTypeScript(url: string): boolean {
  return /\.(?:[cm]?ts|tsx)$/.test(new URL(url).pathname);
}

/** Whether this engine runs from its TypeScript sources (under tsx or vitest) rather than compiled. */
export const fromSource = isTypeScript(import.meta.url);

/** Imports a module, through tsx when it is TypeScript and this thread has no TypeScript loader of its own. */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (isTypeScript(url) && !fromSource) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** The model an origin describes. Throws ModelError when the module does not export what the origin says. */
export async function modelFromOrigin(origin: ModelOrigin): Promise<Model> {
  const mod = await importModule(origin.module);
  const made = mod[origin.export];
  if (typeof made === 'function') return made(...origin.args) as Model;
  if (typeof made === 'object' && made !== null && typeof (made as { createModel?: unknown }).createModel === 'function') {
    return (made as { createModel(params: unknown): Model }).createModel(origin.args[0] ?? {});
  }
  throw new ModelError(`${origin.module} exports no function or model package ${origin.export}`);
}
