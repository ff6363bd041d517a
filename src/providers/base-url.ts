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
  const { path, query } = splitQuery(base.trim());
  const trimmed = path.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch (error) {
    throw invalidBase(base, who, error);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidBase(base, who);
  const named = version.named ? version.named.test(url.pathname) : url.pathname.endsWith(version.segment);
  if (named || (version.prefixIsRoot && url.pathname !== '/')) return `${trimmed}${query}`;
  return `${trimmed}${version.segment}${query}`;
}

/** A URL's part before its query (and fragment), and the query with its `?` ('' when none). */
function splitQuery(url: string): { path: string; query: string } {
  const cut = url.search(/[?#]/);
  if (cut < 0) return { path: url, query: '' };
  const query = url.slice(cut).replace(/#.*$/, '');
  return { path: url.slice(0, cut), query: query === '?' ? '' : query };
}

/**
 * An endpoint under a root: `suffix` (`/messages`, `:generateContent?alt=sse`) goes after the root's
 * path and before its query, so a base URL such as `https://gw/v1?api-version=2024-06` keeps its
 * parameters on every endpoint.
 */
export function endpoint(root: string, suffix: string): string {
  const { path, query } = splitQuery(root);
  const own = splitQuery(suffix);
  const params = [query.slice(1), own.query.slice(1)].filter(Boolean).join('&');
  return `${path.replace(/\/+$/, '')}${own.path}${params ? `?${params}` : ''}`;
}

/** `root` without a trailing `segment`: the site a cache scope names, as it did before roots were resolved. */
export function withoutSegment(root: string, segment: string): string {
  const { path, query } = splitQuery(root);
  return `${path.endsWith(segment) ? path.slice(0, -segment.length) : path}${query}`;
}

function invalidBase(base: string, who: string, cause?: unknown): UserError {
  return new UserError(
    `${who}: base URL \`${base}\` is not an absolute http(s) URL`,
    undefined,
    'write it as http(s)://host[:port][/path], e.g. https://api.example.com/v1',
    { cause },
  );
}
