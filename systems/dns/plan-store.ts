/**
 * The plan store: a directory of versioned plans, one JSON file per
 * generation, standing in for the S3 bucket the planner writes to. A plan
 * is written to a temporary file, synced, then linked to its final name,
 * which fails if that generation exists: publishing is atomic and never
 * overwrites (a conditional put).
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OWNER_FILE } from './run-dirs.js';

/** One endpoint's part of a plan: the load balancers its name should resolve to. */
export interface PlanEndpoint {
  readonly endpoint: number;
  readonly addresses: readonly string[];
}

/** A versioned plan, as the planner writes it. */
export interface Plan {
  readonly generation: number;
  readonly endpoints: readonly PlanEndpoint[];
}

const FILE = /^plan-(\d{6})\.json$/;
const fileOf = (g: number): string => `plan-${String(g).padStart(6, '0')}.json`;

export class PlanStoreError extends Error {
  override name = 'PlanStoreError';
}

export class PlanStore {
  constructor(readonly dir: string) {}

  /** The generations stored, oldest first. */
  generations(): number[] {
    return readdirSync(this.dir)
      .map((f) => FILE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((x, y) => x - y);
  }

  /** Removes every plan (a fresh store for the next run); the folder's owner file (run-dirs.ts) stays. */
  clear(): void {
    for (const f of readdirSync(this.dir)) if (f !== OWNER_FILE) rmSync(join(this.dir, f), { force: true, recursive: true });
  }

  /** The newest generation (0 when none is published yet). */
  latest(): number {
    const gs = this.generations();
    return gs.length === 0 ? 0 : gs[gs.length - 1];
  }

  read(generation: number): Plan {
    let text: string;
    try {
      text = readFileSync(join(this.dir, fileOf(generation)), 'utf8');
    } catch {
      throw new PlanStoreError(`plan ${generation} is not in the plan store ${this.dir}`);
    }
    const plan = JSON.parse(text) as Plan;
    if (plan.generation !== generation) throw new PlanStoreError(`the plan store's file for plan ${generation} holds plan ${plan.generation}`);
    return plan;
  }

  /** Writes `plan` atomically; throws if its generation is already there. */
  publish(plan: Plan): void {
    const final = join(this.dir, fileOf(plan.generation));
    const tmp = join(this.dir, `.${fileOf(plan.generation)}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, `${JSON.stringify(plan, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, final);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new PlanStoreError(`plan ${plan.generation} is already published`);
      throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}
