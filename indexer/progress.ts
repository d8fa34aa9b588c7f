// Backfill progress on the terminal: blocks done of total, events written, events per second. Silent when
// stderr is not a terminal or in CI, so logs stay clean.
import { SingleBar } from "cli-progress";

export class BackfillProgress {
  private bar?: SingleBar;
  private events = 0;
  private origin = 0;
  private readonly started = Date.now();

  constructor(enabled: boolean, fromBlock: number, toBlock: number) {
    if (!enabled || !process.stderr.isTTY || process.env.CI) return;
    this.bar = new SingleBar({
      format: "indexing |{bar}| blocks {value}/{total} | {events} events | {rate} events/s | eta {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    });
    this.bar.start(toBlock - fromBlock + 1, 0, { events: 0, rate: 0 });
    this.origin = fromBlock;
  }

  update(lastBlock: number, newEvents: number): void {
    this.events += newEvents;
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    this.bar?.update(lastBlock - this.origin + 1, { events: this.events, rate: Math.round(this.events / seconds) });
  }

  stop(): void {
    this.bar?.stop();
  }
}
