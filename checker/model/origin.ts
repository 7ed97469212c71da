/**
 * Rebuilding a model from its origin (`model.origin`), as a worker thread
 * does: import the module and call its export. The export is either a
 * function, called with `args`, or a model package (an object with
 * `createModel`, see package.ts), whose `createModel` gets `args[0]` (the
 * resolved parameters). A TypeScript module (a user's `--model model.ts`) is
 * imported through tsx when it is installed (an optional peer dependency:
 * developers of dnsmc have it, users on Node.js 20 install it), else by
 * Node.js itself where it strips types (22.18 and later, 23.6 and later).
 */
import type { Model, ModelOrigin } from './model.js';
import { ModelError } from './model.js';

/** Whether a module URL names TypeScript source, which Node.js cannot import by itself. */
export function isTypeScript(url: string): boolean {
  return /\.(?:[cm]?ts|tsx)$/.test(new URL(url).pathname);
}

/** Whether this engine runs from its TypeScript sources (under tsx or vitest) rather than compiled. */
export const fromSource = isTypeScript(import.meta.url);

/** The URL of tsx's ESM API where tsx is installed, else undefined. */
export function tsxApiUrl(): string | undefined {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return undefined;
  }
}

/** Whether this Node.js imports TypeScript by itself (`process.features.typescript`: 'strip' or 'transform'). */
export const nodeStripsTypes = (): boolean => Boolean((process.features as { typescript?: unknown }).typescript);

/**
 * How a TypeScript module is imported: through tsx where it is installed,
 * else by Node.js where it strips types; else the message that says what to
 * install.
 */
export function typeScriptLoader(tsx: string | undefined, strips: boolean): { tsx: string } | { node: true } | { missing: string } {
  if (tsx !== undefined) return { tsx };
  if (strips) return { node: true };
  return {
    missing: `importing a TypeScript module needs tsx on Node.js ${process.versions.node} (npm install --save-dev tsx), or Node.js 22.18 or later, which strips types itself`,
  };
}

/** Imports a TypeScript module (see typeScriptLoader); what is missing is a ModelError. */
export async function importTypeScript(url: string): Promise<Record<string, unknown>> {
  const how = typeScriptLoader(tsxApiUrl(), nodeStripsTypes());
  if ('missing' in how) throw new ModelError(how.missing);
  if ('node' in how) return (await import(url)) as Record<string, unknown>;
  const { tsImport } = (await import(how.tsx)) as typeof import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

/** Imports a module, as TypeScript (importTypeScript) when it is and this thread has no TypeScript loader of its own. */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (isTypeScript(url) && !fromSource) return importTypeScript(url);
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
