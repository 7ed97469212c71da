/** What a model declares about its interchangeable actors (symmetry.ts reduces states by it). */

/** The symmetry a model declares. */
export interface Symmetry {
  /** The role whose actors are interchangeable. */
  readonly role: string;
  /** Array fields with one element per actor of the role. */
  readonly indexed: readonly string[];
  /** Fields (scalars or arrays) whose values name an actor of the role, or none. */
  readonly holds: readonly string[];
}
