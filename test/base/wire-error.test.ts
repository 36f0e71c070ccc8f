// An error from a worker thread is thrown on the main thread as the same error: the CLI's
// one-line message, hint and exit code depend on the class and its fields.

import { lstatSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { OutsideRepoError, PolicyError, RepoFileError, TemporaryError, ZoneSyntaxError, MailrecError } from '../../src/base/errors.js';
import { errorFromWire, errorToWire } from '../../src/base/wire-error.js';

/** Through a real message port, as between threads (a structured clone). */
function carried(error: unknown): Error {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(errorToWire(error));
  const received = receiveMessageOnPort(port2)!.message as ReturnType<typeof errorToWire>;
  port1.close();
  return errorFromWire(received);
}

describe('errors carried between threads', () => {
  it('keeps the class, message, hint, exit code and fields', () => {
    const outside = carried(new OutsideRepoError('zones/a.zone', 'outside the zone repo (a symbolic link leads to /etc/passwd)', 'pass --allow-outside DIR'));
    expect(outside).toBeInstanceOf(OutsideRepoError);
    expect(outside).toBeInstanceOf(RepoFileError);
    expect(outside).toBeInstanceOf(MailrecError);
    expect(outside).toMatchObject({ name: 'OutsideRepoError', file: 'zones/a.zone', reason: 'outside the zone repo (a symbolic link leads to /etc/passwd)', hint: 'pass --allow-outside DIR', exitCode: 1 });
    expect(outside.message).toBe('zones/a.zone: outside the zone repo (a symbolic link leads to /etc/passwd)');

    const syntax = carried(new ZoneSyntaxError('unknown type BOGUS', { file: 'zones/a.zone', line: 2, column: 6 }));
    expect(syntax).toBeInstanceOf(ZoneSyntaxError);
    expect(syntax.message).toBe('zones/a.zone:2:6: unknown type BOGUS');
    expect((syntax as ZoneSyntaxError).position).toEqual({ file: 'zones/a.zone', line: 2, column: 6 });

    const temporary = carried(new TemporaryError('the server is busy'));
    expect(temporary).toBeInstanceOf(TemporaryError);
    expect((temporary as TemporaryError).exitCode).toBe(75);

    const issues = [{ position: { file: 'p.yaml', line: 3, column: 1 }, path: 'domains', message: 'bad' }];
    const policy = carried(new PolicyError(issues));
    expect(policy).toBeInstanceOf(PolicyError);
    expect((policy as PolicyError).issues).toEqual(issues);
  });

  it('keeps a file-system error\'s code, syscall and path, and a bug\'s stack', () => {
    let fsError: unknown;
    try {
      lstatSync('/nonexistent/mailrec-wire-error');
    } catch (error) {
      fsError = error;
    }
    const carriedFs = carried(fsError) as NodeJS.ErrnoException;
    expect(carriedFs).toBeInstanceOf(Error);
    expect(carriedFs).toMatchObject({ code: 'ENOENT', syscall: 'lstat', path: '/nonexistent/mailrec-wire-error' });
    expect(carriedFs.message).toBe((fsError as Error).message);

    const bug = new TypeError('x is undefined');
    const carriedBug = carried(bug);
    expect(carriedBug.name).toBe('TypeError');
    expect(carriedBug.stack).toBe(bug.stack);
    expect(carried('a string').message).toBe('a string');
  });
});
