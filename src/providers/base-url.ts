/**
 * Base URLs as users write them: with or without the API's version segment, with or without a trailing
 * slash. Every HTTP adapter resolves its endpoint root here, so `https://host` and `https://host/v1` reach
 * the same endpoints whichever provider it is.
 */
import { UserError } from '../errors.js';

/** Where a provider's endpoints sit under its base URL. */
export interface ApiVersion {
  /** The version segment the adapter's paths live under, e.g. `/v1`; added when the base has none. */
  segment: string;
  /** Trailing segments that already name a version the API serves, kept as written. @default the segment */
  named?: RegExp;
  /**
   * Whether a base URL with a path of its own (a gateway prefix such as `…/openai`) is the root as
   * written, as OpenAI-style clients take it; a bare origin still gets the segment.
   * @default false: the segment is added to any base without one, as Anthropic and Gemini clients do
   */
  prefixIsRoot?: boolean;
}

/**
 * The endpoint root for `base`: `https://api.anthropic.com`, `…/`, and `…/v1` all give
 * `https://api.anthropic.com/v1` with `{ segment: '/v1' }`. `who` names the target in the error for a
 * base that is not an absolute http(s) URL.
 */
export function apiRoot(base: string, version: ApiVersion, who: string): string {
  const trimmed = base.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch (error) {
    throw invalidBase(base, who, error);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidBase(base, who);
  const named = version.named ? version.named.test(url.pathname) : url.pathname.endsWith(version.segment);
  if (named) return trimmed;
  if (version.prefixIsRoot && url.pathname !== '/') return trimmed;
  return `${trimmed}${version.segment}`;
}

/** `root` without a trailing `segment`: the site a cache scope names, as it did before roots were resolved. */
export function withoutSegment(root: string, segment: string): string {
  return root.endsWith(segment) ? root.slice(0, -segment.length) : root;
}

function invalidBase(base: string, who: string, cause?: unknown): UserError {
  return new UserError(
    `${who}: base URL \`${base}\` is not an absolute http(s) URL`,
    undefined,
    'write it as http(s)://host[:port][/path], e.g. https://api.example.com/v1',
    { cause },
  );
}
