// `mailrec spf check` output: the check_host() result, its reason and explanation, and the
// lookup tree with each term's count against the RFC 7208 §4.6.4 limits.

import type { SpfCheckOutput, SpfEvalNode } from '../mail/spf/check-host.js';
import { plain, type Style } from './style.js';

export const SPF_CHECK_SCHEMA = 'mailrec-spf-check/1';

export interface SpfCheckRun {
  ip: string;
  helo?: string;
  output: SpfCheckOutput;
}

/** DNS-querying terms counted in a node and below it. */
export function countLookups(node: SpfEvalNode): number {
  return node.terms.reduce((sum, t) => sum + t.lookups + (t.child ? countLookups(t.child) : 0), 0);
}

function treeLines(node: SpfEvalNode, depth: number, style: Style): string[] {
  const pad = '  '.repeat(depth);
  const record = node.record === undefined ? style('faint', '(no SPF record)') : JSON.stringify(node.record);
  const lines = [`${pad}${style('strong', node.domain)}  ${record}  → ${node.result}`];
  const width = Math.max(0, ...node.terms.map((t) => t.term.length));
  for (const t of node.terms) {
    const inside = t.child ? countLookups(t.child) : 0;
    const flags = [t.matched ? 'matched' : '', t.void ? 'void lookup' : '', inside > 0 ? `+${inside} inside` : '', t.note ?? ''].filter((x) => x !== '');
    lines.push(`${pad}  ${t.term.padEnd(width)}  ${String(t.lookups).padStart(2)}${flags.length > 0 ? `  ${flags.join(', ')}` : ''}`);
    if (t.child) lines.push(...treeLines(t.child, depth + 2, style));
  }
  return lines;
}

const TONE = { pass: 'add', fail: 'error', softfail: 'warn', neutral: 'faint', none: 'faint', permerror: 'error', temperror: 'warn' } as const;

export function renderSpfCheckText(run: SpfCheckRun, style: Style = plain): string {
  const o = run.output;
  const lines = [
    `check_host(${run.ip}, ${o.domain}, ${o.sender})${run.helo ? ` HELO ${run.helo}` : ''}`,
    `result: ${style(TONE[o.result], o.result)}`,
    `reason: ${o.reason}`,
  ];
  if (o.explanation !== undefined) lines.push(`explanation: ${o.explanation}`);
  lines.push('', 'lookup tree (count: DNS-querying terms, RFC 7208 §4.6.4):', ...treeLines(o.tree, 1, style), '');
  const over = (n: number, max: number) => (n > max ? style('error', `${n} of ${max}`) : `${n} of ${max}`);
  lines.push(`lookups: ${over(o.counts.lookups, 10)}; void lookups: ${over(o.counts.voids, 2)}`);
  return `${lines.join('\n')}\n`;
}

export function renderSpfCheckJson(run: SpfCheckRun): string {
  return `${JSON.stringify({ schema: SPF_CHECK_SCHEMA, ip: run.ip, ...(run.helo ? { helo: run.helo } : {}), ...run.output }, null, 2)}\n`;
}
