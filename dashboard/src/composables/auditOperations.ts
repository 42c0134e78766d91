import type { AuditOperation } from '../graphql/generated/graphql';

/** What each recorded operation is called on the dashboard, in the order the filter offers them. */
export const AUDIT_OPERATIONS: ReadonlyArray<{ operation: AuditOperation; label: string }> = [
  { operation: 'SITE_CREATED', label: 'Site created' },
  { operation: 'SITE_UPDATED', label: 'Site changed' },
  { operation: 'SITE_STATUS_CHANGED', label: 'Status changed' },
  { operation: 'SITE_DELETED', label: 'Site deleted' },
  { operation: 'SITE_TESTED', label: 'Site tested' },
  { operation: 'OAUTH_CONNECT_STARTED', label: 'OAuth connect started' },
  { operation: 'OAUTH_CONNECT_COMPLETED', label: 'OAuth connect completed' },
  { operation: 'ACCESS_TOKEN_REFRESHED', label: 'Access token refreshed by hand' },
  { operation: 'API_TOKEN_CREATED', label: 'API token created' },
  { operation: 'API_TOKEN_REVOKED', label: 'API token revoked' },
  { operation: 'DELIVERY_RETRIED', label: 'Delivery retried' },
  { operation: 'DELIVERIES_RETRIED', label: 'Failed deliveries resent' },
  { operation: 'BREAKER_RESET', label: 'Sending resumed by hand' },
  { operation: 'OPERATIONAL_WEBHOOK_SET', label: 'Operational webhook site chosen' },
  { operation: 'OPERATIONAL_WEBHOOK_CLEARED', label: 'Operational webhook stopped' },
];

/** A bulk replay's `details` as one line: how many, and the creation window when one was given. */
export function replaySummary(details: unknown): string | null {
  if (!details || typeof details !== 'object') return null;
  const { count, since, until } = details as { count?: unknown; since?: unknown; until?: unknown };
  if (typeof count !== 'number') return null;
  const window = [typeof since === 'string' ? `created from ${since}` : '', typeof until === 'string' ? `before ${until}` : ''].filter(Boolean).join(', ');
  return `${count} resent${window ? ` (${window})` : ''}`;
}

export function operationLabel(operation: AuditOperation): string {
  return AUDIT_OPERATIONS.find((o) => o.operation === operation)?.label ?? operation;
}
