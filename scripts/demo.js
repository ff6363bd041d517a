// `npm run demo`: starts the mock LLM server on loopback, runs examples/quickstart against it,
// then shows the stored results. Needs `npm run build` first (the npm script does it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockServer } from '../dist/mock/server.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, 'bin', 'assay.js');
const config = path.join(root, 'examples', 'quickstart', 'assay.yaml');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'assay-demo-'));

function assay(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const mock = await startMockServer({ port: 0, latencyMs: 20 });
const env = {
  ...process.env,
  // The mock server stands in for OpenAI: no real key is needed or sent anywhere else.
  OPENAI_API_KEY: 'mock-key',
  OPENAI_BASE_URL: `${mock.url}/v1`,
  ASSAY_MOCK_URL: mock.url,
  ASSAY_DB: path.join(dataDir, 'assay.db'),
};
try {
  console.log(`mock LLM server on ${mock.url}\n\n$ assay run -c examples/quickstart/assay.yaml`);
  const code = await assay(['run', '-c', config], env);
  console.log(
    `\nexit code ${code} (0 = all passed, 1 = some failed: the quickstart has failures on purpose)`,
  );
  console.log('\n$ assay results --run latest --failed');
  await assay(['results', '--run', 'latest', '--failed', '-c', config], env);
  console.log(
    '\n$ assay run -c examples/quickstart/assay.yaml --suite critical   # second run: answers come from the cache',
  );
  await assay(['run', '-c', config, '--suite', 'critical'], env);
  process.exitCode = code === 0 || code === 1 ? 0 : code;
} finally {
  await mock.close();
  rmSync(dataDir, { recursive: true, force: true });
}
