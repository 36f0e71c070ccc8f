// The audit's output formats and the renderer each picks: shared by `audit` and `audit merge`.

import type { AuditRun } from '../../audit/summary.js';
import { renderAuditJson } from '../../report/audit-json.js';
import { renderAuditJunit } from '../../report/audit-junit.js';
import { renderAuditMarkdown } from '../../report/audit-markdown.js';
import { renderAuditSarif } from '../../report/audit-sarif.js';
import { renderAuditText } from '../../report/audit-text.js';
import { colourEnabled, styleFor, type CliIO } from '../io.js';

export const AUDIT_FORMATS = ['text', 'json', 'ndjson', 'markdown', 'sarif', 'junit'] as const;

export function renderAudit(format: string, run: AuditRun, io: CliIO): string {
  switch (format) {
    case 'json':
      return renderAuditJson(run);
    case 'markdown':
      return renderAuditMarkdown(run);
    case 'sarif':
      return renderAuditSarif(run);
    case 'junit':
      return renderAuditJunit(run);
    default:
      return renderAuditText(run, styleFor(colourEnabled(io.env, io.stdoutIsTTY)));
  }
}
