#!/usr/bin/env node
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code on disk between runs; older Nodes lack the call.
module.enableCompileCache?.();
// The esbuild bundle (`npm run build`) loads a few files instead of hundreds of modules; plain tsc
// output is the fallback.
const bundled = new URL('../dist/bundle/main.js', import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : '../dist/cli/main.js');

/** Exits as soon as stdout and stderr are flushed, rather than waiting for lingering cleanup. */
function exitWhenFlushed(code) {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv).then(exitWhenFlushed, (error) => {
  process.stderr.write(`assay: internal error: ${error?.stack ?? error}\n`);
  exitWhenFlushed(70);
});
