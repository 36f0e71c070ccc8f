// mailrec spf check DOMAIN --ip ADDR: RFC 7208 check_host() over live DNS, with the lookup tree and counts; exit 0 whatever the result, 1 on usage errors.

import type { Command } from 'commander';
import { checkHost } from '../../mail/spf/check-host.js';
import { createLiveResolver } from '../../audit/sources/live.js';
import { UsageError } from '../../base/errors.js';
import { checkDomainName } from '../../policy/values.js';
import { renderSpfCheckJson, renderSpfCheckText } from '../../report/spf-check.js';
import { makeContext, type GlobalOptions } from '../context.js';
import { colourEnabled, styleFor, type CliIO } from '../io.js';
import { resolverServers } from './plan.js';

interface SpfCheckOptions extends GlobalOptions {
  ip: string;
  sender?: string;
  helo?: string;
  resolver?: string[];
  timeout?: string;
}

/**
 * The MAIL FROM to evaluate: DOMAIN's postmaster by default (RFC 7208 §4.3); a bare
 * local part is taken at DOMAIN; an address must be at DOMAIN, since check_host()
 * evaluates the sender's own domain (§2.4).
 */
export function senderFor(domain: string, sender: string | undefined): string {
  if (sender === undefined || sender === '') return `postmaster@${domain}`;
  const at = sender.lastIndexOf('@');
  if (at < 0) return `${sender}@${domain}`;
  const senderDomain = sender.slice(at + 1).replace(/\.$/, '').toLowerCase();
  if (senderDomain !== domain) {
    throw new UsageError(`--sender ${sender} is not at ${domain}`, `check_host() evaluates the sender's domain: run mailrec spf check ${senderDomain} --sender ${sender}`);
  }
  return sender;
}

export function registerSpf(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const spf = program.command('spf').description('SPF tools');
  spf
    .command('check')
    .description('evaluate SPF for an address, sender and HELO (RFC 7208 check_host) with the lookup tree')
    .argument('<domain>', 'the domain whose SPF record is evaluated')
    .requiredOption('--ip <address>', 'the SMTP client address (IPv4 or IPv6)')
    .option('--sender <address>', 'MAIL FROM (default postmaster@DOMAIN; a bare local part is taken at DOMAIN)')
    .option('--helo <name>', 'the HELO/EHLO name, for the %{h} macro')
    .option('--resolver <host[:port]>', 'DNS server to ask (repeatable; default /etc/resolv.conf)', (v: string, p: string[] = []) => [...p, v])
    .option('--timeout <ms>', 'per DNS exchange, in milliseconds (default 2000)')
    .action(async (domainArg: string, _opts: SpfCheckOptions, command: Command) => {
      const opts = command.optsWithGlobals<SpfCheckOptions>();
      const ctx = makeContext(io, opts, ['text', 'json']);
      const checked = checkDomainName(domainArg, 'domain');
      if (!checked.ok) throw new UsageError(checked.message, checked.hint);
      const domain = checked.value;
      const servers = resolverServers(opts.resolver);
      const timeout = opts.timeout;
      if (timeout !== undefined && (!/^\d+$/.test(timeout) || Number(timeout) < 1)) throw new UsageError(`--timeout: "${timeout}" is not a number of milliseconds`);
      const resolver = createLiveResolver({ ...(servers ? { servers } : {}), ...(timeout !== undefined ? { timeoutMs: Number(timeout) } : {}) });
      // The clock is read here, at the edge, for the %{t} macro (§7.3).
      const output = await checkHost(
        { ip: opts.ip, sender: senderFor(domain, opts.sender), ...(opts.helo !== undefined ? { helo: opts.helo } : {}), now: Math.floor(Date.now() / 1000) },
        resolver,
      );
      const run = { ip: opts.ip, ...(opts.helo !== undefined ? { helo: opts.helo } : {}), output };
      io.stdout(ctx.format === 'json' ? renderSpfCheckJson(run) : renderSpfCheckText(run, styleFor(colourEnabled(io.env, io.stdoutIsTTY))));
      setExit(0);
    });
}
