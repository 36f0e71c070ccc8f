// Renders a DMARC simulation as JSON: the analysis as data, stable key order.

import type { DmarcAnalysis } from '../dmarc-reports/analyze.js';

export function renderDmarcJson(a: DmarcAnalysis): string {
  return `${JSON.stringify({ version: 1, ...a }, null, 2)}\n`;
}
