import { OutgoingHttp } from './outgoing.js';
import type { ProxySettings } from './proxy.js';

/** The settings every outgoing client is made from (config.ts `Config` has them); net/ reads nothing else. */
export interface OutgoingSettings {
  allowPrivateTargets: boolean;
  proxy: ProxySettings;
  dispatch: { connectTimeoutMs: number; headersTimeoutMs: number; bodyTimeoutMs: number; maxResponseBytes: number };
}

/**
 * Who sends through the client. Each gets its own pools: a slow token endpoint or a flood of test
 * connections must not take the connections webhooks need.
 * - `webhooks`: the dispatcher. A site allows at most 256 threads, so one process never needs
 *   more connections to one origin; answers are read up to DISPATCH_MAX_RESPONSE_BYTES.
 * - `probes`: testSite, a person waiting on one answer; a few connections, 64 KiB read.
 * - `token-requests`: OAuth token requests; a token answer is small, 256 KiB is generous.
 */
export type OutgoingPurpose = 'webhooks' | 'probes' | 'token-requests';

/** An outgoing client for `purpose`: the same guard, proxy and timeouts for all, its own pool size and read cap. */
export function createOutgoingHttp(settings: OutgoingSettings, purpose: OutgoingPurpose): OutgoingHttp {
  const d = settings.dispatch;
  const sized = {
    webhooks: { maxResponseBytes: d.maxResponseBytes, connectionsPerOrigin: 256 },
    probes: { maxResponseBytes: 65_536, connectionsPerOrigin: 4 },
    'token-requests': { maxResponseBytes: 262_144, connectionsPerOrigin: 8 },
  }[purpose];
  return new OutgoingHttp({
    allowPrivateTargets: settings.allowPrivateTargets,
    proxy: settings.proxy,
    connectTimeoutMs: d.connectTimeoutMs,
    headersTimeoutMs: d.headersTimeoutMs,
    bodyTimeoutMs: d.bodyTimeoutMs,
    ...sized,
  });
}
