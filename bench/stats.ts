// Summaries of measured samples, shared by the benchmarks: nearest-rank percentiles and figures rounded for reports.

/** Nearest-rank percentile `p` (0-100) of ascending `sorted` values. */
export const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

/** Two decimals: enough for milliseconds and seconds in a report. */
export const round2 = (x: number) => Math.round(x * 100) / 100;
