// Recognises, from its first bytes, a file that holds secrets: a private key, a password
// file, an environment file. mailrec refuses to read such a file as one of its own formats,
// so that no parse error can quote a line of it (docs/security.md).

/** How much of a file's head is looked at. */
export const SNIFF_BYTES = 4096;

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|^PuTTY-User-Key-File-\d+:|^-----BEGIN PGP PRIVATE KEY/m;
/** passwd(5) "name:x:uid:gid:..." and shadow(5) "name:$6$...:days:..." / "name:!:" / "name:*:". */
const PASSWORD_LINE = /^[a-z_][a-z0-9_.-]*\$?:(?:[^:\n]*:\d+:\d+:|(?:\$[0-9a-z]+\$[^:\n]*|[!*]+[^:\n]*|x)?:\d*:)/;
/** htpasswd "name:$apr1$...", "name:{SHA}...", "name:$2y$...". */
const HTPASSWD_LINE = /^[^\s:#]+:(\$apr1\$|\{SHA\}|\$2[aby]?\$)/;
/** A dotenv or shell environment line: "NAME=value" or "export NAME=value". */
const ENV_LINE = /^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=/;
/** Cloud credential files (INI or JSON) name their secrets. */
const CREDENTIAL_WORDS = /\b(aws_secret_access_key|aws_session_token|client_secret|refresh_token)\b|"private_key"\s*:/;

/**
 * What the head of a file looks like when it holds secrets ('a private key', 'a password
 * file', 'an environment file', 'a credentials file'), or undefined.
 */
export function secretShape(head: string): string | undefined {
  const text = head.slice(0, SNIFF_BYTES);
  if (PRIVATE_KEY.test(text)) return 'a private key';
  if (CREDENTIAL_WORDS.test(text)) return 'a credentials file';
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const first = lines[0];
  if (first === undefined) return undefined;
  if (PASSWORD_LINE.test(first) || HTPASSWD_LINE.test(first)) return 'a password file';
  if (ENV_LINE.test(first)) return 'an environment file';
  return undefined;
}
