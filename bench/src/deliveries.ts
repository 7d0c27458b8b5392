import type { DeliveryPage } from '@herald/provider-sandbox';
import { ratePerSecond, summarize } from './stats';
import type { LatencySummary } from './stats';
import { LANES, refIndex } from './workload';
import type { Lane, Planned } from './workload';

const DROPPED = -1;

export interface LaneDeliveries {
  delivered: number;
  firstAt: number | null;
  lastAt: number | null;
  /** Delivered messages per second between the lane's first and last delivery. */
  drainPerSecond: number | null;
  latencyMs: LatencySummary;
}

export interface DeliveryReport {
  expected: number;
  delivered: number;
  /** Deliveries beyond what a notification expected (a resend). */
  duplicates: number;
  /** Deliveries that no notification of this phase explains. */
  unmatched: number;
  firstAt: number | null;
  lastAt: number | null;
  /** notification start (createdAt, or the request's start over HTTP) → the sandbox accepting it. */
  latencyMs: LatencySummary;
  byLane: Partial<Record<Lane, LaneDeliveries>>;
}

/**
 * Matches what the sandbox accepted to the phase's notifications: by notification id (email and
 * push carry it) or by the reference in an SMS text. An entry whose id is not known yet (the 202
 * with the id may come after the delivery) waits for the next page.
 */
export class DeliveryTracker {
  private readonly start: Float64Array;
  private readonly got: Uint16Array;
  private readonly ids = new Map<string, number>();
  private pending: { at: number; ref: string }[] = [];
  private readonly latencies: number[][];
  private readonly laneStats = LANES.map(() => ({ delivered: 0, firstAt: Infinity, lastAt: -Infinity }));
  expected: number;
  delivered = 0;
  duplicates = 0;
  firstAt = Infinity;
  lastAt = -Infinity;
  /** The sandbox ledger cursor: where the next page starts. */
  cursor = 0;

  constructor(
    private readonly tag: string,
    private readonly planned: readonly Planned[],
  ) {
    this.start = new Float64Array(planned.length).fill(NaN);
    this.got = new Uint16Array(planned.length);
    this.latencies = LANES.map(() => []);
    this.expected = planned.reduce((n, p) => n + p.expected, 0);
  }

  started(index: number, at: number, id?: string): void {
    if (this.start[index] === DROPPED) return;
    this.start[index] = at;
    if (id !== undefined) this.ids.set(id, index);
  }

  /** A notification that was refused (ingest did not answer 202): nothing of it is expected. */
  dropped(index: number): void {
    const p = this.planned[index];
    if (!p || this.start[index] === DROPPED) return;
    this.expected -= p.expected;
    this.start[index] = DROPPED;
  }

  /** Takes a ledger page; returns how many deliveries it matched. */
  add(page: Pick<DeliveryPage, 'next' | 'at' | 'ref'>): number {
    const before = this.delivered;
    const retry = this.pending;
    this.pending = [];
    for (const e of retry) this.match(e.at, e.ref);
    page.at.forEach((at, i) => this.match(at, page.ref[i] ?? ''));
    this.cursor = page.next;
    return this.delivered - before;
  }

  private match(at: number, ref: string): void {
    const index = this.ids.get(ref) ?? refIndex(this.tag, ref);
    const p = index === null || index === undefined ? undefined : this.planned[index];
    const start = index === null || index === undefined ? NaN : (this.start[index] ?? NaN);
    if (!p || index === null || index === undefined || Number.isNaN(start) || start === DROPPED) {
      this.pending.push({ at, ref });
      return;
    }
    const got = (this.got[index] = (this.got[index] ?? 0) + 1);
    if (got > p.expected) {
      this.duplicates++;
      return;
    }
    this.delivered++;
    this.firstAt = Math.min(this.firstAt, at);
    this.lastAt = Math.max(this.lastAt, at);
    const lane = LANES.indexOf(p.priority);
    this.latencies[lane]?.push(at - start);
    const s = this.laneStats[lane];
    if (s) {
      s.delivered++;
      s.firstAt = Math.min(s.firstAt, at);
      s.lastAt = Math.max(s.lastAt, at);
    }
  }

  get done(): boolean {
    return this.delivered >= this.expected;
  }

  report(): DeliveryReport {
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    const byLane: Partial<Record<Lane, LaneDeliveries>> = {};
    LANES.forEach((lane, i) => {
      const s = this.laneStats[i];
      if (!s || s.delivered === 0) return;
      byLane[lane] = {
        delivered: s.delivered,
        firstAt: finite(s.firstAt),
        lastAt: finite(s.lastAt),
        drainPerSecond: ratePerSecond(s.delivered, s.lastAt - s.firstAt),
        latencyMs: summarize(this.latencies[i] ?? []),
      };
    });
    return {
      expected: this.expected,
      delivered: this.delivered,
      duplicates: this.duplicates,
      unmatched: this.pending.length,
      firstAt: finite(this.firstAt),
      lastAt: finite(this.lastAt),
      latencyMs: summarize(this.latencies.flat()),
      byLane,
    };
  }
}
