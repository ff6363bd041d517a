#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

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
