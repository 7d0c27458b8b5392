/**
 * The offsets of one fetched batch, in order. A record may finish in any order; the batch's
 * resolvable offset only moves up, to the last record of the unbroken run of finished records
 * from the start, so a committed offset never passes a record whose outputs are not acknowledged.
 */
export class OffsetTracker {
  private readonly done: boolean[];
  private next = 0;

  constructor(private readonly offsets: readonly string[]) {
    this.done = offsets.map(() => false);
  }

  /** Marks record `index` finished; returns the new highest resolvable offset, or null if unchanged. */
  finish(index: number): string | null {
    if (index < 0 || index >= this.done.length) throw new RangeError(`no record ${index} in this batch`);
    this.done[index] = true;
    const before = this.next;
    while (this.next < this.done.length && this.done[this.next]) this.next++;
    return this.next > before ? (this.offsets[this.next - 1] ?? null) : null;
  }

  /** How many records from the start are finished. */
  get finishedPrefix(): number {
    return this.next;
  }

  get complete(): boolean {
    return this.next === this.done.length;
  }
}
