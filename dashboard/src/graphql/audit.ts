import { graphql } from './generated';

// The audit trail (ADMIN only: other roles are answered FORBIDDEN). Field paths, never values.

export const AuditEventFieldsFragment = graphql(`
  fragment AuditEventFields on AuditEvent {
    id
    at
    tokenId
    tokenName
    operation
    targetType
    targetId
    targetName
    siteId
    siteName
    changed
    details
  }
`);

export const AuditEventsQuery = graphql(`
  query AuditEvents($first: Int, $after: String, $siteId: ID, $tokenId: ID, $operation: AuditOperation, $since: DateTime, $until: DateTime) {
    auditEvents(first: $first, after: $after, siteId: $siteId, tokenId: $tokenId, operation: $operation, since: $since, until: $until) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AuditEventFields
        }
      }
    }
  }
`);
