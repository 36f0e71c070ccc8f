"""Verify one DKIM signature with Debian's dkimpy (python3-dkim), asking a DNS server the test names.

usage: /usr/bin/python3 dkimpy-verify.py HOST PORT INDEX < message

Prints one JSON object of facts; test/helpers/dkim-verify.ts turns them into a verdict:
  verified   dkimpy's answer (False also when dkimpy raised)
  error      the dkimpy exception class raised, or null
  messages   what dkimpy raised and logged, in order
  count      DKIM-Signature fields in the message
  domain, selector, algorithm   of signature INDEX
  asked      the key record was looked up; record: its text, or null (none found)
"""

import json
import logging
import sys

import dkim
import dkim.dnsplug
import dns.resolver
from dkim.util import parse_tag_value

host, port, index = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

# dkimpy looks keys up through dnspython's default resolver: point it at the test server.
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [host]
resolver.port = port
resolver.timeout = 2
resolver.lifetime = 4
dns.resolver.default_resolver = resolver

messages = []


class Collect(logging.Handler):
    def emit(self, record):
        messages.append(record.getMessage())


logger = logging.getLogger("dkimpy-verify")
logger.setLevel(logging.DEBUG)
logger.addHandler(Collect(level=logging.WARNING))

lookups = {}


def dnsfunc(name, timeout=5):
    # dkimpy's own lookup (dkim.dnsplug.get_txt), recorded so the verdict can name the key state.
    txt = dkim.dnsplug.get_txt(name, timeout)
    lookups[name] = txt
    return txt


message = sys.stdin.buffer.read()
facts = {"verified": False, "error": None, "messages": messages, "count": 0,
         "domain": None, "selector": None, "algorithm": None, "asked": False, "record": None}
try:
    d = dkim.DKIM(message, logger=logger)
    signatures = [value for (name, value) in d.headers if name.lower() == b"dkim-signature"]
    facts["count"] = len(signatures)
    if index < len(signatures):
        tags = parse_tag_value(signatures[index])
        facts["domain"] = tags.get(b"d", b"").decode("ascii", "replace")
        facts["selector"] = tags.get(b"s", b"").decode("ascii", "replace")
        facts["algorithm"] = tags.get(b"a", b"").decode("ascii", "replace")
        facts["verified"] = bool(d.verify(idx=index, dnsfunc=dnsfunc))
except dkim.DKIMException as e:
    facts["error"] = type(e).__name__
    messages.append(str(e))

name = "%s._domainkey.%s." % (facts["selector"], facts["domain"])
if name.encode("ascii", "replace") in lookups:
    facts["asked"] = True
    record = lookups[name.encode("ascii", "replace")]
    facts["record"] = None if record is None else record.decode("utf-8", "replace")

print(json.dumps(facts))
