import type { Models } from './models.js';
import type { WriteGate } from './write-gate.js';

/**
 * Short ids (`#12`) handed out from blocks reserved in the `counters` document, so a storm of new
 * alerts costs one counter write per block instead of one per alert (issue 8).
 *
 * The block grows while ids are in demand (doubling when a block lasted under a second, up to
 * MAX_BLOCK) and falls back to one id at a time when things are quiet: a quiet install keeps
 * numbering without gaps, and a restart after a storm leaves at most one unused block behind.
 * Ids are unique on every server because the counter only moves forward; one block is reserved at
 * a time in this process (concurrent `$inc`s can be lost on FerretDB, decision 0003).
 */
const MAX_BLOCK = 256;
const BUSY_MS = 1000;

export class ShortIds {
  private next = 0;
  private end = 0;
  private size = 1;
  private reservedAt = -Infinity;
  private reserving: Promise<void> | null = null;

  constructor(
    private readonly m: Models,
    private readonly gate?: WriteGate,
  ) {}

  async take(): Promise<number> {
    while (this.next >= this.end) {
      this.reserving ??= this.reserve().finally(() => (this.reserving = null));
      await this.reserving;
    }
    return this.next++;
  }

  private async reserve(): Promise<void> {
    // Wall time only sizes the block; no id or stored time depends on it.
    const now = performance.now();
    this.size = now - this.reservedAt < BUSY_MS ? Math.min(this.size * 2, MAX_BLOCK) : 1;
    this.reservedAt = now;
    const size = this.size;
    const reserve = () => this.m.Counter.findOneAndUpdate({ _id: 'alert' }, { $inc: { seq: size } }, { upsert: true, returnDocument: 'after' }).lean();
    const c = await (this.gate ? this.gate.run(reserve) : reserve());
    this.end = c!.seq + 1;
    this.next = this.end - this.size;
  }
}
