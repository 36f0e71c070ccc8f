// The built-in catalogue of common third-party senders: the SPF include each
// one asks its customers to publish, and the DKIM records it asks for. Data only.
// DKIM hints are templates: "{domain}" is the customer's domain with dots
// replaced by dashes where the provider says so, and tenant-specific parts
// cannot be derived, so they are shown to the user rather than published.

export interface Provider {
  /** The name used in a policy: `- provider: google`. */
  id: string;
  title: string;
  /** The SPF include the provider documents. */
  spfInclude: string;
  /** DKIM records the provider asks for, as hints shown by plan. */
  dkimHints: string[];
  /**
   * mailbox: people's own mail (its envelope sender is the domain itself); bulk: mail a
   * service sends for the domain, which can use an envelope subdomain of its own.
   */
  role: 'mailbox' | 'bulk';
  /** The provider's setting that puts its envelope sender (Return-Path) on a subdomain of the customer, and where it is documented. */
  returnPath?: { setting: string; source: string };
}

export const PROVIDERS: readonly Provider[] = [
  {
    id: 'google',
    title: 'Google Workspace',
    spfInclude: '_spf.google.com',
    dkimHints: ['google._domainkey TXT: generate the key in the Admin console (Apps > Gmail > Authenticate email)'],
    role: 'mailbox',
  },
  {
    id: 'microsoft365',
    title: 'Microsoft 365',
    spfInclude: 'spf.protection.outlook.com',
    dkimHints: [
      'selector1._domainkey CNAME selector1-<domain-with-dashes>._domainkey.<tenant>.onmicrosoft.com',
      'selector2._domainkey CNAME selector2-<domain-with-dashes>._domainkey.<tenant>.onmicrosoft.com',
    ],
    role: 'mailbox',
  },
  {
    id: 'amazonses',
    title: 'Amazon SES',
    spfInclude: 'amazonses.com',
    dkimHints: ['<token>._domainkey CNAME <token>.dkim.amazonses.com (three tokens from the SES console)'],
    role: 'bulk',
    returnPath: { setting: 'custom MAIL FROM domain', source: 'https://docs.aws.amazon.com/ses/latest/dg/mail-from.html' },
  },
  {
    id: 'sendgrid',
    title: 'SendGrid',
    spfInclude: 'sendgrid.net',
    dkimHints: [
      's1._domainkey CNAME s1.domainkey.<account>.sendgrid.net',
      's2._domainkey CNAME s2.domainkey.<account>.sendgrid.net',
    ],
    role: 'bulk',
    returnPath: {
      setting: '"Use custom return path" (Domain Authentication, advanced settings)',
      source: 'https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication',
    },
  },
  {
    id: 'mailchimp',
    title: 'Mailchimp / Mandrill',
    spfInclude: 'spf.mandrillapp.com',
    dkimHints: ['k1._domainkey CNAME dkim.mcsv.net', 'mte1._domainkey CNAME dkim1.mandrillapp.com'],
    role: 'bulk',
    returnPath: {
      setting: 'custom Return Path domain (Settings > Tracking & Return Path Domains)',
      source: 'https://mandrill.zendesk.com/hc/en-us/articles/205582727-Can-I-customize-the-Return-Path-bounce-address-used-for-my-emails-',
    },
  },
  {
    id: 'postmark',
    title: 'Postmark',
    spfInclude: 'spf.mtasv.net',
    dkimHints: ['<date>pm._domainkey TXT: the key shown in the Postmark sender signature'],
    role: 'bulk',
    returnPath: { setting: 'custom Return-Path domain', source: 'https://postmarkapp.com/blog/introducing-full-dmarc-support-with-custom' },
  },
];

export function findProvider(id: string): Provider | undefined {
  return PROVIDERS.find((p) => p.id === id);
}

/** The catalogue entry whose SPF include is `domain`. */
export function providerOfInclude(domain: string): Provider | undefined {
  return PROVIDERS.find((p) => p.spfInclude === domain);
}

/** The DKIM selectors a hint names ("selector1._domainkey CNAME ..." -> "selector1"); templates like <token> give none. */
function hintedSelector(hint: string): string | undefined {
  const match = /^([a-z0-9-]+)\._domainkey\b/i.exec(hint);
  return match?.[1]?.toLowerCase();
}

export interface ProviderHint {
  provider: Provider;
  hint: string;
}

/**
 * The DKIM records a domain's providers ask for that the policy does not publish yet
 * (neither as a `dkim:` selector nor as a `raw:` record at that name). Tenant-specific
 * parts cannot be derived, so these are shown, never published.
 */
export function missingProviderDkim(
  providerIds: readonly string[],
  declared: { domain: string; selectors: readonly string[]; rawNames: readonly string[] },
): ProviderHint[] {
  const out: ProviderHint[] = [];
  for (const id of [...new Set(providerIds)].sort()) {
    const provider = findProvider(id);
    if (!provider) continue;
    for (const hint of provider.dkimHints) {
      const selector = hintedSelector(hint);
      const done =
        selector !== undefined &&
        (declared.selectors.includes(selector) || declared.rawNames.includes(`${selector}._domainkey.${declared.domain}`));
      if (!done) out.push({ provider, hint });
    }
  }
  return out;
}
