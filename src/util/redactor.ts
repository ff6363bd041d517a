/**
 * Replaces secret values in text with a reference to where they came from (`${OPENAI_API_KEY}`).
 * Every string bound for the store, the cache, a log or an export passes through one, so a server
 * that echoes a header or a key back (in an error body, in a usage object) never gets it written.
 */
export interface Secret {
  /** The environment variable the value came from. */
  name: string;
  value: string;
}

/** Values shorter than this are not treated as secrets: redacting `1` or `true` would mangle text. */
export const MIN_SECRET_LENGTH = 8;

/** Environment variable names that hold credentials by convention. */
const SECRET_NAME = /key|token|secret|passw|credential|auth|cookie|session/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * The forms a secret takes in transit: as is, URL-encoded, and base64 (as in a Basic auth header) at
 * each of the three alignments it can have inside a longer encoded string.
 */
function encodedForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value)]);
  const bytes = Buffer.from(value, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Characters fully determined by the secret's own bits, whatever surrounds it.
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (core.length >= MIN_SECRET_LENGTH) {
      forms.add(core);
      forms.add(core.replaceAll('+', '-').replaceAll('/', '_'));
    }
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  readonly #pattern: RegExp | null;
  readonly #names: Map<string, string>;

  constructor(secrets: Iterable<Secret>) {
    this.#names = new Map();
    for (const { name, value } of secrets) {
      if (value.length < MIN_SECRET_LENGTH) continue;
      for (const form of encodedForms(value)) if (!this.#names.has(form)) this.#names.set(form, name);
    }
    // Longest first, so a secret that contains another is replaced whole.
    const forms = [...this.#names.keys()].sort((a, b) => b.length - a.length);
    this.#pattern = forms.length > 0 ? new RegExp(forms.map(escapeRegExp).join('|'), 'g') : null;
  }

  /** No secrets to look for: every call returns its input. */
  get empty(): boolean {
    return this.#pattern === null;
  }

  text(value: string): string {
    const pattern = this.#pattern;
    if (pattern === null) return value;
    pattern.lastIndex = 0;
    if (!pattern.test(value)) return value;
    pattern.lastIndex = 0;
    return value.replace(pattern, (found) => `\${${this.#names.get(found)}}`);
  }

  /** A copy of a JSON-like value with every string redacted (the value itself when nothing changed). */
  value<T>(value: T): T {
    if (this.#pattern === null) return value;
    return this.#walk(value) as T;
  }

  #walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let index = 0; index < value.length; index++) {
        const inner = this.#walk(value[index]);
        if (inner !== value[index]) {
          copy ??= value.slice();
          copy[index] = inner;
        }
      }
      return copy ?? value;
    }
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      const original = (value as Record<string, unknown>)[key];
      const inner = this.#walk(original);
      if (inner !== original) {
        copy ??= { ...(value as Record<string, unknown>) };
        copy[key] = inner;
      }
    }
    return copy ?? value;
  }
}

/** A redactor that changes nothing. */
export const NO_SECRETS = new Redactor([]);

/**
 * The secrets in use: every environment variable with a credential-like name, plus every value the
 * config took from the environment into a place that carries credentials (headers, URLs, options).
 */
export function secretsInUse(env: NodeJS.ProcessEnv, referenced: Iterable<Secret> = []): Secret[] {
  const secrets: Secret[] = [...referenced];
  for (const [name, value] of Object.entries(env)) {
    if (value && looksSecret(name)) secrets.push({ name, value });
  }
  return secrets;
}
