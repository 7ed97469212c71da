/** The flags that select and parameterise the model: `--model`, and the parameters its package declares. */
import type { Argv } from 'yargs';
import { describeParam } from '../../checker/package/params.js';
import { systemFlags, type SystemCommand } from '../../checker/package/system.js';
import type { ModelPackage } from '../../checker/package/package.js';
import { BUILTIN_NAMES, paramFlag, scenarioParamSpecs } from '../../app/model.js';
import { kebab } from '../../app/errors.js';
import { slowFlag } from '../../app/storm.js';

/** `--model` and one flag per parameter of `pkg` (values are checked by the command, which names the flag). */
export function modelOptions<T>(y: Argv<T>, pkg: ModelPackage, defaults?: string) {
  let out = y.option('model', {
    type: 'string',
    describe: `a built-in model (${BUILTIN_NAMES.join('|')}) or a module file (.js/.mjs/.cjs/.ts/.mts/.cts) exporting modelPackage, createModel or model [${BUILTIN_NAMES[0]}]`,
  });
  for (const p of pkg.params) {
    out = out.option(paramFlag(p), {
      type: p.type === 'bool' ? 'boolean' : 'string',
      describe: `${pkg.name}: ${p.help}: ${describeParam(p)} ${defaults ?? `[${String(p.default)}]`}`,
    });
  }
  return out;
}

/** `--json`, the same for every command that reports. */
export const JSON_OPTION = { type: 'boolean', describe: 'print exactly one JSON object on stdout' } as const;

/** `--time-limit` and `--max-memory`, the same for every command that honours them (exit 3 when one stops it). */
export const TIME_LIMIT_OPTION = { type: 'string', describe: 'stop (incomplete) after this many seconds' } as const;
export const MAX_MEMORY_OPTION = { type: 'string', describe: 'stop (incomplete) before resident memory passes this many MiB' } as const;

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
    out = out.option(paramFlag(p), {
      type: p.type === 'bool' ? 'boolean' : 'string',
      describe: `scenario ${owners.join('|')}: ${p.help}: ${describeParam(p)} [${String(p.default)}]`,
    });
  }
  for (const c of pkg.constraints ?? []) {
    out = out.option(kebab(c.name), { type: 'string', describe: `constraint: ${c.help}: a whole number from ${c.min} to ${c.max} [no constraint]` });
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
