// Escaping text for XML and HTML output (JUnit, the HTML site and its SVG charts): untrusted
// text from DNS and reports never becomes markup.

/**
 * Text for XML 1.0 content or a double-quoted attribute: the five predefined entities
 * (XML 1.0 §2.4), line breaks kept in attributes as character references (§3.3.3
 * normalizes them away otherwise), and characters XML 1.0 forbids (§2.2: controls other
 * than tab, LF, CR; lone surrogates; U+FFFE, U+FFFF) replaced by U+FFFD.
 */
export function escapeXml(text: string, attribute = false): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) {
      out += '\uFFFD';
      continue;
    }
    switch (ch) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += attribute ? '&quot;' : ch;
        break;
      case "'":
        out += attribute ? '&apos;' : ch;
        break;
      case '\n':
        out += attribute ? '&#10;' : ch;
        break;
      case '\r':
        out += attribute ? '&#13;' : '&#13;';
        break;
      case '\t':
        out += attribute ? '&#9;' : ch;
        break;
      default:
        out += ch;
    }
  }
  return out;
}
