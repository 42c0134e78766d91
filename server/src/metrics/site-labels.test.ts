import 'reflect-metadata';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseExposition, valueOf } from './exposition.js';
import { Metrics, attemptClass, grantLabel } from './metrics.js';
import { SiteLabels } from './site-labels.js';

/** Only read by the pool gauges; no scrape here touches a database. */
const NO_POOL = { totalCount: 0, idleCount: 0, waitingCount: 0 } as unknown as pg.Pool;

describe('site labels', () => {
  it('keep the first maxSites ids, fold every later one into "other", and never move a site', () => {
    const labels = new SiteLabels(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b', 'c'].map((id) => labels.label(id))).toEqual(['a', 'b', 'other', 'a', 'other', 'b', 'other']);
    expect(labels.foldedSites).toBe(2);
  });

  it('fold counters and histograms of sites past the cap into site="other"', async () => {
    const metrics = new Metrics({ pool: NO_POOL, maxSites: 2 });
    for (const site of ['s1', 's2', 's3', 's4', 's3']) metrics.deliveriesAccepted(site);
    metrics.attemptFinished('s4', 'SUCCEEDED', { kind: 'response', status: 204 }, 12);
    metrics.attemptFinished('s3', 'RETRYING', { kind: 'network', errorKind: 'timeout', message: 'timed out' }, 1000);
    metrics.attemptFinished('s1', 'FAILED', { kind: 'prepare', retryable: false, message: 'no token' }, null);
    metrics.tokenRequested('s4', 'urn:ietf:params:oauth:grant-type:jwt-bearer', false);
    const samples = parseExposition(await metrics.registry.metrics());
    const sites = new Set(samples.filter((s) => s.name.startsWith('trusted_sites_') && s.labels.site).map((s) => s.labels.site));
    expect([...sites].sort()).toEqual(['other', 's1', 's2']);
    expect(valueOf(samples, 'trusted_sites_deliveries_accepted_total', { site: 'other' })).toBe(3);
    expect(valueOf(samples, 'trusted_sites_deliveries_accepted_total', { site: 's1' })).toBe(1);
    expect(valueOf(samples, 'trusted_sites_deliveries_succeeded_total', { site: 'other' })).toBe(1);
    expect(valueOf(samples, 'trusted_sites_deliveries_retried_total', { site: 'other' })).toBe(1);
    expect(valueOf(samples, 'trusted_sites_attempt_duration_seconds_count', { site: 'other', class: '2xx' })).toBe(1);
    expect(valueOf(samples, 'trusted_sites_attempt_duration_seconds_count', { site: 'other', class: 'timeout' })).toBe(1);
    expect(valueOf(samples, 'trusted_sites_attempt_duration_seconds_sum', { site: 'other', class: 'timeout' })).toBe(1);
    // Failed before any request went out: counted, but no duration to observe.
    expect(valueOf(samples, 'trusted_sites_deliveries_failed_total', { site: 's1' })).toBe(1);
    expect(samples.some((s) => s.name === 'trusted_sites_attempt_duration_seconds_count' && s.labels.site === 's1')).toBe(false);
    expect(valueOf(samples, 'trusted_sites_token_request_failures_total', { site: 'other', grant: 'jwt_bearer' })).toBe(1);
    expect(valueOf(samples, 'trusted_sites_metrics_folded_sites')).toBe(2);
  });

  it('count a lane as waiting for its rate slot from 1 ms on', async () => {
    const metrics = new Metrics({ pool: NO_POOL, maxSites: 10 });
    metrics.slotTaken('s', 0.2);
    metrics.slotTaken('s', 40);
    metrics.slotTaken('s', 160);
    const samples = parseExposition(await metrics.registry.metrics());
    expect(valueOf(samples, 'trusted_sites_rate_gate_waits_total', { site: 's' })).toBe(2);
    expect(valueOf(samples, 'trusted_sites_rate_gate_wait_seconds_total', { site: 's' })).toBeCloseTo(0.2);
  });

  it('classes attempts and names grants', () => {
    expect([200, 302, 404, 503].map((status) => attemptClass({ kind: 'response', status }))).toEqual(['2xx', '3xx', '4xx', '5xx']);
    expect(attemptClass({ kind: 'network', errorKind: 'connect', message: '' })).toBe('network');
    expect(attemptClass({ kind: 'network', errorKind: 'timeout', message: '' })).toBe('timeout');
    expect(attemptClass({ kind: 'prepare', retryable: true, message: '' })).toBeUndefined();
    expect(['authorization_code', 'refresh_token', 'client_credentials', 'client_credentials (private_key_jwt)', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'x'].map(grantLabel)).toEqual([
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'client_credentials_private_key_jwt',
      'jwt_bearer',
      'other',
    ]);
  });
});
