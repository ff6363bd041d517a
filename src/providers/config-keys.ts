/**
 * Which target `config` keys an adapter sends. Each adapter lists the request fields its API documents;
 * a key outside the list is refused when the run is prepared (a UserError, exit 2) and never sent.
 *
 * Refused rather than dropped with a warning: a dropped key would still be part of the target's version
 * (results would claim `seed: 7` for a call made without it), a typo such as `temprature` would cost a
 * whole run before anyone read the warning, and the check runs before the first paid call.
 */
import { ProviderError, UserError } from '../errors.js';
import type { GenerationConfig } from '../types.js';

export interface ConfigKeys {
  /** The API's name in messages, e.g. `Anthropic Messages`. */
  api: string;
  /** Keys sent (as they are, or under the API's own name for the platform's max_tokens, stop…). */
  accepted: ReadonlySet<string>;
  /** Why a key some other API takes is refused here, e.g. seed on Anthropic. */
  reasons?: Readonly<Record<string, string>>;
}

/** Checks config keys once per config object: every item of a target shares one. */
export class ConfigGate {
  private readonly checked = new WeakMap<object, string | null>();

  constructor(
    private readonly id: string,
    private readonly keys: ConfigKeys,
  ) {}

  /** For the factory: refuses the target's config before the run starts. */
  prepare(config: GenerationConfig | undefined): void {
    const problem = config ? this.problem(config) : undefined;
    if (problem) throw new UserError(problem, undefined, this.hint(config!));
  }

  /** For each call: a config that never went through `prepare` (library use) fails without being sent. */
  check(config: GenerationConfig): void {
    const problem = this.problem(config);
    if (problem) throw new ProviderError('permanent', `${problem}; nothing was sent`);
  }

  private problem(config: GenerationConfig): string | undefined {
    let problem = this.checked.get(config);
    if (problem === undefined) {
      const names = this.refused(config).map((key) => {
        const reason = this.keys.reasons?.[key];
        return reason ? `\`${key}\` (${reason})` : `\`${key}\``;
      });
      const what =
        names.length === 1
          ? `key ${names[0]} is not a request field`
          : `keys ${names.join(', ')} are not request fields`;
      problem = names.length === 0 ? null : `${this.id}: config ${what} of ${this.keys.api}`;
      this.checked.set(config, problem);
    }
    return problem ?? undefined;
  }

  private refused(config: GenerationConfig): string[] {
    return Object.keys(config).filter((key) => config[key] !== undefined && !this.keys.accepted.has(key));
  }

  private hint(config: GenerationConfig): string {
    const keys = this.refused(config);
    return `remove ${keys.length === 1 ? 'it' : 'them'} from the target's config; ${this.keys.api} takes: ${[
      ...this.keys.accepted,
    ].join(', ')}`;
  }
}
