// The live probes of an audit: DANE against the MX hosts (RFC 7672) and the served MTA-STS policy (RFC 8461).

export { probeMx, type ProbeFailure, type ProbeFailureKind, type ProbeStage, type SmtpProbeOptions, type SmtpProbeResult } from './smtp-tls.js';
export { checkServedCertificate, compileAssociation, matchTlsa, type CertificateVerdict, type TlsaData, type TlsaVerdict } from './dane-match.js';
export { checkDane, checkResolverValidates, dnssecStatusOf, type DaneCheckOptions, type DnssecStatus, type MxProbe, type ResolverValidation } from './dane.js';
export { fetchMtaStsPolicy, type MtaStsFetchOptions, type MtaStsFetchResult } from './mta-sts-fetch.js';
export { mtaStsPolicyUrl } from '../../mail/mta-sts/record.js';
export { diffMtaStsPolicies, idUnchangedAfterPolicyChange, parseMtaStsPolicy, uncoveredMxHosts, type ServedMtaStsPolicy } from '../../mail/mta-sts/policy.js';
export { checkMtaStsLive, type MtaStsLiveOptions } from './mta-sts-live.js';
export { checkLiveTransport, expectedMtaStsPolicy, probeThroughResolver, reconcileDnssecFindings, type LiveTransportOptions } from './live.js';
