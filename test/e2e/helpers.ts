import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonReport } from '../../src/report/json.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'bin', 'assay.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the built CLI (`npm test` builds first). The environment is minimal and never holds real keys. */
export function startCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; user?: { uid: number; gid: number } },
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user ?? {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; user?: { uid: number; gid: number } },
): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A temp project directory with the given files; returns its path and a cleanup function. */
export async function makeProject(
  files: Record<string, string>,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-e2e-'));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `n` arithmetic tasks as JSONL, each with a distinct question so journal entries identify them. */
export function arithmeticTasks(n: number, failEvery = 0): string {
  const lines: string[] = [];
  for (let index = 1; index <= n; index++) {
    const wrong = failEvery > 0 && index % failEvery === 0;
    lines.push(
      JSON.stringify({
        id: `t${index}`,
        vars: { question: `What is ${index} + 1000?` },
        expected: String(index + 1000 + (wrong ? 1 : 0)),
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function parseReport(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

/** The question a journaled chat request asked (the last user message). */
export function questionOf(body: unknown): string {
  const messages = (body as { messages?: Array<{ role: string; content: string }> }).messages ?? [];
  return (
    messages
      .filter((message) => message.role === 'user')
      .at(-1)
      ?.content.trim() ?? ''
  );
}

/** Polls until `check` is true, for at most `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Environment pointing the OpenAI provider at the mock server, with a fake key and a per-project database. */
export function mockEnv(
  mockUrl: string,
  dir: string,
  apiKey = 'sk-test-secret-123456',
): Record<string, string> {
  return { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${mockUrl}/v1`, ASSAY_DB: `${dir}/.assay/assay.db` };
}
