// The numbers RFC 8301 puts on DKIM keys, for the builder, the audit, import and the policy loader.

/** RFC 8301 §3.2: verifiers MUST accept at least 1024 bits; signers SHOULD use 2048. */
export const DKIM_RSA_MIN_BITS = 1024;
export const DKIM_RSA_RECOMMENDED_BITS = 2048;
