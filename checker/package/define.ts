/**
 * Typed authoring of models and model packages, so that a user's module is
 * typed end to end without a cast (as fast-check's `fc.record` or Quint's
 * typed state infer their types from what is declared):
 *
 * - `defineModel` infers the state type from the layout, so that every
 *   guard, effect and property sees its fields, and lets initial states name
 *   enum values (`phase: ['idle', 'idle']`) as well as give their indices;
 * - `definePackage` infers the parameter values `createModel` receives from
 *   the declared parameters (`{ variant: 'as-was' | 'fixed'; tokens: number }`).
 *
 * Both run once, when a module is loaded: nothing here is on the search path.
 */
import { LayoutError, type ArrayField, type FieldSpec, type InitOf, type Layout, type ScalarField, type StateOf } from '../state/layout.js';
import type { Model } from '../model/model.js';
import type { ModelPackage } from './package.js';
import type { ParamSpec, ParamValuesOf } from './params.js';

/** A model as its author writes it: a {@link Model} whose initial states may name enum values. */
export interface ModelDecl<F extends FieldSpec> extends Omit<Model<F>, 'init'> {
  readonly init: readonly InitOf<F>[];
}

/** A model whose state type is inferred from its layout; enum names in `init` become their indices. */
export function defineModel<F extends FieldSpec>(decl: ModelDecl<F>): Model<F> {
  return { ...decl, init: decl.init.map((s, i) => initialState(decl.layout, s, `model ${decl.name}: init[${i}]`)) };
}

/** A model package as its author writes it: `createModel` gets values typed by `params`. */
export interface PackageDecl<P extends readonly ParamSpec[], F extends FieldSpec> extends Omit<ModelPackage, 'params' | 'createModel'> {
  readonly params: P;
  createModel(params: ParamValuesOf<P>): Model<F> | Promise<Model<F>>;
}

/** A model package whose parameter values are typed by its declared parameters. */
export function definePackage<const P extends readonly ParamSpec[], F extends FieldSpec>(decl: PackageDecl<P, F>): ModelPackage {
  return decl;
}

/** `init` with enum names replaced by their indices; a name the field does not have is an error naming field and names. */
function initialState<F extends FieldSpec>(layout: Layout<F>, s: InitOf<F>, where: string): StateOf<F> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(s as Record<string, unknown>)) {
    const f = layout.fields[name];
    if (f === undefined) {
      out[name] = value;
      continue;
    }
    out[name] =
      f.kind === 'array' && Array.isArray(value)
        ? value.map((v, i) => scalar((f as ArrayField).of, v, `${where}.${name}[${i}]`))
        : f.kind === 'array'
          ? value
          : scalar(f, value, `${where}.${name}`);
  }
  return out as StateOf<F>;
}

function scalar(f: ScalarField, v: unknown, where: string): unknown {
  if (f.kind !== 'enum' || typeof v !== 'string') return v;
  const i = f.names.indexOf(v);
  if (i < 0) throw new LayoutError(`${where} = ${JSON.stringify(v)} is not one of ${f.names.join('|')}`);
  return i;
}
