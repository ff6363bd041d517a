import type { SkippedItem } from './types.js';

/** Collects skipped samples by reason, so 10,000 alike skips make one line naming a few of them. */
export class SkipTally {
  readonly #byReason = new Map<string, { items: string[]; count: number; where: string }>();

  add(item: string, where: string, reason: string): void {
    const entry = this.#byReason.get(reason);
    if (!entry) {
      this.#byReason.set(reason, { items: [item], count: 1, where });
      return;
    }
    entry.count++;
    if (entry.items.length < 5) entry.items.push(item);
  }

  get size(): number {
    let total = 0;
    for (const entry of this.#byReason.values()) total += entry.count;
    return total;
  }

  list(): SkippedItem[] {
    return [...this.#byReason].map(([reason, { items, count, where }]) => ({
      item: `${items.join(', ')}${count > items.length ? ` and ${count - items.length} more` : ''}`,
      where,
      reason,
    }));
  }
}
