import { UserError } from '../errors.js';

/** An API key the environment lacks. A run collects them all and reports them in one message. */
export class MissingKeyError extends UserError {
  override name = 'MissingKeyError';
  constructor(
    /** The variable to set (`GEMINI_API_KEY or GOOGLE_API_KEY` when either would do). */
    readonly variable: string,
    /** The provider id that needs it. */
    readonly neededBy: string,
    hint = `set ${variable.split(' or ')[0]} in the environment or in .env`,
  ) {
    super(`${variable} is not set (needed by ${neededBy})`, undefined, hint);
  }
}

/**
 * One error for every missing key: a single one is itself; several are listed in one line, one
 * entry per variable (the caller adds where the targets are written).
 */
export function missingKeysError(missing: readonly MissingKeyError[]): UserError {
  const [first] = missing;
  if (missing.length === 1 && first) return first;
  const byVariable = new Map<string, Set<string>>();
  for (const error of missing) {
    const users = byVariable.get(error.variable) ?? new Set<string>();
    users.add(error.neededBy);
    byVariable.set(error.variable, users);
  }
  const entries = [...byVariable].map(
    ([variable, users]) => `${variable} (needed by ${[...users].join(', ')})`,
  );
  return new UserError(
    `${byVariable.size === 1 ? 'an API key is' : `${byVariable.size} API keys are`} not set: ${entries.join('; ')}`,
    undefined,
    'set them in the environment or in .env (`assay providers list` shows which are set)',
    { cause: missing },
  );
}
