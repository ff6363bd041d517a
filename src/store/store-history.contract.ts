import { afterEach, expect, it, vi } from 'vitest';
import type { PromptTemplate, Task } from '../types.js';
import { type ContractContext, makeTask, prompt, unique } from './test-helpers.js';

const t1 = Date.UTC(2030, 0, 1);
const t2 = Date.UTC(2030, 0, 2);
const t3 = Date.UTC(2030, 0, 3);

/** Contract cases for version history and task archiving. Stores stamp versions with `Date.now()`. */
export function describeHistoryContract({ store }: ContractContext): void {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function saveAt(time: number, tasks: Task[], prompts: PromptTemplate[] = []): Promise<void> {
    vi.useFakeTimers({ toFake: ['Date'], now: time });
    try {
      await store().saveVersions({ tasks, prompts, targets: [] });
    } finally {
      vi.useRealTimers();
    }
  }

  it('keeps every version of a task and of a prompt, oldest first, as they were', async () => {
    const first = makeTask({ version: 'v-b' });
    const { expected: _, ...withoutExpected } = first;
    const second: Task = { ...withoutExpected, version: 'v-a', threshold: 0.5, tags: ['smoke', 'new'] };
    const third: Task = {
      ...first,
      version: 'v-c',
      metadata: { owner: 'ana', level: 2 },
      source: 'tasks/b.yaml',
    };
    const name = unique('prompt');
    const prompts: PromptTemplate[] = [
      { ...prompt, name, version: 'p2' },
      { ...prompt, name, version: 'p1', kind: 'text', source: 'Hi {{ name }}' },
    ];
    const { gitCommit: __, ...uncommitted } = prompts[1]!;
    await saveAt(t1, [first], [prompts[0]!]);
    await saveAt(t2, [second, first], [uncommitted]);
    // Saving a stored version again keeps its first time.
    await saveAt(t3, [third, second], [prompts[0]!]);

    expect(await store().taskHistory(first.id)).toStrictEqual([
      { version: 'v-b', createdAt: t1, value: first },
      { version: 'v-a', createdAt: t2, value: second },
      { version: 'v-c', createdAt: t3, value: third },
    ]);
    expect(await store().promptHistory(name)).toStrictEqual([
      { version: 'p2', createdAt: t1, value: prompts[0] },
      { version: 'p1', createdAt: t2, value: uncommitted },
    ]);
    expect(await store().taskHistory(unique('missing'))).toEqual([]);
    expect(await store().promptHistory(unique('missing'))).toEqual([]);
  });

  it('orders versions stored at the same time by version', async () => {
    const task = makeTask({ version: 'v-2' });
    await saveAt(t1, [task, { ...task, version: 'v-1' }]);
    expect((await store().taskHistory(task.id)).map((record) => record.version)).toEqual(['v-1', 'v-2']);
  });

  it('lists task ids with their versions, and archives and restores tasks', async () => {
    const prefix = unique('listed');
    const a = makeTask({ id: `${prefix}-a` });
    const b = makeTask({ id: `${prefix}-b` });
    await saveAt(t1, [a, b]);
    await saveAt(t2, [{ ...a, version: 'tv2' }]);
    const mine = async () => (await store().listTaskIds()).filter((entry) => entry.taskId.startsWith(prefix));

    expect(await mine()).toStrictEqual([
      { taskId: a.id, versions: 2, latestAt: t2, archivedAt: null },
      { taskId: b.id, versions: 1, latestAt: t1, archivedAt: null },
    ]);

    await store().archiveTask(a.id, 111);
    await store().archiveTask(a.id, 222);
    expect((await store().archivedTaskIds()).has(a.id)).toBe(true);
    expect((await store().archivedTaskIds()).has(b.id)).toBe(false);
    expect((await mine()).map((entry) => entry.archivedAt)).toEqual([111, null]);

    await store().restoreTask(a.id);
    await store().restoreTask(unique('never-archived'));
    expect((await store().archivedTaskIds()).has(a.id)).toBe(false);
    expect((await mine()).map((entry) => entry.archivedAt)).toEqual([null, null]);
    // History survives archiving.
    expect(await store().taskHistory(a.id)).toHaveLength(2);
  });
}
