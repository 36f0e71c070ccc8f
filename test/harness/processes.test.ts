// The daemon helpers the harnesses share, with Node itself as the daemon: a port taken meanwhile means a new start on new ports, stop() ends the whole process group, a daemon that dies early fails with its logs.

import { createServer, connect, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { liveGroupMembers, startDaemon } from '../../harness/processes.js';

/** A daemon that greets "hello" on `port` and keeps a child (`sleep`) in its process group. */
const greeter = (port: number): { file: string; args: string[] } => ({
  file: process.execPath,
  args: ['-e', `require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); require('net').createServer((s) => s.end('hello')).listen(${port}, '127.0.0.1')`],
});

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString() === 'hello');
    });
  });
}

const blockers: Server[] = [];
afterEach(async () => {
  await Promise.all(blockers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('startDaemon', () => {
  it('starts again on new ports when its port was taken meanwhile, and stop() ends the process group', async () => {
    const tried: number[] = [];
    const { daemon, ports } = await startDaemon({
      what: 'greeter',
      ports: 1,
      configure: async ([port]) => {
        tried.push(port!);
        if (tried.length === 1) {
          // Someone else takes the port between freePort() and the start.
          const blocker = createServer();
          await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
          blockers.push(blocker);
        }
        return greeter(port!);
      },
      ready: async ([port]) => greets(port!),
      timeoutMs: 10_000,
    });
    expect(tried).toHaveLength(2);
    expect(ports).toEqual([tried[1]]);
    expect(liveGroupMembers(daemon.pid).length).toBe(2);
    await daemon.stop();
    expect(daemon.exited()).toBe(true);
    expect(liveGroupMembers(daemon.pid)).toEqual([]);
  });

  it('fails with the daemon\'s last log lines when it exits before it is ready', async () => {
    const attempt = startDaemon({
      what: 'failing daemon',
      ports: 1,
      configure: async () => ({ file: process.execPath, args: ['-e', 'console.error("config error on line 3"); process.exit(2)'] }),
      ready: async () => false,
    });
    await expect(attempt).rejects.toThrow(/^failing daemon exited:\nconfig error on line 3$/);
  });
});
