#!/usr/bin/env node
// Writes dist/pricing/prices-snapshot.json (run by `npm run build`, after tsc): the flat prices of
// the models genai-prices lists for Assay's pricing providers, computed with the same code a run
// uses, so a first run in a project need not load the price library (see src/pricing/price.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { buildPriceSnapshot } = await import(path.join(ROOT, 'dist', 'pricing', 'price.js'));
const snapshot = await buildPriceSnapshot();
const file = path.join(ROOT, 'dist', 'pricing', 'prices-snapshot.json');
fs.writeFileSync(file, JSON.stringify(snapshot));
process.stdout.write(
  `price snapshot: ${Object.keys(snapshot.entries).length} models -> ${path.relative(ROOT, file)}\n`,
);
