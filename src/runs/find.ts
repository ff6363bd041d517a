import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../types.js';

/** A run by id, unique id prefix, or `latest`; a UserError naming the argument otherwise. */
export async function requireRun(
  store: Pick<Store, 'getRun' | 'listRuns'>,
  id: string,
  where: string,
): Promise<RunRecord> {
  const exact = await store.getRun(id);
  if (exact) return exact;
  if (id.length >= 4 && id !== 'latest') {
    const matches = (await store.listRuns({})).filter(({ run }) => run.id.startsWith(id));
    if (matches.length === 1) return matches[0]!.run;
    if (matches.length > 1) {
      throw new UserError(`run id prefix "${id}" is ambiguous`, where, 'give more characters of the id');
    }
  }
  throw new UserError(`no run "${id}"`, where, 'list runs with `assay runs`; "latest" is the newest');
}
