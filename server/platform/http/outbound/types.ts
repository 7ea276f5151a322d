// What the outbound guard needs to judge a destination: the operator's allow-list and a resolver.
import type { AllowList } from './ip-policy.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Every address `hostname` resolves to; rejects when it does not resolve. Injectable for tests. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface OutboundPolicy {
  readonly allow: AllowList;
  /** Defaults to resolvers.ts defaultResolver: DNS on the event loop, the system's for allow-listed names. */
  readonly resolve?: Resolver;
}
