// Reads the two SubjectPublicKeyInfo shapes DKIM publishes — RSA (RFC 8017 §A.1.1 inside
// RFC 5280 §4.1.2.7) and Ed25519 (RFC 8410 §4) — straight from strict DER, without
// OpenSSL's generic decoder, which costs a quarter of a millisecond per key and dominated
// the profile of a bulk audit and of a thousand-domain plan. Anything else (other
// algorithms, unusual exponents, non-minimal encodings, trailing bytes) is left to
// node:crypto: undefined here means "ask createPublicKey", never "invalid".

export type SpkiInfo = { type: 'rsa'; bits: number } | { type: 'ed25519'; raw: Buffer };

/** 1.2.840.113549.1.1.1 rsaEncryption, then NULL parameters (RFC 8017 §A.1). */
const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');
/** SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING (33 octets, 0 unused bits) } (RFC 8410 §4): the SPKI of an Ed25519 key before its 32 raw octets. */
export const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

interface Tlv {
  tag: number;
  /** First content octet. */
  start: number;
  /** One past the last content octet. */
  end: number;
}

/** One DER TLV at offset, definite minimal length only (X.690 §10.1); undefined otherwise. */
function readTlv(buf: Buffer, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = buf[offset]!;
  const first = buf[offset + 1]!;
  let length: number;
  let start: number;
  if (first < 0x80) {
    length = first;
    start = offset + 2;
  } else if (first === 0x81) {
    if (offset + 3 > limit) return undefined;
    length = buf[offset + 2]!;
    if (length < 0x80) return undefined;
    start = offset + 3;
  } else if (first === 0x82) {
    if (offset + 4 > limit) return undefined;
    length = buf.readUInt16BE(offset + 2);
    if (length < 0x100) return undefined;
    start = offset + 4;
  } else {
    return undefined;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

/** A positive INTEGER in minimal form: its magnitude's first octet and length. */
function readPositiveInteger(buf: Buffer, tlv: Tlv): { first: number; octets: number } | undefined {
  if (tlv.tag !== 0x02 || tlv.end === tlv.start) return undefined;
  let i = tlv.start;
  if (buf[i] === 0x00) {
    // A leading zero only to keep the sign bit clear (X.690 §8.3.2).
    if (tlv.end - i < 2 || buf[i + 1]! < 0x80) return undefined;
    i++;
  } else if (buf[i]! >= 0x80) {
    return undefined; // negative
  }
  return { first: buf[i]!, octets: tlv.end - i };
}

/** The common public exponents; anything else goes to node:crypto. */
function isCommonExponent(buf: Buffer, tlv: Tlv): boolean {
  const e = buf.subarray(tlv.start, tlv.end);
  return tlv.tag === 0x02 && ((e.length === 3 && e[0] === 0x01 && e[1] === 0x00 && e[2] === 0x01) || (e.length === 1 && e[0] === 0x03));
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } filling [offset, limit) exactly. */
function readRsaPublicKey(buf: Buffer, offset: number, limit: number): number | undefined {
  const seq = readTlv(buf, offset, limit);
  if (!seq || seq.tag !== 0x30 || seq.end !== limit) return undefined;
  const n = readTlv(buf, seq.start, seq.end);
  if (!n) return undefined;
  const modulus = readPositiveInteger(buf, n);
  const e = readTlv(buf, n.end, seq.end);
  if (!modulus || !e || e.end !== seq.end || !isCommonExponent(buf, e)) return undefined;
  // BN_num_bits: whole octets after the first, plus the bits of the first.
  return (modulus.octets - 1) * 8 + (32 - Math.clz32(modulus.first));
}

/** RSA or Ed25519 from a DER SubjectPublicKeyInfo, or undefined: ask node:crypto. */
export function readSpki(der: Buffer): SpkiInfo | undefined {
  if (der.length === 44 && der.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
    return { type: 'ed25519', raw: Buffer.from(der.subarray(12)) };
  }
  const outer = readTlv(der, 0, der.length);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) return undefined;
  const algorithmEnd = outer.start + RSA_ALGORITHM.length;
  if (algorithmEnd > outer.end || !der.subarray(outer.start, algorithmEnd).equals(RSA_ALGORITHM)) return undefined;
  const bits = readTlv(der, algorithmEnd, outer.end);
  // BIT STRING with no unused bits, holding the RSAPublicKey and ending the SPKI.
  if (!bits || bits.tag !== 0x03 || bits.end !== outer.end || bits.end - bits.start < 2 || der[bits.start] !== 0x00) return undefined;
  const modulusBits = readRsaPublicKey(der, bits.start + 1, bits.end);
  return modulusBits === undefined ? undefined : { type: 'rsa', bits: modulusBits };
}

/** The DER of a PEM holding exactly one "PUBLIC KEY" block and nothing else, or undefined. */
export function publicKeyPemDer(pem: string): Buffer | undefined {
  const m = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/\r\n]+={0,2})\r?\n-----END PUBLIC KEY-----$/.exec(pem.trim());
  if (!m) return undefined;
  const b64 = m[1]!.replace(/[\r\n]/g, '');
  if (b64.length % 4 !== 0) return undefined;
  return Buffer.from(b64, 'base64');
}
