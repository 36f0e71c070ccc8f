// Preloaded into a measured child (`node --import .../rss-probe.js ...`): at exit, writes
// the child's peak RSS (peak-rss.ts: its own, not inherited from the bench) and CPU time to
// $BENCH_PROBE_FILE, so the benchmark reads what the process itself saw instead of sampling
// /proc from outside.

import { writeFileSync } from 'node:fs';
import { peakRssKiB } from './peak-rss.js';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKiB: peakRssKiB(), userUs: usage.userCPUTime, systemUs: usage.systemCPUTime }));
  });
}
