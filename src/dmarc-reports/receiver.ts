// Who sent a report. <org_name> says it (RFC 7489 Appendix C, RFC 9990 §3), but some
// receivers leave it empty or out; such a report still counts, named by its <email>, its
// <extra_contact_info>, or its file name (RFC 7489 §7.2.1.1: receiver "!" policy-domain
// "!" begin "!" end ...).

export type ReceiverSource = 'org_name' | 'email' | 'extra_contact_info' | 'file name';

export interface ReceiverName {
  name: string;
  from: ReceiverSource;
}

/** The domain of an address or mailto: URI, lowercase; undefined when there is none. */
function addressDomain(text: string): string | undefined {
  const m = /^(?:mailto:)?[^@\s]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\.?$/i.exec(text.trim());
  return m?.[1]?.toLowerCase();
}

function urlHost(text: string): string | undefined {
  try {
    const host = new URL(text.trim()).hostname.toLowerCase();
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

/** The last path or part name in a reader's `where` ("dir/a.zip: b.xml" -> "b.xml"). */
function fileNameOf(where: string): string {
  const part = where.split(': ').at(-1)!;
  return part.split('/').at(-1)!.replace(/ \(message \d+\)$/, '');
}

/** The receiver of a report: org_name, else the email's domain, the contact's host, the file name. */
export function nameReceiver(meta: { orgName: string; email?: string; extraContactInfo?: string }, where: string): ReceiverName {
  const org = meta.orgName.trim();
  if (org !== '') return { name: org, from: 'org_name' };
  const email = meta.email === undefined ? undefined : addressDomain(meta.email);
  if (email) return { name: email, from: 'email' };
  const contact = meta.extraContactInfo;
  if (contact !== undefined && contact.trim() !== '') {
    const named = addressDomain(contact) ?? urlHost(contact) ?? contact.trim().slice(0, 64);
    return { name: named, from: 'extra_contact_info' };
  }
  const file = fileNameOf(where);
  // RFC 7489 §7.2.1.1: the receiver comes first in the file name, before the first "!".
  const bang = file.indexOf('!');
  return { name: bang > 0 ? file.slice(0, bang).toLowerCase() : file, from: 'file name' };
}
