#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/bundle/main.cjs, with esbuild (run by `npm run build`,
// after tsc). bin/assay.js compiles it with V8's code cache (see there): a command's second start
// skips parsing and compiling, which Node 20 cannot do for ES modules. Commands stay lazy: modules
// reached only through `import()` are wrapped in initialisers that run when first imported.
//
// Also writes dist/bundle/build.json, the bundle's content hash: code caches are named after it, so
// a rebuilt bundle never runs with another build's cache. bin/assay.js falls back to
// dist/cli/main.js when the bundle is missing.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
const OUT = path.join(ROOT, 'dist', 'bundle');
const BUNDLE = path.join(OUT, 'main.cjs');

// Native or loaded at run time from their own files: never inlined.
const EXTERNAL = ['better-sqlite3', 'jiti', '@pydantic/genai-prices', 'fsevents', 'chokidar'];

/**
 * Modules that find files next to themselves (`new URL('../../judges/', import.meta.url)`,
 * `createRequire(import.meta.url)`) keep resolving from where tsc puts them in dist/: their
 * `import.meta.url` becomes the URL of that dist file. (Dependencies that read `import.meta.url`
 * get the bundle's own URL, through `define` below.)
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
        contents: source.replaceAll('import.meta.url', `__assayDistUrl(${JSON.stringify(relative)})`),
        loader: 'ts',
      };
    });
  },
};

// Top-level helpers of the bundle: the URL of the bundle itself, and of a file beside it. The
// directive comes first: after the banner, esbuild's own "use strict" would no longer be one, and
// the bundle must stay strict as the ES modules it is made of are.
const BANNER = [
  "'use strict';",
  "var __assayBundleUrl = require('node:url').pathToFileURL(__filename).href;",
  "var __assayDistUrl = (relative) => require('node:url').pathToFileURL(require('node:path').join(__dirname, relative)).href;",
].join('\n');

fs.rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: [path.join(SRC, 'cli', 'main.ts')],
  outfile: BUNDLE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  define: { 'import.meta.url': '__assayBundleUrl' },
  banner: { js: BANNER },
  sourcemap: 'linked',
  // Less text to read and decode at every start; names stay, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [metaUrlPlugin],
});
const id = createHash('sha256').update(fs.readFileSync(BUNDLE)).digest('hex').slice(0, 16);
fs.writeFileSync(path.join(OUT, 'build.json'), `${JSON.stringify({ id })}\n`);
