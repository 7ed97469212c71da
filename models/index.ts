/**
 * The built-in model packages, by name: what `--model NAME` selects without
 * loading a file, and what a trace of a built-in model is read with. The
 * first is the default (`dns`). This is the only place outside a model's own
 * folder that names models.
 */
import type { ModelPackage } from '../checker/package/package.js';
import { dnsPackage } from './dns/package.js';
import { counterPackage, lockMutexPackage, naiveMutexPackage, tcommitPackage, twoPhasePackage } from './toys/packages.js';

/** A built-in package and where worker threads import it from (`module` exports it as `export`). */
export interface BuiltinPackage {
  readonly pkg: ModelPackage;
  readonly module: string;
  readonly export: string;
}

// Run from sources (vitest, tsx) the modules are .ts files; compiled, .js.
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const dnsUrl = new URL(`./dns/package${ext}`, import.meta.url).href;
const toysUrl = new URL(`./toys/packages${ext}`, import.meta.url).href;

/** Every built-in package, the default first. */
export const BUILTIN_PACKAGES: readonly BuiltinPackage[] = [
  { pkg: dnsPackage, module: dnsUrl, export: 'dnsPackage' },
  { pkg: counterPackage, module: toysUrl, export: 'counterPackage' },
  { pkg: lockMutexPackage, module: toysUrl, export: 'lockMutexPackage' },
  { pkg: naiveMutexPackage, module: toysUrl, export: 'naiveMutexPackage' },
  { pkg: tcommitPackage, module: toysUrl, export: 'tcommitPackage' },
  { pkg: twoPhasePackage, module: toysUrl, export: 'twoPhasePackage' },
];

/** The package dnsmc uses when no `--model` is given. */
export const DEFAULT_PACKAGE: BuiltinPackage = BUILTIN_PACKAGES[0];

/** The built-in package of that name, or undefined. */
export function builtinPackage(name: string): BuiltinPackage | undefined {
  return BUILTIN_PACKAGES.find((b) => b.pkg.name === name);
}
