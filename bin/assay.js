#!/usr/bin/env node
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

// A run allocates a lot of short-lived data at a steady pace, and V8 lets the heap grow up to four
// times what is live before collecting it fully: that, not live data, made peak memory grow with
// the number of items (docs/benchmarks.md). Commands that run suites grow it by at most 30 %.
if (['run', 'ci', 'retry'].includes(process.argv.slice(2).find((arg) => !arg.startsWith('-')) ?? '')) {
  v8.setFlagsFromString('--heap-growing-percent=30');
}

const BUNDLE = fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url));
const TSC_MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** The command being run (`run`, `results`…), or `default`: each command keeps its own code cache. */
function commandName(argv) {
  const first = argv.slice(2).find((arg) => !arg.startsWith('-'));
  return first && /^[a-z][a-z-]{0,30}$/.test(first) ? first : 'default';
}

/**
 * Loads the esbuild bundle (`npm run build`) through V8's code cache: the first start of a command
 * compiles the bundle and, once the command is done, saves the code V8 compiled for it next to the
 * bundle; later starts of that command skip parsing and compiling (Node 20 has no compile cache for
 * ES modules, and this one also keeps the functions compiled while the command ran). Caches are
 * named after the bundle's content hash, so a rebuilt bundle never meets an old cache; a cache V8
 * rejects (another Node version) is written again. Returns undefined without a bundle.
 * ASSAY_CODE_CACHE=0 turns the cache off; ASSAY_CODE_CACHE_DIR puts it elsewhere (see codeCacheDir).
 */
function loadBundle() {
  let source;
  let buildId;
  let bundleStat;
  try {
    source = readFileSync(BUNDLE, 'utf8');
    bundleStat = statSync(BUNDLE);
    buildId = JSON.parse(readFileSync(path.join(path.dirname(BUNDLE), 'build.json'), 'utf8')).id;
  } catch {
    return undefined;
  }
  const useCache = process.env.ASSAY_CODE_CACHE !== '0' && /^[0-9a-f]{16}$/.test(buildId);
  // The bundle's size and time join the name: a bundle edited after the build never meets the
  // cache of the one it replaced (V8 itself only compares the source's length).
  const cacheFile = path.join(
    codeCacheDir(),
    `${buildId}-${bundleStat.size}-${Math.floor(bundleStat.mtimeMs)}-${process.version}-${commandName(process.argv)}.bin`,
  );
  const cachedData = useCache ? readCodeCache(cacheFile) : undefined;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
    // User modules (file: providers, custom scorers) are imported as usual.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // Code restored from the cache cannot import() on Node 20: the bundle imports through this.
  globalThis.__assayImport = (specifier) => import(specifier);
  const bundleModule = { exports: {} };
  script.runInThisContext()(
    bundleModule.exports,
    createRequire(BUNDLE),
    bundleModule,
    BUNDLE,
    path.dirname(BUNDLE),
  );
  const saveCache =
    useCache && (cachedData === undefined || script.cachedDataRejected)
      ? () => writeCodeCache(cacheFile, script.createCachedData(), buildId)
      : () => undefined;
  return { main: bundleModule.exports.main, saveCache };
}

/**
 * Where code caches live: ASSAY_CODE_CACHE_DIR; else dist/bundle/code-cache (emptied by every
 * build); else, when this user cannot write there (a global or read-only install), the user's
 * cache directory ($XDG_CACHE_HOME or ~/.cache, then assay/code-cache).
 */
function codeCacheDir() {
  if (process.env.ASSAY_CODE_CACHE_DIR) return process.env.ASSAY_CODE_CACHE_DIR;
  const beside = path.join(path.dirname(BUNDLE), 'code-cache');
  try {
    accessSync(existsSync(beside) ? beside : path.dirname(BUNDLE), constants.W_OK);
    return beside;
  } catch {
    return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'assay', 'code-cache');
  }
}

/**
 * Creates `dir` and its missing parents one level at a time: Node 20's recursive mkdir spins
 * forever on some paths (ASSAY_CODE_CACHE_DIR=/proc/x). The CLI's own folders go through
 * util/output-files.ts; this loader runs before the bundle is loaded.
 */
function makeFolder(dir) {
  const missing = [];
  for (let current = path.resolve(dir); !existsSync(current); current = path.dirname(current)) {
    if (path.dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const level of missing) mkdirSync(level);
}

/**
 * A cache file is a checksum of the code, then the code. V8 checks only a cache's header, and
 * deserialising damaged code aborts the process (Node 20 does not verify its checksum): a file
 * whose checksum does not match is ignored, and written again.
 */
const CHECKSUM_BYTES = 20;

function checksum(data) {
  return createHash('sha1').update(data).digest();
}

function readCodeCache(file) {
  let content;
  try {
    content = readFileSync(file);
  } catch {
    return undefined; // not written yet: this start writes it
  }
  if (content.length <= CHECKSUM_BYTES) return undefined;
  const code = content.subarray(CHECKSUM_BYTES);
  return checksum(code).equals(content.subarray(0, CHECKSUM_BYTES)) ? code : undefined;
}

function writeCodeCache(file, code, buildId) {
  try {
    makeFolder(path.dirname(file));
    // No build empties a directory outside the package: caches of other builds go here.
    for (const name of readdirSync(path.dirname(file))) {
      if (/^[0-9a-f]{16}-.*\.bin$/.test(name) && !name.startsWith(`${buildId}-`))
        rmSync(path.join(path.dirname(file), name), { force: true });
    }
    // Unique per writer, so processes starting together never write into one temporary file.
    const temporary = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, Buffer.concat([checksum(code), code]));
    renameSync(temporary, file);
  } catch {
    // A directory this user cannot write: the command runs without a cache.
  }
}

let loaded = loadBundle();
if (!loaded && !existsSync(TSC_MAIN)) {
  // A checkout before its first build: one line, not a module-not-found stack.
  const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
  process.stderr.write(`assay: not built yet: run \`npm run build\` in ${root} (after \`npm install\`)\n`);
  process.exit(70);
}
if (!loaded) {
  // Plain tsc output: Node 22.1+ keeps V8's compiled code on disk between runs; older Nodes lack the call.
  module.enableCompileCache?.();
  const { main } = await import('../dist/cli/main.js');
  loaded = { main, saveCache: () => undefined };
}

/** Exits as soon as stdout and stderr are flushed, rather than waiting for lingering cleanup. */
function exitWhenFlushed(code) {
  loaded.saveCache();
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

loaded.main(process.argv).then(exitWhenFlushed, (error) => {
  process.stderr.write(`assay: internal error: ${error?.stack ?? error}\n`);
  exitWhenFlushed(70);
});
