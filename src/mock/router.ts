/** Finds the dialect route for a method and path: a map lookup for exact paths, then patterns in order. */
import type { Dialect, MockRoute } from './dialect.js';

export interface RouteMatch {
  dialect: Dialect;
  route: MockRoute;
}

export class Router {
  private readonly exact = new Map<string, Map<string, RouteMatch>>();
  private readonly patterns: Array<RouteMatch & { pattern: RegExp }> = [];

  constructor(dialects: readonly Dialect[]) {
    for (const dialect of dialects) {
      for (const route of dialect.routes) this.add({ dialect, route });
    }
  }

  find(method: string, path: string): RouteMatch | undefined {
    const match = this.exact.get(method)?.get(path);
    if (match) return match;
    for (const candidate of this.patterns) {
      if (candidate.route.method === method && candidate.pattern.test(path)) return candidate;
    }
    return undefined;
  }

  private add(match: RouteMatch): void {
    const { method, path } = match.route;
    if (path instanceof RegExp) {
      this.patterns.push({ ...match, pattern: path });
      return;
    }
    let byPath = this.exact.get(method);
    if (!byPath) {
      byPath = new Map();
      this.exact.set(method, byPath);
    }
    if (byPath.has(path)) throw new Error(`Two mock dialects claim ${method} ${path}`);
    byPath.set(path, match);
  }
}
