/** Events counted in slots of 100 ms over the last minute, so a count over a span needs no list. */
export class RecentCount {
  static readonly SLOT_MS = 100;
  static readonly SLOTS = 600;
  readonly #counts = new Array<number>(RecentCount.SLOTS).fill(0);
  readonly #ids = new Array<number>(RecentCount.SLOTS).fill(-1);

  add(at: number): void {
    const id = Math.floor(at / RecentCount.SLOT_MS);
    const index = id % RecentCount.SLOTS;
    if (this.#ids[index] !== id) {
      this.#ids[index] = id;
      this.#counts[index] = 0;
    }
    this.#counts[index]!++;
  }

  /** Events in the `spanMs` (at most a minute, in whole slots) that end at `at`. */
  count(at: number, spanMs: number): number {
    const last = Math.floor(at / RecentCount.SLOT_MS);
    const first = last - Math.min(RecentCount.SLOTS, Math.ceil(spanMs / RecentCount.SLOT_MS)) + 1;
    let total = 0;
    for (let index = 0; index < RecentCount.SLOTS; index++) {
      const id = this.#ids[index]!;
      if (id >= first && id <= last) total += this.#counts[index]!;
    }
    return total;
  }
}
