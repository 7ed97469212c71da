/**
 * State layouts: a model declares each state field with its range, and the
 * engine derives from that declaration
 *  - a flat `Int32Array` vector holding one slot per scalar (the "unpacked" state),
 *  - a view object over such a vector that model code reads and writes as
 *    `s.latest` or `s.alias[k]`,
 *  - a bit-packed encoding into a few 32-bit words (the canonical encoding that
 *    is fingerprinted and stored in the frontier),
 *  - a JSON form for people and trace files, and a validating parser back.
 *
 * The same model code runs on the typed-array view in the search loop and on a
 * plain object (or an immer draft of one) when traces are rebuilt, because both
 * answer `s.field` and `s.field[i]` with numbers.
 */

/** Thrown for a layout or value that does not fit the declared ranges. */
export class LayoutError extends Error {
  override name = 'LayoutError';
}

/** An integer in `min..max`. Rendered as a number. */
export interface IntField {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
}
/** One of a list of names, stored as its index. Rendered as the name. */
export interface EnumField<N extends string = string> {
  readonly kind: 'enum';
  readonly names: readonly N[];
  readonly min: 0;
  readonly max: number;
}
/** An integer in `min..max` or none, stored as `min - 1`. Rendered as a number or null. */
export interface MaybeField {
  readonly kind: 'maybe';
  readonly min: number;
  readonly max: number;
}
/** A set of integers in `lo..hi`, stored as a bitmask (bit `g - lo` for member `g`). Rendered as a sorted array. */
export interface SetField {
  readonly kind: 'set';
  readonly lo: number;
  readonly hi: number;
  readonly min: 0;
  readonly max: number;
}
export type ScalarField = IntField | EnumField | MaybeField | SetField;
/** A fixed-length array of one scalar kind. */
export interface ArrayField<S extends ScalarField = ScalarField> {
  readonly kind: 'array';
  readonly length: number;
  readonly of: S;
}
export type Field = ScalarField | ArrayField;
export type FieldSpec = Readonly<Record<string, Field>>;

/** Widest field that packs into one 32-bit word as an unsigned offset. */
export const MAX_FIELD_BITS = 31;

function checkInt(what: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new LayoutError(`${what} must be an integer, got ${v}`);
}

/** An integer field in `min..max`. */
export function int(min: number, max: number): IntField {
  checkInt('int(min)', min);
  checkInt('int(max)', max);
  if (max < min) throw new LayoutError(`int(${min}, ${max}): max is below min`);
  return { kind: 'int', min, max };
}
/** An enumeration of names; the model uses the index as the value. */
export function enumOf<const N extends string>(names: readonly N[]): EnumField<N> {
  if (names.length === 0) throw new LayoutError('enumOf([]): at least one name is needed');
  return { kind: 'enum', names: [...names], min: 0, max: names.length - 1 };
}
/** An integer in `min..max`, or none (`NONE`, that is `min - 1`). */
export function maybe(min: number, max: number): MaybeField {
  checkInt('maybe(min)', min);
  checkInt('maybe(max)', max);
  if (max < min) throw new LayoutError(`maybe(${min}, ${max}): max is below min`);
  return { kind: 'maybe', min, max };
}
/** A set of integers drawn from `lo..hi`, held as a bitmask of `hi - lo + 1` bits. */
export function setOf(lo: number, hi: number): SetField {
  checkInt('setOf(lo)', lo);
  checkInt('setOf(hi)', hi);
  const n = hi - lo + 1;
  if (n < 0) throw new LayoutError(`setOf(${lo}, ${hi}): hi is below lo`);
  if (n > MAX_FIELD_BITS) throw new LayoutError(`setOf(${lo}, ${hi}): at most ${MAX_FIELD_BITS} members fit a set field, got ${n}`);
  return { kind: 'set', lo, hi, min: 0, max: n === 0 ? 0 : n === 31 ? 0x7fffffff : (1 << n) - 1 };
}
/** A fixed-length array of `length` scalars. */
export function array<S extends ScalarField>(length: number, of: S): ArrayField<S> {
  checkInt('array(length)', length);
  if (length < 0) throw new LayoutError(`array(${length}): length must be at least 0`);
  return { kind: 'array', length, of };
}

/** Integers a model reads and writes: an `Int32Array` view in the search, a `number[]` in traces. */
export interface Ints {
  [index: number]: number;
  readonly length: number;
}
/** The state type a field spec describes, as model code sees it. */
export type StateOf<F extends FieldSpec> = {
  -readonly [K in keyof F]: F[K] extends ArrayField ? Ints : number;
};
/** A scalar as a model's author writes it in an initial state: an enum by name or by index. */
type ScalarInit<S> = S extends EnumField<infer N> ? N | number : number;
/** An initial state as a model's author writes it (see `defineModel`): enum fields by name or by index. */
export type InitOf<F extends FieldSpec> = {
  readonly [K in keyof F]: F[K] extends ArrayField<infer S> ? readonly ScalarInit<S>[] : ScalarInit<F[K]>;
};
/** JSON values a rendered state is made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A state rendered for people and trace files: fields by name, sets as sorted arrays, enums as names. */
export type JsonState = Record<string, Json>;

interface Slot {
  field: string;
  index: number; // -1 for a scalar field
  spec: ScalarField;
  lo: number; // value stored as (v - lo), lo = min or min-1 for maybe
  span: number; // largest stored offset
  bits: number;
  word: number;
  shift: number;
}

function bitsFor(span: number): number {
  let b = 0;
  while (b < 32 && span >= 2 ** b) b++;
  return b;
}

/**
 * A model's effect wrote something its layout cannot hold: a value that is
 * not a whole number (2.5, NaN, undefined, null, a string, a boolean,
 * Infinity, 2**32 + 3), an element past an array's end, a whole array, or a
 * field the layout does not declare. Thrown by the checked state views at
 * the write itself; the engine adds the model, action, actor and state.
 */
export class ModelWriteError extends Error {
  override name = 'ModelWriteError';
  constructor(
    /** `alias[0]`, `alias`, or the undeclared name. */
    readonly field: string,
    /** The value written, shown as JSON (or as its type when JSON cannot show it). */
    readonly value: string,
    message: string,
  ) {
    super(message);
  }
}

/** A written value, shown for a message. */
export function shownWrite(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return typeof v;
  const j = JSON.stringify(v);
  return j === undefined ? String(v) : j.length > 60 ? `${j.slice(0, 57)}...` : j;
}

/** Throws the ModelWriteError for writing `value` to `field`. */
export function badWrite(field: string, value: unknown, why: string): never {
  const shown = shownWrite(value);
  throw new ModelWriteError(field, shown, `wrote ${field} = ${shown}: ${why}`);
}

/** Options of {@link defineLayout}. */
export interface LayoutOptions {
  /**
   * Check every write a model's effect makes through the state view: the
   * value must be a whole number (JavaScript would store 2.5 as 2, NaN as 0,
   * 2**32 + 3 as 3), an index must lie within its array, arrays may not be
   * replaced, and no field may be added. Each is then a model error naming
   * the field and the value, instead of a silently different state. Values
   * out of their declared range are caught either way (when a state is
   * packed). Default true; the built-in models, whose writes are tested,
   * turn it off for speed.
   */
  readonly checkWrites?: boolean;
}

/**
 * An effect's checked writes in the search (see {@link Layout.effectWrites}),
 * over a state vector `cur` and its successor's `next`. Scalar fields of
 * `view` are accessors over `next` that check each write, as the checked
 * view's do. Its array fields are plain arrays of their own (reading and
 * writing an element costs what an array's does; a property access on the
 * checked view's element accessors costs a hundred times that), whose
 * prototype has only the checked view's methods; an array cannot be
 * replaced and no field added. `begin(view)` copies `cur`'s array fields
 * into the view, once per state expanded; after each effect (`next` having
 * been a copy of `cur`), `end(view)` checks each element that the effect
 * changed as the setters check a write (a whole number of 32 bits), copies
 * it into `next` and puts `cur`'s back. A write the check refuses throws
 * there, a ModelWriteError; the engine then runs the step again on
 * {@link Layout.checkedView}, which names the write as it happens. What the
 * check sees is what each element holds when the effect ends: a value that
 * is not a whole number, written over with one before the effect ends, goes
 * unseen.
 */
export interface EffectWrites<F extends FieldSpec> {
  readonly view: StateOf<F>;
  readonly begin: (view: object) => void;
  readonly end: (view: object) => void;
  /**
   * Whether every array of `view` still has its length and no key besides
   * its elements. A write past the end, at a key that is not an element
   * (-1, 1.5, NaN, 'x') or to `length` changes that, which `end` does not
   * look at: this look costs more than `end` does, and is for every so many
   * states (the search's is every 1,024); the state whose effect did it is
   * then found by running the states since the last look again on
   * {@link Layout.checkedView}.
   */
  readonly clean: (view: object) => boolean;
}

/**
 * A compiled layout. Create one per model instance with {@link defineLayout}.
 */
export class Layout<F extends FieldSpec> {
  /** Number of scalar slots in the unpacked vector. */
  readonly size: number;
  /** Number of 32-bit words in the packed encoding. */
  readonly words: number;
  /** Total bits the packed encoding uses. */
  readonly bits: number;
  readonly fields: F;
  private readonly slots: Slot[];
  /** Slot of each field in the unpacked vector (the first element, for arrays). */
  readonly offsets: Readonly<Record<string, number>>;

  /** Whether state views check the writes made through them (see LayoutOptions). */
  readonly checkWrites: boolean;

  constructor(fields: F, options: LayoutOptions = {}) {
    this.fields = fields;
    this.checkWrites = options.checkWrites ?? true;
    const slots: Slot[] = [];
    const offsets: Record<string, number> = {};
    let word = 0;
    let used = 0;
    let total = 0;
    const place = (field: string, index: number, spec: ScalarField): void => {
      const lo = spec.kind === 'maybe' ? spec.min - 1 : spec.min;
      const span = spec.max - lo;
      const bits = bitsFor(span);
      const name = index < 0 ? field : `${field}[${index}]`;
      if (bits > MAX_FIELD_BITS) {
        throw new LayoutError(`field ${name} needs ${bits} bits; at most ${MAX_FIELD_BITS} fit one field`);
      }
      if (used + bits > 32) {
        word++;
        used = 0;
      }
      slots.push({ field, index, spec, lo, span, bits, word, shift: used });
      used += bits;
      total += bits;
    };
    for (const [name, f] of Object.entries(fields)) {
      if (name.startsWith('__dnsmc')) throw new LayoutError(`field ${name}: names starting with __dnsmc are reserved`);
      offsets[name] = slots.length;
      if (f.kind === 'array') for (let i = 0; i < f.length; i++) place(name, i, f.of);
      else place(name, -1, f);
    }
    this.slots = slots;
    this.offsets = offsets;
    this.size = slots.length;
    this.words = word + 1;
    this.bits = total;
    this.pack = compilePack(slots, this.words, (i, v) => this.outOfRange(i, v));
    this.unpack = compileUnpack(slots, this.words);
    this.View = this.checkWrites ? compileCheckedView(fields, offsets) : compileView(fields, offsets);
  }

  /** A fresh zeroed unpacked vector. */
  vector(): Int32Array {
    return new Int32Array(this.size);
  }

  /**
   * A view object over `vec`: scalar fields are accessor properties, array
   * fields are `Int32Array` subarrays of `vec`. Made once per buffer, reused
   * for every state the buffer holds. All views of a layout share one class,
   * so the accessors are monomorphic in model code.
   */
  view(vec: Int32Array): StateOf<F> {
    return Object.seal(new this.View(vec)) as StateOf<F>;
  }

  /**
   * Packs `vec` into `out[at .. at + words)`. Throws a LayoutError naming the
   * field when a value lies outside its declared range: a model bug that would
   * otherwise corrupt the encoding silently.
   */
  readonly pack: (vec: Int32Array, out: Uint32Array, at: number) => void;

  /** Unpacks `words[at .. at + words)` into `vec`. */
  readonly unpack: (words: Uint32Array, at: number, vec: Int32Array) => void;

  private readonly View: new (
    vec: Int32Array,
  ) => object;
  private CheckedView: (new (vec: Int32Array) => object) | undefined;
  private ReadView: (new (vec: Int32Array) => object) | undefined;
  private Buffered: Buffered | undefined;

  /**
   * A view over `vec` for reading, as fast as the plain view: array fields
   * are `Int32Array` subarrays of `vec`. On a layout that checks writes,
   * writes to scalars are checked as the checked view checks them, an array
   * cannot be replaced and no field added; writes to array elements are
   * not checked. The search reads through it in guards and properties
   * (typed read-only), and effects write through {@link effectWrites}.
   */
  readView(vec: Int32Array): StateOf<F> {
    if (!this.checkWrites) return this.view(vec);
    this.ReadView ??= compileCheckedView(this.fields, this.offsets, 'unchecked');
    return Object.seal(new this.ReadView(vec)) as StateOf<F>;
  }

  /**
   * For a layout that checks writes: a view over `vec` for effects, whose
   * writes are checked at the cost of a few compares, and the two calls
   * around each effect (see {@link EffectWrites}). Undefined when the
   * layout does not check writes (the effect then writes through `view`).
   */
  effectWrites(cur: Int32Array, next: Int32Array): EffectWrites<F> | undefined {
    if (!this.checkWrites) return undefined;
    this.Buffered ??= compileBuffered(this.fields, this.offsets);
    const b = this.Buffered;
    return { view: Object.seal(new b.View(cur, next)) as StateOf<F>, begin: b.begin, end: b.end, clean: b.clean };
  }

  /** A view over `vec` that checks every write and names it (whatever `checkWrites` says): for finding what a model did wrong. */
  checkedView(vec: Int32Array): StateOf<F> {
    this.CheckedView ??= compileCheckedView(this.fields, this.offsets, 'diagnostic');
    return Object.seal(new this.CheckedView(vec)) as StateOf<F>;
  }

  private outOfRange(i: number, value: number): never {
    const s = this.slots[i];
    const name = s.index < 0 ? s.field : `${s.field}[${s.index}]`;
    const lo = s.spec.kind === 'maybe' ? `${s.spec.min} (or none)` : `${s.lo}`;
    throw new LayoutError(`field ${name} = ${value} is outside its declared range ${lo}..${s.lo + s.span}`);
  }

  /** Copies a plain state object (numbers, number arrays) into `vec`. */
  fromPlain(plain: StateOf<F>, vec: Int32Array): void {
    const p = plain as Record<string, unknown>;
    for (const s of this.slots) {
      const off = this.offsets[s.field] + Math.max(s.index, 0);
      const v = s.index < 0 ? p[s.field] : (p[s.field] as Ints)[s.index];
      if (typeof v !== 'number') throw new LayoutError(`field ${s.field} is missing from the state`);
      vec[off] = v;
    }
  }

  /** The state in `vec` as a plain object of numbers and number arrays. */
  toPlain(vec: Int32Array): StateOf<F> {
    const out: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(this.fields)) {
      const off = this.offsets[name];
      out[name] = f.kind === 'array' ? Array.from(vec.subarray(off, off + f.length)) : vec[off];
    }
    return out as StateOf<F>;
  }

  /** The state in `vec` rendered as JSON: enums by name, sets as sorted arrays, none as null. */
  toJson(vec: Int32Array): JsonState {
    const out: JsonState = {};
    for (const [name, f] of Object.entries(this.fields)) {
      const off = this.offsets[name];
      if (f.kind === 'array') {
        const arr: Json[] = [];
        for (let i = 0; i < f.length; i++) arr.push(scalarToJson(f.of, vec[off + i]));
        out[name] = arr;
      } else {
        out[name] = scalarToJson(f, vec[off]);
      }
    }
    return out;
  }

  /**
   * Parses a JSON-rendered state into `vec`, validating every field. Throws a
   * LayoutError naming the first field that does not fit.
   */
  fromJson(json: unknown, vec: Int32Array): void {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new LayoutError('a state must be a JSON object');
    }
    const obj = json as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!(key in this.fields)) throw new LayoutError(`state field ${key} is not part of the model (fields: ${Object.keys(this.fields).join(', ')})`);
    }
    for (const [name, f] of Object.entries(this.fields)) {
      const off = this.offsets[name];
      if (!(name in obj)) throw new LayoutError(`state field ${name} is missing`);
      const v = obj[name];
      if (f.kind === 'array') {
        if (!Array.isArray(v) || v.length !== f.length) {
          throw new LayoutError(`state field ${name} must be an array of ${f.length} values, each ${describeScalar(f.of)}`);
        }
        for (let i = 0; i < f.length; i++) vec[off + i] = scalarFromJson(`${name}[${i}]`, f.of, v[i]);
      } else {
        vec[off] = scalarFromJson(name, f, v);
      }
    }
  }

  /** Renders the value of one field slot (for diffs), by field name and optional index. */
  describeValue(field: string, value: number): Json {
    const f = this.fields[field];
    return scalarToJson(f.kind === 'array' ? f.of : f, value);
  }
}

/*
 * Code generation. The pack and unpack loops and the view class are compiled
 * once per layout into straight-line JavaScript with every offset, shift and
 * range as a literal: V8 then runs them without loops or table lookups, and
 * inlines them into the search loop. The generated source is built only from
 * numbers the layout computed and from field names quoted with
 * JSON.stringify; nothing else reaches `new Function`.
 */

function compilePack(slots: Slot[], words: number, bad: (slot: number, value: number) => never): Layout<FieldSpec>['pack'] {
  const body: string[] = [];
  for (let w = 0; w < words; w++) body.push(`let w${w} = 0;`);
  body.push('let o = 0;');
  slots.forEach((sl, i) => {
    if (sl.bits === 0) {
      body.push(`if (vec[${i}] !== ${sl.lo}) bad(${i}, vec[${i}]);`);
      return;
    }
    // One unsigned compare catches values below and above the range.
    body.push(`o = (vec[${i}] - ${sl.lo}) | 0; if ((o >>> 0) > ${sl.span}) bad(${i}, vec[${i}]); w${sl.word} |= o << ${sl.shift};`);
  });
  for (let w = 0; w < words; w++) body.push(`out[at + ${w}] = w${w};`);
  return new Function('bad', `return function pack(vec, out, at) {\n${body.join('\n')}\n};`)(bad);
}

function compileUnpack(slots: Slot[], words: number): Layout<FieldSpec>['unpack'] {
  const body: string[] = [];
  for (let w = 0; w < words; w++) body.push(`const w${w} = words[at + ${w}];`);
  slots.forEach((sl, i) => {
    const mask = sl.bits >= 32 ? -1 : (1 << sl.bits) - 1;
    body.push(sl.bits === 0 ? `vec[${i}] = ${sl.lo};` : `vec[${i}] = ((w${sl.word} >>> ${sl.shift}) & ${mask}) + ${sl.lo};`);
  });
  return new Function(`return function unpack(words, at, vec) {\n${body.join('\n')}\n};`)();
}

function compileView(fields: FieldSpec, offsets: Record<string, number>): new (vec: Int32Array) => object {
  const ctor: string[] = ['this.__dnsmc_vec = v;'];
  const members: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    const key = JSON.stringify(name);
    const off = offsets[name];
    if (f.kind === 'array') ctor.push(`this[${key}] = v.subarray(${off}, ${off + f.length});`);
    else members.push(`get ${key}() { return this.__dnsmc_vec[${off}]; }`, `set ${key}(x) { this.__dnsmc_vec[${off}] = x; }`);
  }
  return new Function(`return class View {\nconstructor(v) {\n${ctor.join('\n')}\n}\n${members.join('\n')}\n};`)();
}

/**
 * The checked view: scalar setters refuse anything but a whole number that
 * fits 32 bits; array fields are objects with one accessor per element
 * (compiled for the field's length) whose setters refuse the same, and which
 * are sealed, so that writing past the end throws; array fields cannot be
 * replaced, and the view is sealed, so that adding a field throws (ES
 * modules are strict). Reads, and the typed-array methods model code uses
 * (`includes`, `indexOf`, iteration, ...), go to the field's subarray.
 * V8 keeps accessors at integer keys as dictionary elements and does not
 * inline them: an element read or write costs about a hundred times a typed
 * array's, which is why the search writes through the effect view
 * (compileBuffered) instead. `elements`: 'diagnostic' also names a write past
 * the end (see compileCheckedArray); 'unchecked' makes the array fields the
 * vector's subarrays (Layout.readView).
 */
function compileCheckedView(
  fields: FieldSpec,
  offsets: Record<string, number>,
  elements: 'checked' | 'diagnostic' | 'unchecked' = 'checked',
): new (
  vec: Int32Array,
) => object {
  const ctor: string[] = ['this.__dnsmc_vec = v;'];
  const members: string[] = [];
  const arrays: Record<string, (a: Int32Array) => object> = {};
  for (const [name, f] of Object.entries(fields)) {
    const key = JSON.stringify(name);
    const off = offsets[name];
    if (f.kind === 'array') {
      const slot = JSON.stringify(`__dnsmc_a_${name}`);
      if (elements === 'unchecked') ctor.push(`this[${slot}] = v.subarray(${off}, ${off + f.length});`);
      else {
        arrays[name] = compileCheckedArray(name, f.length, elements === 'diagnostic');
        ctor.push(`this[${slot}] = Object.seal(A[${key}](v.subarray(${off}, ${off + f.length})));`);
      }
      members.push(...arrayAccessors(key, slot));
    } else {
      members.push(...scalarAccessors(key, off));
    }
  }
  return new Function('A', 'badWrite', `return class CheckedView {\nconstructor(v) {\n${ctor.join('\n')}\n}\n${members.join('\n')}\n};`)(arrays, badWrite);
}

/** A checked view's accessors of scalar field `key` (quoted) at slot `off`: each write must be a whole number of 32 bits. */
function scalarAccessors(key: string, off: number): string[] {
  return [
    `get ${key}() { return this.__dnsmc_vec[${off}]; }`,
    `set ${key}(x) { if ((x | 0) !== x) badWrite(${key}, x, 'not a whole number of 32 bits'); this.__dnsmc_vec[${off}] = x; }`,
  ];
}

/** A checked view's accessors of array field `key` (quoted), held in the view's own property `slot` (quoted): it cannot be replaced. */
function arrayAccessors(key: string, slot: string): string[] {
  return [`get ${key}() { return this[${slot}]; }`, `set ${key}(x) { badWrite(${key}, x, 'an array field cannot be replaced; write its elements'); }`];
}

/** A layout's effect view class and the calls around an effect (see EffectWrites). */
interface Buffered {
  readonly View: new (cur: Int32Array, next: Int32Array) => object;
  readonly begin: (view: object) => void;
  readonly end: (view: object) => void;
  readonly clean: (view: object) => boolean;
}

/**
 * The effect view of {@link Layout.effectWrites}: scalars as in the checked
 * view (over `next`); each array field an array of its own (see
 * bufferedArray), and `begin` / `end` compiled, as pack is, into
 * straight-line code with every offset a literal.
 */
function compileBuffered(fields: FieldSpec, offsets: Record<string, number>): Buffered {
  const ctor: string[] = ['this.__dnsmc_vec = v;', 'this.__dnsmc_cur = c;'];
  const members: string[] = [];
  const begin: string[] = ['const c = w.__dnsmc_cur;', 'let a;'];
  const end: string[] = ['const v = w.__dnsmc_vec, c = w.__dnsmc_cur;', 'let a, x;'];
  const clean: string[] = ['true'];
  const arrays: Record<string, (a: Int32Array) => number[]> = {};
  for (const [name, f] of Object.entries(fields)) {
    const key = JSON.stringify(name);
    const off = offsets[name];
    if (f.kind !== 'array') {
      members.push(...scalarAccessors(key, off));
      continue;
    }
    arrays[name] = bufferedArray(name, f.length);
    const slot = JSON.stringify(`__dnsmc_a_${name}`);
    ctor.push(`this[${slot}] = A[${key}](v.subarray(${off}, ${off + f.length}));`);
    members.push(...arrayAccessors(key, slot));
    begin.push(`a = w[${slot}];`);
    // A key past the end is a key more; a length set without one, only the length.
    clean.push(`(a = w[${slot}]).length === ${f.length} && Object.keys(a).length === ${f.length}`);
    end.push(`a = w[${slot}];`);
    for (let i = 0; i < f.length; i++) {
      const at = off + i;
      begin.push(`a[${i}] = c[${at}];`);
      // An element the effect left alone is cur's, which next holds already; a changed one is checked, copied into next and put back.
      end.push(
        `x = a[${i}]; if (x !== c[${at}]) { if ((x | 0) !== x) badWrite(${JSON.stringify(`${name}[${i}]`)}, x, 'not a whole number of 32 bits'); v[${at}] = x; a[${i}] = c[${at}]; }`,
      );
    }
  }
  return {
    View: new Function('A', 'badWrite', `return class EffectView {\nconstructor(c, v) {\n${ctor.join('\n')}\n}\n${members.join('\n')}\n};`)(arrays, badWrite),
    begin: new Function(`return function begin(w) {\n${begin.join('\n')}\n};`)(),
    end: new Function('badWrite', `return function end(w) {\n${end.join('\n')}\n};`)(badWrite),
    clean: new Function(`return function clean(w) {\nlet a;\nreturn ${clean.join(' && ')};\n};`)(),
  };
}

/** Methods of a typed array that model code may call on an array field; they run on the field's subarray. */
const ARRAY_METHODS = [
  'includes',
  'indexOf',
  'lastIndexOf',
  'some',
  'every',
  'find',
  'findIndex',
  'forEach',
  'map',
  'filter',
  'reduce',
  'join',
  'slice',
  'at',
] as const;

/** Makes one array field's checked elements: `length` accessors, each setter checked. */
function compileCheckedArray(name: string, length: number, diagnostic: boolean): (a: Int32Array) => object {
  const members: string[] = [`get length() { return ${length}; }`, '[Symbol.iterator]() { return this.__dnsmc_a[Symbol.iterator](); }'];
  for (const m of ARRAY_METHODS) members.push(`${m}(...args) { return this.__dnsmc_a.${m}(...args); }`);
  for (let i = 0; i < length; i++) {
    const at = JSON.stringify(`${name}[${i}]`);
    members.push(
      `get ${i}() { return this.__dnsmc_a[${i}]; }`,
      `set ${i}(x) { if ((x | 0) !== x) badWrite(${at}, x, 'not a whole number of 32 bits'); this.__dnsmc_a[${i}] = x; }`,
    );
  }
  const Cls = new Function('badWrite', `return class CheckedArray {\nconstructor(a) { this.__dnsmc_a = a; }\n${members.join('\n')}\n};`)(badWrite);
  // Writing past the end of the sealed object throws a TypeError in strict code. Finding what a
  // model did wrong (diagnose.ts) runs the step again on views that also name the index and value.
  if (!diagnostic) return (a) => new Cls(a);
  return (a) =>
    new Proxy(new Cls(a), {
      set(target, key, value, receiver) {
        if (typeof key === 'string' && !(key in target)) badWrite(`${name}[${key}]`, value, `${name} has elements 0..${length - 1} only`);
        return Reflect.set(target, key, value, receiver);
      },
    });
}

/**
 * One array field of an effect view, over its subarray `sub` of `next`: an
 * array of `length` numbers (not sealed: V8 reads and writes a sealed array
 * several times slower; EffectWrites.clean sees a key added), whose
 * prototype has only what the checked view's arrays have: the typed-array
 * methods model code may call, which run on `sub` as the checked view's do
 * (the elements written so far are checked and copied there first, and
 * copied back after, as a callback may write `sub`), and iteration.
 */
function bufferedArray(name: string, length: number): (sub: Int32Array) => number[] {
  return (sub) => {
    const a: number[] = [];
    for (let i = 0; i < length; i++) a.push(0);
    const flush = (): void => {
      for (let i = 0; i < length; i++) {
        const x = a[i];
        if ((x | 0) !== x) badWrite(`${name}[${i}]`, x, 'not a whole number of 32 bits');
        sub[i] = x;
      }
    };
    const proto: Record<PropertyKey, unknown> = {
      [Symbol.iterator]: () => Array.prototype.values.call(a),
    };
    for (const m of ARRAY_METHODS) {
      const method = sub[m] as (...args: unknown[]) => unknown;
      proto[m] = (...args: unknown[]) => {
        flush();
        try {
          return method.apply(sub, args);
        } finally {
          for (let i = 0; i < length; i++) a[i] = sub[i];
        }
      };
    }
    Object.setPrototypeOf(a, proto);
    return a;
  };
}

function scalarToJson(f: ScalarField, v: number): Json {
  switch (f.kind) {
    case 'int':
      return v;
    case 'enum':
      return f.names[v] ?? v;
    case 'maybe':
      return v < f.min ? null : v;
    case 'set': {
      const out: number[] = [];
      for (let b = 0; b <= f.hi - f.lo; b++) if (v & (1 << b)) out.push(f.lo + b);
      return out;
    }
  }
}

function describeScalar(f: ScalarField): string {
  switch (f.kind) {
    case 'int':
      return `an integer in ${f.min}..${f.max}`;
    case 'enum':
      return `one of ${f.names.join('|')}`;
    case 'maybe':
      return `null or an integer in ${f.min}..${f.max}`;
    case 'set':
      return `a set (array of distinct integers) in ${f.lo}..${f.hi}`;
  }
}

function scalarFromJson(name: string, f: ScalarField, v: unknown): number {
  const bad = (): never => {
    throw new LayoutError(`state field ${name} must be ${describeScalar(f)}, got ${String(JSON.stringify(v)).slice(0, 60)}`);
  };
  switch (f.kind) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < f.min || v > f.max) bad();
      return v as number;
    case 'enum': {
      const i = typeof v === 'string' ? f.names.indexOf(v) : -1;
      if (i < 0) bad();
      return i;
    }
    case 'maybe':
      if (v === null) return f.min - 1;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < f.min || v > f.max) bad();
      return v as number;
    case 'set': {
      if (!Array.isArray(v)) bad();
      let mask = 0;
      for (const g of v as unknown[]) {
        if (typeof g !== 'number' || !Number.isInteger(g) || g < f.lo || g > f.hi) bad();
        const bit = 1 << ((g as number) - f.lo);
        if (mask & bit) bad();
        mask |= bit;
      }
      return mask;
    }
  }
}

/** Compiles a field spec into a {@link Layout}. */
export function defineLayout<F extends FieldSpec>(fields: F, options: LayoutOptions = {}): Layout<F> {
  return new Layout(fields, options);
}

/** The bit for member `g` of a set field whose lowest member is `lo`. */
export function bit(g: number, lo = 1): number {
  return 1 << (g - lo);
}
