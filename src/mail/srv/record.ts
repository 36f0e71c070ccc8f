// SRV for mail (RFC 2782, RFC 6186, RFC 8314): the services a mail domain publishes and their standard ports.

/**
 * Standard ports of the mail services (RFC 6186 §3, RFC 8314 §5.1), for the loader's
 * defaults and for the non-standard-port note. "submissions" is implicit TLS on 465,
 * "submission" STARTTLS on 587.
 */
export const SRV_STANDARD_PORTS: Readonly<Record<string, number>> = {
  submission: 587,
  submissions: 465,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
  autodiscover: 443,
};

/** The RFC 6186 / RFC 8314 services a mail domain may publish SRV records for: what audit asks and plan claims. */
export const MAIL_SRV_SERVICES = ['submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s'] as const;

/** Every service with a standard port above (autodiscover too): what import recognizes. */
export const KNOWN_SRV_SERVICES: readonly string[] = Object.keys(SRV_STANDARD_PORTS);
