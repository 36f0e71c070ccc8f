// The DNS layer's public surface: client, resolver seam, updates, TSIG, zone transfer.

export type { Answer, Resolver } from './resolver.js';
export { createDnsClient, type DnsClient, type DnsClientOptions, type DnsStats, type QueryOptions, type QueryResult } from './client.js';
export { DnsCache, type CacheOptions } from './cache.js';
export { DnsNetworkError, DnsTimeoutError } from './failure.js';
export { MalformedMessageError } from './guard.js';
export { findAuthoritativeServers } from './authoritative.js';
export { formatServer, loadResolvConf, parseResolvConf, parseServer, type ResolvConf, type ServerAddress } from './servers.js';
export { loadTsigKey, parseTsigKeyText, TsigKey, type TsigAlgorithm, type TsigKeySpec } from './tsig-key.js';
export { TsigError } from './tsig.js';
export {
  addRR, deleteName, deleteRR, deleteRRset, nameInUse, nameNotInUse, rrsetExists, rrsetExistsValue,
  rrsetNotExists, sendUpdate, type PrerequisiteRcode, type UpdateRequest, type UpdateResult,
} from './update.js';
export type { WireRR } from './message.js';
export { axfr, type AxfrOptions } from './axfr.js';
export type { DnsFlags, DnsResponse } from './response.js';
