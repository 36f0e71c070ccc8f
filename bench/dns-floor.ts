// The floor under the audit's DNS path: what the same number of questions as a 10,000-domain
// audit costs in CPU against the bench's BIND when nothing but the I/O is done, next to what
// mailrec's DNS client costs for them. Not part of `npm run bench` (a diagnostic, run alone):
//
//   npm run build && node dist/bench/dns-floor.js [--domains N] [--in-flight K] [--rounds R]
//
// (a) one connected UDP socket, pre-built queries, the answer's ID read and nothing else;
// (b) one TCP connection, queries length-prefixed and written many per write(), answers
//     taken in any order (RFC 7766 §6.2.1.1);
// (c) mailrec's DNS client (createDnsClient().resolve, its cache on) asking the same questions.
// CPU is this process's (process.cpuUsage), BIND's from /proc/<pid>/stat. Loopback only.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { startBenchBind, type BenchBind } from './bind.js';
import { writeEstate } from './files.js';
import { domainName, makeDkimKeys } from './estate.js';
import { createDnsClient } from '../src/dns/client.js';
import { buildQuery } from '../src/dns/message.js';
import { typeCode } from '../src/dns/wire.js';
import type { RRType } from '../src/dns-types/rr.js';

/** About the questions an audit asks a domain of the estate (18.5 on average after the cache). */
function questionsFor(i: number): [string, RRType][] {
  const d = domainName(i).replace(/\.$/, '');
  const all: [string, RRType][] = [
    [d, 'TXT'], [d, 'MX'], [d, 'A'], [d, 'AAAA'], [d, 'CNAME'], [`_dmarc.${d}`, 'TXT'], [`s1._domainkey.${d}`, 'TXT'],
    [`_mta-sts.${d}`, 'TXT'], [`_smtp._tls.${d}`, 'TXT'], [`mx1.${d}`, 'A'], [`mx1.${d}`, 'AAAA'], [`mx1.${d}`, 'CNAME'],
    [`_submission._tcp.${d}`, 'SRV'], [`_submissions._tcp.${d}`, 'SRV'], [`_imap._tcp.${d}`, 'SRV'], [`_imaps._tcp.${d}`, 'SRV'],
    [`_pop3._tcp.${d}`, 'SRV'], [`_pop3s._tcp.${d}`, 'SRV'], [`_dmarc.${d}`, 'CNAME'],
  ];
  return all.slice(0, i % 2 === 0 ? 19 : 18);
}

interface Floor {
  label: string;
  queries: number;
  wallMs: number;
  /** Microseconds of this process's CPU per question: user, system. */
  userUs: number;
  systemUs: number;
  bindUs: number;
  note: string;
}

async function measure(bind: BenchBind, label: string, queries: number, run: () => Promise<string>): Promise<Floor> {
  const bind0 = await bind.cpuSeconds();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const note = await run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const bind1 = await bind.cpuSeconds();
  return { label, queries, wallMs, userUs: cpu.user / queries, systemUs: cpu.system / queries, bindUs: ((bind1 - bind0) * 1e6) / queries, note };
}

/** (a) UDP: K queries in flight, the next one sent as each answer arrives. */
function udpFloor(port: number, messages: Buffer[], inFlight: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const waiting = new Uint8Array(0x10000);
    let next = 0;
    let done = 0;
    const send = (): void => {
      if (next >= messages.length) return;
      const m = messages[next++]!;
      waiting[m.readUInt16BE(0)] = 1;
      socket.send(m);
    };
    socket.on('error', reject);
    socket.on('message', (answer: Buffer) => {
      const id = answer.readUInt16BE(0);
      if (!waiting[id]) return;
      waiting[id] = 0;
      if (++done === messages.length) {
        socket.close();
        resolve('');
        return;
      }
      send();
    });
    socket.connect(port, '127.0.0.1', () => {
      for (let i = 0; i < inFlight; i++) send();
    });
  });
}

/** (b) TCP: one connection, K queries in flight, the next ones written together per read. */
function tcpFloor(port: number, messages: Buffer[], inFlight: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, '127.0.0.1');
    conn.setNoDelay(true);
    let next = 0;
    let done = 0;
    let writes = 0;
    let reads = 0;
    let outOfOrder = 0;
    let lastId = -1;
    let pending: Buffer = Buffer.alloc(0);
    const write = (k: number): void => {
      const parts: Buffer[] = [];
      for (let i = 0; i < k && next < messages.length; i++) {
        const m = messages[next++]!;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(m.length);
        parts.push(length, m);
      }
      if (parts.length === 0) return;
      writes++;
      conn.write(Buffer.concat(parts));
    };
    conn.on('connect', () => write(inFlight));
    conn.on('error', reject);
    conn.on('data', (chunk: Buffer) => {
      reads++;
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      let got = 0;
      while (pending.length - at >= 2) {
        const length = pending.readUInt16BE(at);
        if (pending.length - at - 2 < length) break;
        // IDs are sent in increasing order (mod 2^16): a smaller one means an answer overtook.
        const id = pending.readUInt16BE(at + 2);
        if (id < lastId && lastId - id < 0x8000) outOfOrder++;
        lastId = id;
        at += 2 + length;
        got++;
      }
      pending = pending.subarray(at);
      done += got;
      if (done === messages.length) {
        conn.end();
        resolve(`${writes} writes, ${reads} reads, ${outOfOrder} answers out of order`);
        return;
      }
      write(got);
    });
  });
}

/** (c) mailrec's DNS client, K questions at a time. */
async function clientCost(port: number, questions: [string, RRType][], inFlight: number): Promise<string> {
  const client = createDnsClient({ servers: [{ host: '127.0.0.1', port }] });
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < questions.length) {
        const [name, type] = questions[next++]!;
        await client.resolve(name, type);
      }
    }),
  );
  const s = client.stats();
  return `${s.queriesSent} sent, ${s.cacheHits} from its cache, ${s.timeouts} timeouts`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { domains: { type: 'string', default: '10000' }, 'in-flight': { type: 'string', default: '64' }, rounds: { type: 'string', default: '2' } } });
  const n = Number(values.domains);
  const inFlight = Number(values['in-flight']);
  const rounds = Number(values.rounds);
  const questions: [string, RRType][] = [];
  for (let i = 0; i < n; i++) questions.push(...questionsFor(i));
  const messages = questions.map(([name, type], i) => buildQuery({ id: i & 0xffff, name, type: typeCode(type), recursionDesired: false }));
  const dir = await mkdtemp(join(tmpdir(), 'mailrec-bench-floor-'));
  const estate = await writeEstate(dir, n, makeDkimKeys());
  const bind = await startBenchBind(dir, estate.zones);
  console.log(`${n.toLocaleString('en-US')} domains, ${questions.length.toLocaleString('en-US')} questions, ${inFlight} in flight, BIND on 127.0.0.1:${bind.port}`);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const f of [
        await measure(bind, '(a) UDP, one socket, no parsing', messages.length, () => udpFloor(bind.port, messages, inFlight)),
        await measure(bind, '(b) TCP, pipelined', messages.length, () => tcpFloor(bind.port, messages, inFlight)),
        await measure(bind, "(c) mailrec's DNS client", questions.length, () => clientCost(bind.port, questions, inFlight)),
      ]) {
        const cpu = f.userUs + f.systemUs;
        console.log(
          `${f.label.padEnd(34)} ${((f.queries / f.wallMs) * 1000).toFixed(0).padStart(6)} q/s  CPU ${cpu.toFixed(1)} µs/q (user ${f.userUs.toFixed(1)}, system ${f.systemUs.toFixed(1)})  BIND ${f.bindUs.toFixed(1)} µs/q${f.note ? `  ${f.note}` : ''}`,
        );
      }
    }
  } finally {
    await bind.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
