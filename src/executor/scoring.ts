import { UserError } from '../errors.js';
import { prepareTask, type TaskScorer } from '../scorers/aggregate.js';
import { loadCustomScorers } from '../scorers/custom.js';
import { ScorerRegistry } from '../scorers/registry.js';
import type { PrepareContext } from '../scorers/scorer.js';
import type { Task } from '../types.js';

/** Prepared task scorers kept at once: the tasks of a few windows, never a whole dataset. */
const KEPT = 4_000;

export interface ScoringOptions extends PrepareContext {
  /** The config's `scorers:` modules (defineScorer), relative to baseDir (or absolute). */
  scorerFiles: string[];
  /** Built-ins and anything registered in code. */
  registry: ScorerRegistry;
  /** Where `scorers:` is written, for messages. */
  where: string;
}

/**
 * The scorers of a run: the registry's plus the config's modules, and each task's assertions
 * prepared on demand (a UserError names the task and the fix). A task's prepared scorer is kept
 * while recent, so a run prepares each task about once without holding them all.
 */
export class Scoring {
  readonly #registry: ScorerRegistry;
  readonly #context: PrepareContext;
  readonly #kept = new Map<string, TaskScorer>();
  readonly #names = new Set<string>();

  private constructor(registry: ScorerRegistry, context: PrepareContext) {
    this.#registry = registry;
    this.#context = context;
  }

  static async create(options: ScoringOptions): Promise<Scoring> {
    const registry = new ScorerRegistry(options.registry.names().map((name) => options.registry.get(name)!));
    if (options.scorerFiles.length > 0) {
      try {
        await loadCustomScorers(options.scorerFiles, options.baseDir, registry);
      } catch (error) {
        if (error instanceof UserError && !error.location) {
          throw new UserError(error.message, options.where, error.hint, { cause: error });
        }
        throw error;
      }
    }
    const { baseDir, resolveGrader, recordJudgePrompt, userCode } = options;
    return new Scoring(registry, { baseDir, resolveGrader, recordJudgePrompt, userCode });
  }

  /** The task's scorer, prepared now or kept from a recent call. */
  for(task: Task): TaskScorer {
    const key = `${task.id}\0${task.version}`;
    let scorer = this.#kept.get(key);
    if (scorer === undefined) {
      scorer = prepareTask(task, `task "${task.id}" (${task.source})`, this.#registry, this.#context);
      for (const assertion of task.assert) this.#names.add(assertion.type.replace(/^not-/, ''));
      this.#kept.set(key, scorer);
      if (this.#kept.size > KEPT) this.#kept.delete(this.#kept.keys().next().value!);
    }
    return scorer;
  }

  /** `{ name: version }` of every scorer the tasks prepared so far use, for the run fingerprint. */
  versions(): Record<string, string> {
    return this.#registry.versions(this.#names);
  }
}
