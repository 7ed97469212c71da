/** A thrown error for a model that does not fit the interface, or that fails while it runs (named by the engine). */
export class ModelError extends Error {
  override name = 'ModelError';
}

/**
 * What was thrown, as text, never throwing itself: a model may throw
 * anything, including an object whose `toString`, `message` or `name`
 * getter throws. With `named`, an Error's name precedes its message
 * (`TypeError: ...`) unless it is plain `Error` or in `unnamed`.
 */
export function thrownText(e: unknown, named = false, unnamed: readonly string[] = []): string {
  try {
    if (e instanceof Error) {
      const name = named && typeof e.name === 'string' && e.name !== 'Error' && !unnamed.includes(e.name) ? `${e.name}: ` : '';
      return `${name}${String(e.message)}`;
    }
    return String(e);
  } catch {
    return `a thrown ${e === null ? 'null' : typeof e} that cannot be shown (its toString or message throws)`;
  }
}

/** An Error's name (`TypeError`), or `Error` for anything else or a name that cannot be read. */
export function thrownName(e: unknown): string {
  try {
    return e instanceof Error && typeof e.name === 'string' ? e.name : 'Error';
  } catch {
    return 'Error';
  }
}
