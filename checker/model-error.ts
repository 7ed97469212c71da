/** A thrown error for a model that does not fit the interface, or that fails while it runs (named by the engine). */
export class ModelError extends Error {
  override name = 'ModelError';
}
