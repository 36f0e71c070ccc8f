// Test harness: a throwaway rspamd (the DKIM signer) in the foreground on 127.0.0.1 and free ports, with its own config directory, no Redis, no fuzzy checks, DNS on loopback; signs messages as an authenticated local submission.
//
// Tests fail, never skip, when rspamd is missing: `apt-get install -y --no-install-recommends
// rspamd` (.ci/run installs it). shared/notes/real-servers.md has the measurements.
//
// The stock rules in /etc/rspamd are kept ($CONFDIR); everything else points into the
// instance's directory ($LOCAL_CONFDIR), whose local.d/dkim_signing.conf the test (later
// `mailrec apply`) writes. Start-up is ~0.4 s because url_tld is a 4-line file (the stock
// list of 9,600 suffixes takes ~9 s to compile) and because the Hyperscan cache is one
// directory shared by every instance and run (compiled once, ~1 s more on the first start).
// As root the workers run as `_rspamd`, as Debian runs them (rspamd refuses root workers):
// a key file must then be readable by `_rspamd` (writeKey does that); otherwise rspamd
// logs `cannot load dkim key` and returns the message unsigned, with no error to the client.

import { chmod, chown, lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, sleep, startDaemon, waitUntilReady } from '../../harness/processes.js';

export interface RspamdOptions {
  /** The DNS server rspamd asks (the test BIND). Default 127.0.0.1:1, where nothing answers. */
  dns?: { host?: string; port: number };
  /** Initial text of local.d/dkim_signing.conf (default: none, so nothing is signed). */
  dkimSigning?: string;
}

export interface DkimSignature {
  /** The header field's value as rspamd folded it (CRLF + tab), without "DKIM-Signature:". */
  value: string;
  domain: string;
  selector: string;
  algorithm: string;
}

export interface SignResult {
  /** The message with the DKIM-Signature fields prepended, in rspamd's order (index 0 first). */
  message: string;
  signatures: DkimSignature[];
  /** rspamd's log lines about DKIM problems during the request (an unreadable or rejected key). */
  problems: string[];
}

export interface SignOptions {
  /** The authenticated submitter (rspamd's `User:`). Default: the From: address; null for none. */
  user?: string | null;
  /** The client address (rspamd's `IP:`). Default 127.0.0.1; null for none. */
  ip?: string | null;
}

export interface RspamdServer {
  host: '127.0.0.1';
  /** The normal worker (scans and signs: /checkv2, /ping). */
  port: number;
  /** The controller worker. */
  controllerPort: number;
  /** $LOCAL_CONFDIR of this instance. */
  dir: string;
  /** local.d/dkim_signing.conf: write it, then reload(). */
  dkimSigningPath: string;
  /** A directory the worker user can read, for keys (see writeKey). */
  keyDir: string;
  /** The user the workers run as: `_rspamd` as root, the invoking user otherwise. */
  workerUser: string;
  /** The main process (a SIGHUP to it reloads the config). */
  pid: number;
  logs(): string;
  /** Write a private key into keyDir, mode 0600 owned by the worker user; returns its path. */
  writeKey(name: string, contents: string): Promise<string>;
  /** Sign (scan) a message through /checkv2 as an authenticated local submission. */
  sign(message: string, options?: SignOptions): Promise<SignResult>;
  /**
   * SIGHUP: rspamd rereads its config and replaces its workers. Waits for the new workers;
   * with `until`, also until a message from `until.from` is signed with `until.selector`.
   */
  reload(until?: { from: string; selector: string }, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const RSPAMD_MISSING = 'the DKIM signer tests need rspamd (apt-get install -y --no-install-recommends rspamd)';
const WORKER_USER = '_rspamd';
/** The public suffixes rspamd needs for the test domains; the stock list makes start-up ~9 s. */
const SMALL_TLD_LIST = 'com\norg\nnet\ntest\nexample\n';

/** Owner uid and gid of a system user, from /etc/passwd. */
async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!line || uid === undefined || gid === undefined) throw new Error(`no user ${name} in /etc/passwd: ${RSPAMD_MISSING}`);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * The Hyperscan cache shared by every instance (per uid, in the temp directory): rspamd
 * compiles its regular expressions into it once. A path someone else owns is refused.
 */
async function sharedCacheDir(owner: { uid: number; gid: number }): Promise<string> {
  const path = process.env.MAILREC_RSPAMD_CACHE ?? join(tmpdir(), `mailrec-rspamd-cache-${process.getuid?.() ?? 0}`);
  await mkdir(path, { recursive: true, mode: 0o700 });
  // lstat before chown: a symlink planted at the path is refused, not followed.
  const stat = await lstat(path);
  if (!stat.isDirectory()) throw new Error(`${path} is not a directory: remove it or set MAILREC_RSPAMD_CACHE`);
  if (process.getuid?.() === 0) await chown(path, owner.uid, owner.gid);
  else if (stat.uid !== owner.uid) throw new Error(`${path} belongs to uid ${stat.uid}, not ${owner.uid}: remove it or set MAILREC_RSPAMD_CACHE`);
  return path;
}

function mainConfig(dir: string, ports: number[]): string {
  const [normal, controller] = ports;
  // Overrides go through .include(priority=1,duplicate=merge): a plain second key after the
  // stock include is silently ignored (the first value wins).
  const localInclude = (name: string): string => `  .include(try=true; priority=1,duplicate=merge) "${join(dir, 'local.d', name)}"`;
  return [
    '.include "$CONFDIR/common.conf"',
    'options {',
    `  pidfile = "${join(dir, 'run', 'rspamd.pid')}";`,
    '  .include "$CONFDIR/options.inc"',
    localInclude('options.inc'),
    '}',
    'logging { type = "console"; level = "info"; }',
    'worker "normal" {',
    `  bind_socket = "127.0.0.1:${normal}";`,
    '  .include "$CONFDIR/worker-normal.inc"',
    '  count = 1;',
    '}',
    'worker "controller" {',
    `  bind_socket = "127.0.0.1:${controller}";`,
    '  .include "$CONFDIR/worker-controller.inc"',
    '  count = 1;',
    '}',
    '',
  ].join('\n');
}

function optionsInc(dir: string, cacheDir: string, dns: { host: string; port: number }): string {
  return [
    `tempdir = "${join(dir, 'tmp')}";`,
    `control_socket = "${join(dir, 'run', 'rspamd.sock')} mode=0600";`,
    // Loopback submissions count as local (arrays are appended to the stock list).
    'local_addrs = [127.0.0.0/8, "::1"];',
    `dns { nameserver = ["${dns.host}:${dns.port}"]; timeout = 0.3s; retransmits = 1; }`,
    `url_tld = "${join(dir, 'tld.dat')}";`,
    `hs_cache_dir = "${cacheDir}";`,
    '',
  ].join('\n');
}

interface HttpReply {
  status: number;
  body: string;
}

function http(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`rspamd did not answer ${path} within 10 s`)));
    req.end(body);
  });
}

async function pong(port: number): Promise<boolean> {
  try {
    const reply = await http(port, 'GET', '/ping', {});
    return reply.status === 200 && reply.body.trim() === 'pong';
  } catch {
    return false;
  }
}

/** The value of tag `name` in a DKIM-Signature value (RFC 6376 §3.2 tag=value list). */
function tag(value: string, name: string): string {
  return new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;]*)`).exec(value)?.[1]?.replace(/\s+/g, '') ?? '';
}

function fromAddress(message: string): string | undefined {
  const header = /^From:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im.exec(message)?.[0] ?? '';
  return /<([^>]+)>/.exec(header)?.[1] ?? /From:\s*([^\s<>]+@[^\s<>]+)/i.exec(header)?.[1];
}

export async function startRspamd(options: RspamdOptions = {}): Promise<RspamdServer> {
  const rspamd = findTool('rspamd', RSPAMD_MISSING);
  const asRoot = process.getuid?.() === 0;
  const worker = asRoot ? await systemUser(WORKER_USER) : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const workerUser = asRoot ? WORKER_USER : String(worker.uid);
  const cacheDir = await sharedCacheDir(worker);

  const dir = await mkdtemp(join(tmpdir(), 'mailrec-rspamd-'));
  // The workers read the config and keys below dir.
  await chmod(dir, 0o755);
  for (const sub of ['local.d', 'run', 'db', 'tmp', 'keys']) await mkdir(join(dir, sub));
  // DBDIR and tempdir are written by the workers; keys are read by them.
  if (asRoot) for (const sub of ['db', 'tmp', 'keys']) await chown(join(dir, sub), worker.uid, worker.gid);
  await chmod(join(dir, 'keys'), 0o700);
  await writeFile(join(dir, 'tld.dat'), SMALL_TLD_LIST);
  const dns = { host: options.dns?.host ?? '127.0.0.1', port: options.dns?.port ?? 1 };
  await writeFile(join(dir, 'local.d', 'options.inc'), optionsInc(dir, cacheDir, dns));
  // No start-up lookups of fuzzy1/2.rspamd.com.
  await writeFile(join(dir, 'local.d', 'fuzzy_check.conf'), 'enabled = false;\n');
  const dkimSigningPath = join(dir, 'local.d', 'dkim_signing.conf');
  if (options.dkimSigning !== undefined) await writeFile(dkimSigningPath, options.dkimSigning);
  const configPath = join(dir, 'rspamd.conf');

  const args = [
    '-f', '-c', configPath, `--var=LOCAL_CONFDIR=${dir}`, `--var=DBDIR=${join(dir, 'db')}`,
    ...(asRoot ? ['-u', WORKER_USER, '-g', WORKER_USER] : []),
  ];
  const { daemon, ports } = await startDaemon({
    what: 'rspamd',
    ports: 2,
    configure: async (ports) => {
      await writeFile(configPath, mainConfig(dir, ports));
      return { file: rspamd, args };
    },
    // Poll HTTP, not the port: the main process binds the sockets before the workers exist.
    ready: async ([normal, controller]) => (await pong(normal!)) && (await pong(controller!)),
    timeoutMs: 60_000,
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const [port, controllerPort] = ports as [number, number];

  const sign = async (message: string, signOptions: SignOptions = {}): Promise<SignResult> => {
    const user = signOptions.user === undefined ? fromAddress(message) : signOptions.user;
    const ip = signOptions.ip === undefined ? '127.0.0.1' : signOptions.ip;
    const headers: Record<string, string> = {};
    if (user) headers.User = user;
    if (ip) headers.IP = ip;
    const logStart = daemon.logs().length;
    const reply = await http(port, 'POST', '/checkv2', headers, message);
    if (reply.status !== 200) throw new Error(`rspamd /checkv2 answered ${reply.status}: ${reply.body.slice(0, 200)}`);
    const result = JSON.parse(reply.body) as { 'dkim-signature'?: string | string[] };
    const values = ([] as string[]).concat(result['dkim-signature'] ?? []);
    const eol = message.includes('\r\n') ? '\r\n' : '\n';
    const fields = values.map((v) => `DKIM-Signature: ${v.replace(/\r\n/g, eol)}${eol}`).join('');
    // The worker logs before it answers, but the pipe may deliver a moment later.
    await sleep(values.length === 0 ? 50 : 0);
    const problems = daemon.logs().slice(logStart).split('\n').filter((l) => /dkim/i.test(l) && /cannot|error|fail|invalid/i.test(l));
    return {
      message: fields + message,
      signatures: values.map((value) => ({ value, domain: tag(value, 'd'), selector: tag(value, 's'), algorithm: tag(value, 'a') })),
      problems,
    };
  };

  const reload = async (until?: { from: string; selector: string }, timeoutMs = 15_000): Promise<void> => {
    const reloads = (): number => daemon.logs().split('rspamd_hup_handler: kill old workers').length;
    const before = reloads();
    process.kill(daemon.pid, 'SIGHUP');
    const probe = `From: <${until?.from}>\r\nTo: <probe@example.net>\r\nSubject: reload probe\r\nDate: Mon, 02 Nov 2026 00:00:00 +0000\r\nMessage-ID: <reload-probe@example.net>\r\n\r\nprobe\r\n`;
    await waitUntilReady('rspamd reload', daemon, async () => {
      if (reloads() <= before || !(await pong(port))) return false;
      if (!until) return true;
      return (await sign(probe, { user: until.from })).signatures.some((s) => s.selector === until.selector);
    }, timeoutMs);
  };

  return {
    host: '127.0.0.1',
    port,
    controllerPort,
    dir,
    dkimSigningPath,
    keyDir: join(dir, 'keys'),
    workerUser,
    pid: daemon.pid,
    logs: () => daemon.logs(),
    async writeKey(name, contents) {
      if (name.includes('/')) throw new Error(`key name ${name} must be a file name`);
      const path = join(dir, 'keys', name);
      await writeFile(path, contents, { mode: 0o600 });
      if (asRoot) await chown(path, worker.uid, worker.gid);
      return path;
    },
    sign,
    reload,
    async stop() {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
