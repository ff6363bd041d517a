import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { longestLength } from '../../report/format.js';
import type { PromptTemplate } from '../../types.js';
import { diffLines, formatDiff } from '../../util/diff.js';
import { findVersion, formatDate, type ProjectFlags, printJson, withProjectStore } from './project-store.js';

export async function promptsListCommand(flags: ProjectFlags & { json?: boolean }): Promise<number> {
  return withProjectStore(flags, async (project, store) => {
    const rows = [];
    for (const prompt of project.prompts) {
      const history = await store.promptHistory(prompt.name);
      rows.push({
        name: prompt.name,
        kind: prompt.kind,
        version: prompt.version,
        path: prompt.path,
        versions: history.length,
        gitCommit: prompt.gitCommit ?? null,
        gitTag: prompt.gitTag ?? null,
      });
    }
    if (flags.json) {
      printJson(rows);
      return EXIT.ok;
    }
    const width = longestLength(rows.map((row) => row.name));
    for (const row of rows) {
      process.stdout.write(
        `${row.name.padEnd(width)}  ${row.kind.padEnd(4)}  ${row.version}  ${row.versions} version${row.versions === 1 ? '' : 's'}  ${row.path}\n`,
      );
    }
    return EXIT.ok;
  });
}

/** A prompt's versions (oldest first), with the working copy's version marked current. */
async function versionsOf(
  name: string,
  flags: ProjectFlags,
  action: (
    versions: PromptTemplate[],
    current: PromptTemplate | undefined,
    dates: Map<string, number>,
  ) => number,
): Promise<number> {
  return withProjectStore(flags, async (project, store) => {
    const history = await store.promptHistory(name);
    const current = project.prompts.find((prompt) => prompt.name === name);
    if (!current && history.length === 0) {
      throw new UserError(
        `no prompt "${name}"`,
        'prompts',
        `known prompts: ${project.prompts.map((prompt) => prompt.name).join(', ')}`,
      );
    }
    const dates = new Map(history.map((entry) => [entry.version, entry.createdAt]));
    return action(
      history.map((entry) => entry.value),
      current,
      dates,
    );
  });
}

function pick(
  name: string,
  versions: PromptTemplate[],
  current: PromptTemplate | undefined,
  wanted: string,
  flag: string,
) {
  if (wanted === 'current') {
    if (!current)
      throw new UserError(`prompt "${name}" is no longer in the project`, flag, 'name a stored version');
    return current;
  }
  const matches = findVersion(versions, wanted);
  if (matches.length === 1) return matches[0]!;
  throw new UserError(
    matches.length
      ? `version "${wanted}" of prompt "${name}" is ambiguous`
      : `prompt "${name}" has no version "${wanted}"`,
    flag,
    `known versions: ${versions.map((version) => version.version).join(', ')} (or "current")`,
  );
}

export async function promptsShowCommand(
  name: string,
  flags: ProjectFlags & { version?: string; json?: boolean },
): Promise<number> {
  return versionsOf(name, flags, (versions, current, dates) => {
    const prompt = pick(name, versions, current, flags.version ?? 'current', '--version');
    if (flags.json) {
      printJson({ ...prompt, createdAt: dates.get(prompt.version) ?? null });
      return EXIT.ok;
    }
    const commit = prompt.gitCommit
      ? ` · git ${prompt.gitCommit.slice(0, 12)}${prompt.gitTag ? ` (${prompt.gitTag})` : ''}`
      : '';
    const when = dates.has(prompt.version) ? ` · first seen ${formatDate(dates.get(prompt.version)!)}` : '';
    process.stdout.write(
      `# ${prompt.name} version ${prompt.version} (${prompt.kind}, ${prompt.path})${commit}${when}\n`,
    );
    process.stdout.write(prompt.source.endsWith('\n') ? prompt.source : `${prompt.source}\n`);
    return EXIT.ok;
  });
}

export async function promptsHistoryCommand(
  name: string,
  flags: ProjectFlags & { json?: boolean },
): Promise<number> {
  return versionsOf(name, flags, (versions, current, dates) => {
    if (flags.json) {
      printJson(
        versions.map((prompt) => ({
          version: prompt.version,
          createdAt: dates.get(prompt.version),
          gitCommit: prompt.gitCommit ?? null,
          gitTag: prompt.gitTag ?? null,
          current: prompt.version === current?.version,
        })),
      );
      return EXIT.ok;
    }
    for (const prompt of versions) {
      const commit = prompt.gitCommit
        ? `  git ${prompt.gitCommit.slice(0, 12)}${prompt.gitTag ? ` (${prompt.gitTag})` : ''}`
        : '';
      const mark = prompt.version === current?.version ? '  (current)' : '';
      process.stdout.write(
        `${prompt.version}  ${formatDate(dates.get(prompt.version) ?? 0)}${commit}${mark}\n`,
      );
    }
    return EXIT.ok;
  });
}

export async function promptsDiffCommand(
  name: string,
  from: string,
  to: string | undefined,
  flags: ProjectFlags,
): Promise<number> {
  return versionsOf(name, flags, (versions, current) => {
    const before = pick(name, versions, current, from, '<v1>');
    const after = pick(name, versions, current, to ?? 'current', '<v2>');
    const diff = formatDiff(diffLines(before.source, after.source), 3);
    process.stdout.write(`--- ${name} ${before.version}\n+++ ${name} ${after.version}\n`);
    process.stdout.write(diff ? `${diff}\n` : '(no differences)\n');
    return EXIT.ok;
  });
}
