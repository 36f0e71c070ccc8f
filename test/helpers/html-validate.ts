// Test oracle: html-validate (npm, pinned; the Nu checker has no Debian package) with its `standard` preset, returning the errors it finds in a page.
//
// The configuration is static: no .htmlvalidate.json is looked up next to the file.

import { HtmlValidate, StaticConfigLoader, type Message } from 'html-validate';

export interface HtmlError {
  ruleId: string;
  message: string;
  line: number;
  column: number;
  selector: string | null;
}

const validator = new HtmlValidate(new StaticConfigLoader({ extends: ['html-validate:standard'] }));

/** Severity 2 messages only: warnings are advice, not validity. */
function errorsOf(messages: Message[]): HtmlError[] {
  return messages
    .filter((m) => m.severity === 2)
    .map((m) => ({ ruleId: m.ruleId, message: m.message, line: m.line, column: m.column, selector: m.selector }));
}

/** The errors in an HTML text (`name` appears in messages only). */
export async function validateHtml(html: string, name = 'inline.html'): Promise<HtmlError[]> {
  const report = await validator.validateString(html, name);
  return errorsOf(report.results.flatMap((r) => r.messages));
}

/** The errors in an HTML file. */
export async function validateHtmlFile(path: string): Promise<HtmlError[]> {
  const report = await validator.validateFile(path);
  return errorsOf(report.results.flatMap((r) => r.messages));
}
