#!/usr/bin/env node
// The bare loop as a program of its own, started cold like `assay run` (Node's start, loading
// undici, code not yet optimised): `node bench/bare-loop.js <mock url> <count> <concurrency>`.
// bench/run.js times it from spawn to exit, as it times Assay.
import { BenchError, bareLoop } from './workload.js';

const [url, count, concurrency] = process.argv.slice(2);
try {
  await bareLoop(url, Number(count), Number(concurrency));
} catch (error) {
  process.stderr.write(`bare loop: ${error instanceof BenchError ? error.message : error?.stack}\n`);
  process.exit(1);
}
