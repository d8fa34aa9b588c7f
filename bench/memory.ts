// Memory of a benchmark's child process (the indexer, the API), measured apart from the chain that forked it.
import { readFileSync } from "node:fs";

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * Peak RSS of this process. Linux's getrusage maxRSS (process.resourceUsage) carries over the peak of the process
 * that forked us (the chain, GBs), so read the high-water mark of our own address space, VmHWM, where there is one.
 */
export function peakRssMB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return mb(Number(hwm[1]) * 1024);
  } catch {
    // not Linux
  }
  return mb(process.resourceUsage().maxRSS * 1024); // maxRSS is in KB
}
