// The fetch benchmark's baseline: imapflow alone downloading every message of a folder the
// way mailrec does (UID SEARCH, then FETCH of 100 sources at a time), keeping nothing.
// Usage: node fetch-baseline.js PORT USER CA_FILE FOLDER  (password in $IMAP_PW).

import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';

const [port, user, caFile, folder] = process.argv.slice(2);
const client = new ImapFlow({
  host: '127.0.0.1',
  port: Number(port),
  secure: true,
  tls: { ca: [readFileSync(caFile!, 'utf8')] },
  auth: { user: user!, pass: process.env.IMAP_PW ?? '' },
  logger: false,
  disableAutoIdle: true,
});
await client.connect();
await client.mailboxOpen(folder!, { readOnly: true });
const uids = (await client.search({ uid: '1:*' }, { uid: true })) || [];
let bytes = 0;
for (let i = 0; i < uids.length; i += 100) {
  for await (const m of client.fetch(uids.slice(i, i + 100).join(','), { uid: true, source: true }, { uid: true })) bytes += m.source?.length ?? 0;
}
await client.logout();
console.log(JSON.stringify({ messages: uids.length, bytes }));
