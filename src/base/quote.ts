// How a message quotes input: at most 80 characters, on one line. Messages are posted as
// merge-request comments by CI, so a value read from the zone repo is never printed whole.

/** The most characters of input a message quotes (README, docs/security.md). */
export const QUOTE_MAX_CHARS = 80;

/**
 * `text` clipped to QUOTE_MAX_CHARS characters (an ellipsis marks the cut), with control
 * characters written as \xHH so that a quoted value can never break the message's line.
 */
export function clip(text: string): string {
  // eslint-disable-next-line no-control-regex
  return truncate(text).replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** `text` cut to QUOTE_MAX_CHARS characters, an ellipsis marking the cut. */
function truncate(text: string): string {
  const chars = [...text];
  return chars.length > QUOTE_MAX_CHARS ? `${chars.slice(0, QUOTE_MAX_CHARS - 1).join('')}…` : text;
}

/** `'text'`, clipped: the quoting the policy loader's messages use. */
export function quote(text: string): string {
  return `'${clip(text)}'`;
}

/** `"text"` as JSON writes it, cut to QUOTE_MAX_CHARS: the quoting the zone reader's messages use. */
export function quoteDouble(text: string): string {
  return JSON.stringify(truncate(text));
}
