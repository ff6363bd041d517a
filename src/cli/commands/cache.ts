import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { formatUsd } from '../../report/format.js';
import { parseDuration } from '../../util/duration.js';
import {
  currentActor,
  formatDate,
  type ProjectFlags,
  printJson,
  withReadOnlyStore,
  withStore,
} from './project-store.js';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function cacheStatsCommand(flags: ProjectFlags & { json?: boolean }): Promise<number> {
  return withReadOnlyStore(flags, async (store, cache) => {
    const stats = await cache.stats(Date.now());
    // What the cache saved: the original cost of every answer it served, over all stored runs.
    const saved = await store.costBreakdown({ since: 0, by: 'month' });
    const savedUsd = saved.reduce((sum, row) => sum + row.savedUsd, 0);
    const hits = saved.reduce((sum, row) => sum + row.cachedCalls, 0);
    if (flags.json) {
      printJson({ ...stats, hits, savedUsd });
      return EXIT.ok;
    }
    process.stdout.write(
      `${[
        `entries  ${stats.entries} (${stats.expired} expired, kept for degrade: cache)`,
        `size     ~${formatBytes(stats.bytes)}`,
        `oldest   ${stats.oldestAt === null ? '-' : formatDate(stats.oldestAt)}`,
        `newest   ${stats.newestAt === null ? '-' : formatDate(stats.newestAt)}`,
        `served   ${hits} cached answers, saving ${formatUsd(savedUsd)}`,
      ].join('\n')}\n`,
    );
    return EXIT.ok;
  });
}

export async function cachePruneCommand(flags: ProjectFlags & { olderThan?: string }): Promise<number> {
  const now = Date.now();
  const createdBefore = flags.olderThan ? now - parseDuration(flags.olderThan, '--older-than') : undefined;
  return withStore(flags, async (_store, cache) => {
    const actor = await currentActor();
    const removed = await cache.prune(
      createdBefore !== undefined ? { createdBefore, actor } : { expiredAt: now, actor },
    );
    process.stdout.write(
      `removed ${removed} cache entr${removed === 1 ? 'y' : 'ies'} ${createdBefore !== undefined ? `older than ${flags.olderThan}` : 'past their TTL'}\n`,
    );
    return EXIT.ok;
  });
}

export async function cacheClearCommand(flags: ProjectFlags & { yes?: boolean }): Promise<number> {
  if (!flags.yes) {
    if (!process.stdin.isTTY) {
      throw new UserError('cache clear deletes every cached answer', 'cache clear', 'add --yes to confirm');
    }
    const { confirm, isCancel } = await import('@clack/prompts');
    const answer = await confirm({
      message: 'Delete every cached answer? Re-runs will pay for their calls again.',
    });
    if (isCancel(answer) || !answer) {
      process.stdout.write('cache kept\n');
      return EXIT.ok;
    }
  }
  return withStore(flags, async (_store, cache) => {
    const removed = await cache.clear({ actor: await currentActor() });
    process.stdout.write(`removed ${removed} cache entr${removed === 1 ? 'y' : 'ies'}\n`);
    return EXIT.ok;
  });
}
