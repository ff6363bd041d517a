#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ with esbuild (run by `npm run build`, after tsc): one entry file
// plus one chunk per lazily imported command, so `assay --version` still loads almost nothing while
// `assay run` loads a few files instead of hundreds of modules (see docs/benchmarks.md).
//
// bin/assay.js prefers the bundle and falls back to dist/cli/main.js when it is missing.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
const OUT = path.join(ROOT, 'dist', 'bundle');

// Native or loaded at run time from their own files: never inlined.
const EXTERNAL = ['better-sqlite3', 'jiti', '@pydantic/genai-prices', 'fsevents', 'chokidar'];

/**
 * Modules that find files next to themselves (`new URL('../../judges/', import.meta.url)`,
 * `createRequire(import.meta.url)`) keep resolving from where tsc puts them in dist/: their
 * `import.meta.url` becomes the URL of that dist file.
 */
const metaUrlPlugin = {
  name: 'dist-import-meta-url',
  setup(plugin) {
    plugin.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      if (!args.path.startsWith(SRC) || !source.includes('import.meta.url')) return undefined;
      const distFile = path.join(ROOT, 'dist', path.relative(SRC, args.path)).replace(/\.ts$/, '.js');
      const relative = path.relative(OUT, distFile).split(path.sep).join('/');
      return {
        contents: source.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(relative)}, import.meta.url).href`,
        ),
        loader: 'ts',
      };
    });
  },
};

fs.rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(SRC, 'cli', 'main.ts') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  // CommonJS dependencies call require() for Node built-ins; ESM output has no require of its own.
  banner: {
    js: "import { createRequire as __assayCreateRequire } from 'node:module'; const require = __assayCreateRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [metaUrlPlugin],
});
