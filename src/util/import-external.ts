/**
 * `import()` of a module outside the bundle: a user's file or an external dependency.
 *
 * bin/assay.js runs the bundle from V8's code cache, and Node 20 loses the dynamic-import hook of
 * code restored from a cache ("A dynamic import callback was not specified"). So bin/assay.js
 * lends its own `import()` as `globalThis.__assayImport`; without it (plain tsc output, tests) the
 * module imports as usual. Specifiers resolve from the package root either way: bin/ and dist/ sit
 * beside node_modules.
 */
export function importExternal<T = unknown>(specifier: string): Promise<T> {
  const lent = (globalThis as { __assayImport?: (specifier: string) => Promise<unknown> }).__assayImport;
  return (lent ? lent(specifier) : import(specifier)) as Promise<T>;
}
