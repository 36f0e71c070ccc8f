// A process's peak RSS: /proc/self/status's VmHWM, the high-water mark of this program's own
// address space. getrusage's ru_maxrss (process.resourceUsage().maxRSS) survives fork and
// exec on Linux, so a child started by a bench process of 450 MiB would report at least
// 450 MiB however little it used; it is the fallback off Linux only.

import { readFileSync } from 'node:fs';

export function peakRssKiB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}
