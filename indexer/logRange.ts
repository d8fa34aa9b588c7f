// Adaptive eth_getLogs range: grows while requests succeed, shrinks when the provider says the range or the
// answer is too large (or the request times out), and jumps to the size a provider suggests when it names one.
import { RpcError, RpcUnreachable } from "./rpc";

const TOO_LARGE =
  /range|too (large|many|wide|big)|limit|exceed|more than|response size|timeout|timed out|query returned/i;

/** The block count a provider's error message suggests, if any (Infura/Alchemy "[0xa, 0xb]", "max block range 5000"). */
export function suggestedRange(message: string): number | undefined {
  const pair = /\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]/i.exec(message);
  if (pair) {
    const size = Number(BigInt(pair[2]) - BigInt(pair[1])) + 1;
    return size > 0 ? size : undefined;
  }
  const k = /up to an? (\d+)K block range/i.exec(message);
  if (k) return Number(k[1]) * 1000;
  const n = /(?:max(?:imum)? block range(?: is|:)?|limited to an?|block range limit(?: of|:)?)\s*([\d,]+)/i.exec(message);
  if (n) return Number(n[1].replace(/,/g, ""));
  return undefined;
}

/** Whether a failed eth_getLogs means "ask for less" rather than a broken node. */
export function isRangeError(err: unknown): boolean {
  if (err instanceof RpcError) return err.code === -32005 || TOO_LARGE.test(err.message);
  if (err instanceof RpcUnreachable) return /timed out/.test(err.message);
  return false;
}

export class LogRange {
  size: number;

  constructor(
    initial: number,
    readonly max: number,
    /** Logs wanted per answer: bounds memory and transaction size on dense stretches of chain. */
    readonly targetLogs = 5_000,
  ) {
    if (!(initial >= 1 && max >= initial)) throw new Error(`log range: need 1 <= initial (${initial}) <= max (${max})`);
    this.size = initial;
  }

  /** After a successful answer of `logs` logs: scale to the density seen when over target, double when well under. */
  succeeded(logs: number): void {
    if (logs > this.targetLogs) this.size = Math.max(1, Math.floor((this.size * this.targetLogs) / logs));
    else if (logs < this.targetLogs / 2) this.size = Math.min(this.max, this.size * 2);
  }

  /** After a range error: the suggested size if the provider gave one, else half. Returns false at 1 block (give up). */
  shrink(err: unknown): boolean {
    if (this.size === 1) return false;
    const hint = err instanceof Error ? suggestedRange(err.message) : undefined;
    this.size = hint !== undefined && hint < this.size ? Math.max(1, hint) : Math.max(1, Math.floor(this.size / 2));
    return true;
  }
}
