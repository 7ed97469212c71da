/**
 * A model package's parameters: their declarations (from which the command line
 * builds its flags, `--help` and validation, and which traces record), their
 * values typed by the declarations, and their resolution.
 */
import type { Json } from '../state/layout.js';

/** One parameter of a model package. Its flag is the kebab-case name (`maxBackoff` -> `--max-backoff`). */
export type ParamSpec = IntParam | EnumParam | BoolParam;

interface ParamBase {
  /** camelCase name, as the model and traces see it (e.g. `maxBackoff`). */
  readonly name: string;
  /** One line for `--help`. */
  readonly help: string;
}

/** A whole number in `min .. max`. */
export interface IntParam extends ParamBase {
  readonly type: 'int';
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** Why the range is what it is, quoted when a value is refused. */
  readonly why?: string;
}

/** One of a fixed list of names (e.g. a protocol variant). */
export interface EnumParam<V extends string = string> extends ParamBase {
  readonly type: 'enum';
  readonly values: readonly V[];
  readonly default: V;
}

/** On or off. */
export interface BoolParam extends ParamBase {
  readonly type: 'bool';
  readonly default: boolean;
}

/** Parameter values, fully resolved (every declared parameter present, in range). */
export type ParamValues = Readonly<Record<string, Json>>;

/**
 * The values a list of parameter declarations resolves to, typed by the
 * declarations: `{ variant: 'as-was' | 'fixed'; tokens: number }` for an
 * enum parameter `variant` and an int parameter `tokens`.
 */
export type ParamValuesOf<P extends readonly ParamSpec[]> = {
  readonly [K in P[number] as K['name']]: K extends EnumParam<infer V> ? V : K extends IntParam ? number : boolean;
};

/** A parameter value out of its declared range; `param` names it (the CLI turns it into `--flag ...`). */
export class ParamError extends Error {
  override name = 'ParamError';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a parameter accepts, in words (`a whole number from 1 to 31`, `one of as-was|fixed`). */
export function describeParam(p: ParamSpec): string {
  switch (p.type) {
    case 'int':
      return `a whole number from ${p.min} to ${p.max}${p.why ? ` (${p.why})` : ''}`;
    case 'enum':
      return `one of ${p.values.join('|')}`;
    case 'bool':
      return 'true or false';
  }
}

/**
 * Fills in defaults and validates `given` against the declared parameters.
 * A name that is not declared, or a value out of range, throws a ParamError
 * naming the parameter. The result holds every declared parameter, in
 * declaration order.
 */
export function resolveParamValues<const P extends readonly ParamSpec[]>(specs: P, given?: Readonly<Record<string, unknown>>): ParamValuesOf<P>;
export function resolveParamValues(specs: readonly ParamSpec[], given: Readonly<Record<string, unknown>> = {}): Record<string, Json> {
  const names = specs.map((p) => p.name);
  for (const k of Object.keys(given)) {
    if (given[k] !== undefined && !names.includes(k)) {
      throw new ParamError(k, `${k} is not a parameter of this model (it has ${names.length > 0 ? names.join(', ') : 'none'})`);
    }
  }
  const out: Record<string, Json> = {};
  for (const p of specs) {
    const v = Object.hasOwn(given, p.name) && given[p.name] !== undefined ? given[p.name] : p.default;
    const ok =
      p.type === 'int'
        ? typeof v === 'number' && Number.isSafeInteger(v) && v >= p.min && v <= p.max
        : p.type === 'enum'
          ? typeof v === 'string' && p.values.includes(v)
          : typeof v === 'boolean';
    if (!ok) throw new ParamError(p.name, `${p.name} must be ${describeParam(p)}, got ${String(v)}`);
    out[p.name] = v as Json;
  }
  return out;
}
