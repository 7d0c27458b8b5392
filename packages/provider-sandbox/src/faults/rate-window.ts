/**
 * A sliding-window rate limit: admits an event at `now` only when fewer than `limit` were admitted
 * in (now - windowMs, now]. So no window [t, t + windowMs) ever holds more than `limit` admitted
 * events, which is what `MessageStore.maxPerSecond` measures.
 */
export class RateWindow {
  private admitted: number[] = [];
  private head = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs = 1000,
  ) {}

  tryAdmit(now: number): boolean {
    while (this.head < this.admitted.length && (this.admitted[this.head] ?? now) <= now - this.windowMs) {
      this.head++;
    }
    if (this.admitted.length - this.head >= this.limit) return false;
    this.admitted.push(now);
    // Drop what fell out of the window now and then, not on every call.
    if (this.head > 1024 && this.head * 2 > this.admitted.length) {
      this.admitted = this.admitted.slice(this.head);
      this.head = 0;
    }
    return true;
  }
}
