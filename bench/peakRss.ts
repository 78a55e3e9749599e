/**
 * Preloaded into each benchmarked ls-bench process (`node -r dist/bench/peakRss.js ...`): writes the
 * process's peak resident set size in bytes to $LS_BENCH_PEAK_RSS_FILE when it exits, so the benchmark
 * measures the real CLI, start-up included, without changing it.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.LS_BENCH_PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
