// A progress bar for hashing large data, on stderr and only on a terminal: piped output and CI logs stay clean.
import { SingleBar, Presets } from "cli-progress";
import type { Progress } from "./hash";

/** Below this, hashing takes well under a second and a bar would only flicker. */
const MIN_BYTES = 64 * 1024 * 1024;
const MIB = 1024 * 1024;

export function terminalProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY || process.env.CI) return undefined;
  let bar: SingleBar | undefined;
  let done = 0;
  let startedAt = 0;
  const mib = (bytes: number) => (bytes / MIB).toFixed(0);
  return {
    start(total) {
      if (total < MIN_BYTES) return;
      done = 0;
      startedAt = Date.now();
      bar = new SingleBar(
        {
          stream,
          format: `${label} |{bar}| {percentage}% {done}/{size} MiB {rate} MiB/s eta {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0, { done: "0", size: mib(total), rate: "0" });
    },
    advance(bytes) {
      if (!bar) return;
      done += bytes;
      const seconds = (Date.now() - startedAt) / 1000;
      bar.update(done, { done: mib(done), rate: seconds > 0 ? mib(done / seconds) : "0" });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
