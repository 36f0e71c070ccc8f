// A throwaway Dovecot IMAP server for the tests and the benchmark: one user, IMAP with STARTTLS and IMAPS on 127.0.0.1 and free ports, a certificate from a CA made per run, and delivery and mailbox inspection done beside the IMAP client under test (doveadm, dovecot-lda).
//
// Tests fail, never skip, when Dovecot is missing: `apt-get install -y --no-install-recommends
// dovecot-imapd` (.ci/run installs it). shared/notes/real-servers.md has the measurements.
//
// As root (CI), Dovecot runs as Debian runs it: its internal processes as `dovecot`, the login
// processes as `dovenull` (chrooted), and the mail processes as the userdb uid, here
// nobody:nogroup (65534) because Dovecot refuses to run mail processes as root; so the
// mail directory belongs to nobody and the run directory is made traversable (0755). As any
// other user, every process runs as that user (Dovecot cannot switch users) and the login
// processes are not chrooted (chroot needs root).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { caAndLeaf } from './certs.js';
import { findTool, runTool, startDaemon } from './processes.js';

export interface DovecotOptions {
  /** Login name (default test@example.org). */
  user?: string;
  /** Password (default: random). Must not contain ':' (passwd-file). */
  password?: string;
}

export interface MessageState {
  uid: number;
  /** IMAP flags, without the session-specific \Recent. */
  flags: string[];
}

export interface FolderStatus {
  uidValidity: bigint;
  uidNext: number;
  messages: number;
}

export interface DovecotServer {
  host: '127.0.0.1';
  /** IMAP that offers STARTTLS (RFC 3501 §6.2.1). Plain LOGIN is accepted too: Dovecot counts loopback as secured. */
  imapPort: number;
  /** IMAP over implicit TLS (RFC 8314 §3.3). */
  imapsPort: number;
  user: string;
  password: string;
  /** The per-run CA that issued the server certificate: a client trusts the server only when given it. */
  caPath: string;
  caPem: string;
  /** The server certificate (names: localhost, 127.0.0.1). */
  certPath: string;
  /** Dovecot's configuration file (for doveadm, dovecot-lda). */
  configPath: string;
  dir: string;
  /** The master process, leader of the process group that stop() ends. */
  pid: number;
  /** Everything Dovecot logged so far (log_path is stderr; passwords are never logged). */
  logs(): string;
  /** Wait until the logs match (the login process logs a failure when the connection closes). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** A client logged in over IMAPS trusting the CA; `options` override (port, secure, tls, auth). Log it out. */
  connect(options?: Partial<ImapFlowOptions>): Promise<ImapFlow>;
  /** IMAP APPEND through imapflow; the folder must exist. */
  append(folder: string, message: string | Buffer, flags?: string[]): Promise<{ uid: number; uidValidity: bigint }>;
  /** Many APPENDs on one connection (~6 ms each here). */
  appendMany(folder: string, messages: (string | Buffer)[]): Promise<void>;
  /**
   * Many messages written straight into the folder's Maildir, as an MTA's Maildir delivery
   * does (tmp/, then rename into new/); Dovecot gives them UIDs when the folder is next
   * opened. The fast path for the benchmark's thousands (10,000 in ~2 s here). The folder must exist.
   */
  deliverToMaildir(messages: (string | Buffer)[], folder?: string): Promise<void>;
  /** Local delivery as an MTA does it: dovecot-lda with the message on stdin (creates the folder if missing). */
  deliver(message: string | Buffer, folder?: string): Promise<void>;
  createFolder(folder: string): Promise<void>;
  /** UID and flags of every message in the folder, read with doveadm (not through the client under test). */
  messages(folder?: string): Promise<MessageState[]>;
  status(folder?: string): Promise<FolderStatus>;
  /**
   * Make the folder's UIDVALIDITY change, as after a lost or rebuilt index: its uidlist and
   * indexes are removed, so Dovecot renumbers the same messages from UID 1 under a new
   * UIDVALIDITY (RFC 3501 §2.3.1.1). Clients should not have the folder selected meanwhile.
   * Returns the new UIDVALIDITY.
   */
  changeUidValidity(folder?: string): Promise<bigint>;
  /**
   * Make every login fail temporarily, as when the password database is down: the passdb
   * becomes a checkpassword program that exits 111, so Dovecot answers
   * `NO [UNAVAILABLE] Temporary authentication failure` (RFC 5530). Resolves once a login
   * sees it; the returned function restores the password file (and waits for a login to work).
   */
  failAuthTemporarily(): Promise<() => Promise<void>>;
  /** SIGTERM to Dovecot's process group, wait until every member is gone, remove the directory. */
  stop(): Promise<void>;
}

const DOVECOT_MISSING = 'the IMAP tests need Dovecot (apt-get install -y --no-install-recommends dovecot-imapd)';
const LIBEXEC = '/usr/lib/dovecot';
/** nobody:nogroup on Debian: the mail processes' uid when running as root. */
const MAIL_UID = 65534;

/** dovecot-lda lives in Dovecot's libexec directory on Debian, outside PATH. */
function findLda(): string {
  const path = join(LIBEXEC, 'dovecot-lda');
  return existsSync(path) ? path : findTool('dovecot-lda', DOVECOT_MISSING);
}

/** The passwd-file passdb the harness normally uses. */
function passwdFilePassdb(dir: string): string[] {
  return ['passdb {', '  driver = passwd-file', `  args = scheme=PLAIN username_format=%u ${join(dir, 'users')}`, '}'];
}

/** A checkpassword passdb whose program exits 111: "temporary problem" (checkpassword's convention). */
function tempfailPassdb(dir: string): string[] {
  return ['passdb {', '  driver = checkpassword', `  args = ${join(dir, 'tempfail.sh')}`, '}'];
}

function config(dir: string, ports: number[], asRoot: boolean, selfGroup: string, passdb: string[] = passwdFilePassdb(dir)): string {
  const [imapPort, imapsPort] = ports;
  const self = userInfo().username;
  return [
    'instance_name = mailrec-test',
    `base_dir = ${join(dir, 'run')}`,
    `state_dir = ${join(dir, 'state')}`,
    'listen = 127.0.0.1',
    'protocols = imap',
    // Foreground logs on stderr (the default is syslog).
    'log_path = /dev/stderr',
    'info_log_path = /dev/stderr',
    `default_internal_user = ${asRoot ? 'dovecot' : self}`,
    `default_login_user = ${asRoot ? 'dovenull' : self}`,
    // Dovecot gives its unix sockets to this group: as a user, only the own group is allowed.
    ...(asRoot ? [] : [`default_internal_group = ${selfGroup}`]),
    'first_valid_uid = 1',
    `mail_location = maildir:${join(dir, 'mail')}/%u`,
    'auth_mechanisms = plain login',
    // The default waits 2 s after a failed login.
    'auth_failure_delay = 0',
    'mail_max_userip_connections = 100',
    // dovecot-lda -m FOLDER creates FOLDER instead of falling back to INBOX.
    'lda_mailbox_autocreate = yes',
    'ssl = yes',
    `ssl_cert = <${join(dir, 'imap.chain')}`,
    `ssl_key = <${join(dir, 'imap.key')}`,
    ...passdb,
    'userdb {',
    '  driver = passwd-file',
    `  args = username_format=%u ${join(dir, 'users')}`,
    '}',
    'service imap-login {',
    ...(asRoot ? [] : ['  chroot =']),
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${imapPort}`,
    '  }',
    '  inet_listener imaps {',
    '    address = 127.0.0.1',
    `    port = ${imapsPort}`,
    '    ssl = yes',
    '  }',
    '}',
    ...(asRoot ? [] : ['service anvil {', '  chroot =', '}']),
    '',
  ].join('\n');
}

/** [name, gid] of every group in /etc/group (Debian's dovecot-core creates the dovecot group). */
async function groups(): Promise<[string, number][]> {
  return (await readFile('/etc/group', 'utf8')).split('\n').filter((l) => l.includes(':')).map((l) => {
    const [name, , gid] = l.split(':');
    return [name ?? '', Number(gid)];
  });
}

/** True once the port greets with Dovecot's `* OK` banner (after a TLS handshake trusting `ca` when given). */
function greets(port: number, ca?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = ca ? connectTls({ host: '127.0.0.1', port, ca, servername: 'localhost' }) : connectTcp({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1').startsWith('* OK')));
  });
}

export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotServer> {
  const dovecot = findTool('dovecot', DOVECOT_MISSING);
  const doveadm = findTool('doveadm', DOVECOT_MISSING);
  const lda = findLda();
  const user = options.user ?? 'test@example.org';
  const password = options.password ?? randomBytes(12).toString('hex');
  if (/[:\n]/.test(password) || /[:\s/]/.test(user)) throw new Error('the Dovecot harness user and password must not contain ":", "/" or white space');
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? MAIL_UID : (process.getuid?.() ?? 0);
  const gid = asRoot ? MAIL_UID : (process.getgid?.() ?? 0);

  const dir = await mkdtemp(join(tmpdir(), 'mailrec-dovecot-'));
  // mkdtemp makes 0700: the mail processes (nobody) must reach dir/mail.
  await chmod(dir, 0o755);
  const mailRoot = join(dir, 'mail');
  const home = join(mailRoot, user);
  await mkdir(mailRoot);
  if (asRoot) await chown(mailRoot, uid, gid);
  const { ca, leaf } = caAndLeaf(dir, 'imap', ['localhost', '127.0.0.1']);
  await writeFile(join(dir, 'imap.chain'), leaf.chain);
  // Read by the auth process (user dovecot as root): 0640 root:dovecot.
  await writeFile(join(dir, 'users'), `${user}:{PLAIN}${password}:${uid}:${gid}::${home}\n`, { mode: 0o640 });
  const groupList = await groups();
  const dovecotGid = groupList.find(([name]) => name === 'dovecot')?.[1];
  if (asRoot && dovecotGid === undefined) throw new Error(`no group dovecot in /etc/group: ${DOVECOT_MISSING}`);
  if (asRoot) await chown(join(dir, 'users'), 0, dovecotGid!);
  const selfGroup = groupList.find(([, id]) => id === gid)?.[0] ?? String(gid);
  const configPath = join(dir, 'dovecot.conf');

  const { daemon, ports } = await startDaemon({
    what: 'dovecot',
    ports: 2,
    configure: async (ports) => {
      await writeFile(configPath, config(dir, ports, asRoot, selfGroup));
      return { file: dovecot, args: ['-F', '-c', configPath] };
    },
    ready: async ([imap, imaps]) => (await greets(imap!)) && (await greets(imaps!, ca.cert)),
    timeoutMs: 15_000,
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const [imapPort, imapsPort] = ports as [number, number];

  const adm = async (args: string[]): Promise<string> => {
    const out = await runTool(doveadm, ['-c', configPath, '-f', 'tab', ...args]);
    if (out.code !== 0) throw new Error(`doveadm ${args.join(' ')} failed (exit ${out.code}): ${out.stderr.trim()}`);
    return out.stdout;
  };
  /** doveadm -f tab output: a header line, then one tab-separated row per item. */
  const rows = (text: string): Record<string, string>[] => {
    const [head, ...lines] = text.split('\n').filter((l) => l !== '');
    const names = (head ?? '').split('\t');
    return lines.map((line) => Object.fromEntries(line.split('\t').map((v, i) => [names[i] ?? String(i), v])));
  };

  const connect = async (overrides: Partial<ImapFlowOptions> = {}): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapsPort,
      secure: true,
      tls: { ca: ca.cert, servername: 'localhost' },
      auth: { user, pass: password },
      logger: false,
      ...overrides,
    });
    await client.connect();
    return client;
  };

  const status = async (folder = 'INBOX'): Promise<FolderStatus> => {
    const [row] = rows(await adm(['mailbox', 'status', '-u', user, 'uidvalidity uidnext messages', folder]));
    if (!row) throw new Error(`doveadm printed no status for ${folder}`);
    return { uidValidity: BigInt(row.uidvalidity ?? '0'), uidNext: Number(row.uidnext), messages: Number(row.messages) };
  };

  /** The folder's Maildir++ directory (separator ".": "A.B" is .A.B under the home). */
  const folderDir = (folder: string): string => (folder.toUpperCase() === 'INBOX' ? home : join(home, `.${folder}`));

  return {
    host: '127.0.0.1',
    imapPort,
    imapsPort,
    user,
    password,
    caPath: ca.certPath,
    caPem: ca.cert,
    certPath: leaf.certPath,
    configPath,
    dir,
    pid: daemon.pid,
    logs: () => daemon.logs(),
    waitForLog: (pattern, timeoutMs) => daemon.waitForLog(pattern, timeoutMs),
    connect,
    async append(folder, message, flags = []) {
      const client = await connect();
      try {
        const result = await client.append(folder, message, flags);
        if (!result || !result.uid || result.uidValidity === undefined) throw new Error(`APPEND to ${folder} returned no APPENDUID`);
        return { uid: result.uid, uidValidity: BigInt(result.uidValidity) };
      } finally {
        await client.logout();
      }
    },
    async appendMany(folder, messages) {
      const client = await connect();
      try {
        for (const message of messages) {
          if (!(await client.append(folder, message))) throw new Error(`APPEND to ${folder} failed`);
        }
      } finally {
        await client.logout();
      }
    },
    async deliver(message, folder = 'INBOX') {
      // -d: deliver to this user (as root lda drops to the userdb uid); -m: the folder.
      const out = await runTool(lda, ['-c', configPath, '-d', user, '-m', folder], { input: message });
      if (out.code !== 0) throw new Error(`dovecot-lda failed (exit ${out.code}): ${out.stderr.trim()}`);
    },
    async deliverToMaildir(messages, folder = 'INBOX') {
      await status(folder); // fails for a folder that does not exist; makes INBOX's Maildir on first use
      const path = folderDir(folder);
      const stamp = `${Math.floor(Date.now() / 1000)}.M${process.hrtime.bigint() % 1_000_000n}P${process.pid}`;
      const one = async (message: string | Buffer, i: number): Promise<void> => {
        const name = `${stamp}Q${i}.mailrec-test,S=${Buffer.byteLength(message)}`;
        await writeFile(join(path, 'tmp', name), message, { mode: 0o600 });
        if (asRoot) await chown(join(path, 'tmp', name), uid, gid);
        await rename(join(path, 'tmp', name), join(path, 'new', name));
      };
      // 64 files at a time: the file system calls overlap without exhausting descriptors.
      for (let start = 0; start < messages.length; start += 64) {
        await Promise.all(messages.slice(start, start + 64).map((m, k) => one(m, start + k)));
      }
    },
    async createFolder(folder) {
      await adm(['mailbox', 'create', '-u', user, folder]);
    },
    async messages(folder = 'INBOX') {
      await status(folder); // doveadm fetch prints nothing, exit 0, for a folder that does not exist
      return rows(await adm(['fetch', '-u', user, 'uid flags', 'mailbox', folder, 'all'])).map((row) => ({
        uid: Number(row.uid),
        flags: (row.flags ?? '').split(' ').filter((f) => f !== '' && f !== '\\Recent'),
      }));
    },
    status,
    async changeUidValidity(folder = 'INBOX') {
      const before = await status(folder);
      const path = folderDir(folder);
      for (const name of await readdir(path)) {
        if (name === 'dovecot-uidlist' || name.startsWith('dovecot.index')) await rm(join(path, name), { force: true });
      }
      // The mailbox list index caches STATUS values of every folder.
      for (const name of await readdir(home)) {
        if (name.startsWith('dovecot.list.index')) await rm(join(home, name), { force: true });
      }
      const after = await status(folder);
      if (after.uidValidity === before.uidValidity) throw new Error(`UIDVALIDITY of ${folder} did not change (${before.uidValidity})`);
      return after.uidValidity;
    },
    async failAuthTemporarily() {
      // Wait until a login gets the answer `expect` asks for: a SIGHUP reload takes a moment.
      const until = async (expect: (error: unknown) => boolean): Promise<void> => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          let outcome: unknown;
          try {
            const client = await connect();
            await client.logout();
          } catch (error) {
            outcome = error;
          }
          if (expect(outcome)) return;
          if (Date.now() > deadline) throw new Error('Dovecot did not take the new passdb after SIGHUP');
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      await writeFile(join(dir, 'tempfail.sh'), '#!/bin/sh\nexit 111\n', { mode: 0o755 });
      await writeFile(configPath, config(dir, ports, asRoot, selfGroup, tempfailPassdb(dir)));
      process.kill(daemon.pid, 'SIGHUP');
      await until((e) => (e as { serverResponseCode?: string } | undefined)?.serverResponseCode === 'UNAVAILABLE');
      return async () => {
        await writeFile(configPath, config(dir, ports, asRoot, selfGroup));
        process.kill(daemon.pid, 'SIGHUP');
        await until((e) => e === undefined);
      };
    },
    async stop() {
      await daemon.stop();
      if (!process.env.MAILREC_KEEP_DOVECOT) await rm(dir, { recursive: true, force: true });
    },
  };
}
