/** The flags that select and parameterise the model: `--model`, and the parameters its package declares. */
import type { Argv } from 'yargs';
import { describeParam } from '../../checker/package/params.js';
import { systemFlags, type SystemCommand } from '../../checker/package/system.js';
import type { ModelPackage } from '../../checker/package/package.js';
import { BUILTIN_NAMES, paramFlag, scenarioParamSpecs } from '../../app/model.js';
import { kebab } from '../../app/errors.js';
import { slowFlag } from '../../app/command-defaults.js';

/**
 * A flag whose value is a number, shown as [number] by `--help`. The value
 * still reaches the command as typed: a `number` type alone would turn "abc"
 * into NaN and "0x10" into 16 before the command could check it and name
 * what was typed. (yargs keeps a value declared a string as it is, and
 * `--help` shows the type it lists last, the number.)
 */
export function numberOption(describe: string) {
  return { type: 'string', number: true, describe } as const;
}

/** `--model` and one flag per parameter of `pkg` (values are checked by the command, which names the flag). */
export function modelOptions<T>(y: Argv<T>, pkg: ModelPackage, defaults?: string) {
  let out = y.option('model', {
    type: 'string',
    describe: `a built-in model (${BUILTIN_NAMES.join('|')}) or a module file (.js/.mjs/.cjs/.ts/.mts/.cts) exporting modelPackage, createModel or model [${BUILTIN_NAMES[0]}]`,
  });
  for (const p of pkg.params) {
    const describe = `${pkg.name}: ${p.help}: ${describeParam(p)} ${defaults ?? `[${String(p.default)}]`}`;
    out = out.option(paramFlag(p), p.type === 'int' ? numberOption(describe) : { type: p.type === 'bool' ? 'boolean' : 'string', describe });
  }
  return out;
}

/** `--json`, the same for every command that reports. */
export const JSON_OPTION = { type: 'boolean', describe: 'print exactly one JSON object on stdout' } as const;

/** `--time-limit` and `--max-memory`, the same for every command that honours them (exit 3 when one stops it). */
export const TIME_LIMIT_OPTION = numberOption('stop (incomplete) after this many seconds');
export const MAX_MEMORY_OPTION = numberOption('stop (incomplete) before resident memory passes this many MiB');

/** `--model` for commands that read a trace: the module is named again, since a trace file never names code that runs. */
export const TRACE_MODEL_OPTION = { type: 'string', describe: 'the user model module the trace was made with (dnsmc never loads code a trace names)' } as const;

/** `--scenario`, its parameters' flags, and the package's constraint flags (see docs/scenarios.md). */
export function scenarioOptions<T>(y: Argv<T>, pkg: ModelPackage) {
  const scenarios = pkg.scenarios ?? [];
  let out = y.option('scenario', {
    type: 'string',
    describe:
      scenarios.length > 0
        ? `search only runs that tell this story: ${scenarios.map((s) => `${s.name}: ${s.description}`).join('; ')}`
        : `search only runs that tell a story the model declares (model ${pkg.name} declares none)`,
  });
  for (const p of scenarioParamSpecs(pkg)) {
    const owners = scenarios.filter((s) => s.params.some((q) => q.name === p.name)).map((s) => s.name);
    const describe = `scenario ${owners.join('|')}: ${p.help}: ${describeParam(p)} [${String(p.default)}]`;
    out = out.option(paramFlag(p), p.type === 'int' ? numberOption(describe) : { type: p.type === 'bool' ? 'boolean' : 'string', describe });
  }
  for (const c of pkg.constraints ?? []) {
    out = out.option(kebab(c.name), numberOption(`constraint: ${c.help}: a whole number from ${c.min} to ${c.max} [no constraint]`));
  }
  return out;
}

/** The flags of the package's real system that `command` takes (its adapter declares them: a server, a key, an implementation...). */
export function systemOptions<T>(y: Argv<T>, pkg: ModelPackage, command: SystemCommand) {
  let out = y;
  const system = pkg.system;
  if (!system) return out;
  for (const f of systemFlags(system, command)) {
    out = out.option(kebab(f.name), { type: f.type === 'bool' ? 'boolean' : 'string', describe: `${pkg.name} system: ${f.help}` });
  }
  return out;
}

/** One flag per fault the package's workload declares: `--slow-<role> ACTOR` (with `--delay MS`). */
export function faultOptions<T>(y: Argv<T>, pkg: ModelPackage) {
  let out = y;
  for (const f of pkg.system?.workload?.faults ?? []) out = out.option(slowFlag(f.role), { type: 'string', describe: `fault: ${f.help}` });
  return out;
}
