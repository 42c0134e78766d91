import { databaseOutage, isDatabaseUnreachable } from '../db/outage.js';
import { log } from '../log.js';
import type { BreakerService } from './breaker.service.js';

/** How often sending processes look for client certificates about to expire. */
export const CERTIFICATE_CHECK_INTERVAL_MS = 3_600_000;
/** The first look, shortly after start (not in the start itself: a slow query must not delay it). */
const FIRST_CHECK_MS = 5000;

/**
 * Records CERTIFICATE_EXPIRING site events (BreakerService.recordExpiringCertificates) shortly
 * after start and then hourly. Every sending process runs it; the advisory lock inside makes one
 * event per certificate.
 */
export function startCertificateWatch(breaker: BreakerService): { stop(): void } {
  const run = () =>
    breaker
      .recordExpiringCertificates()
      .then((count) => {
        if (count) log.info('client certificates expiring soon', { count });
      })
      .catch((error) => {
        if (isDatabaseUnreachable(error)) databaseOutage.failed('certificate watch', error);
        else log.error('could not check client certificates for expiry', { error: (error as Error).message });
      });
  const first = setTimeout(() => void run(), FIRST_CHECK_MS);
  const every = setInterval(() => void run(), CERTIFICATE_CHECK_INTERVAL_MS);
  first.unref();
  every.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
