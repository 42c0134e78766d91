import { graphql } from './generated';

// Delivery.site is batched on the server (one query per page, one per subscription event), so
// every row names its site even when there are more sites than the filter's SiteChoices lists.

export const DeliveryFieldsFragment = graphql(`
  fragment DeliveryFields on Delivery {
    id
    siteId
    site {
      id
      name
    }
    status
    method
    idempotencyKey
    attemptCount
    lastError
    lastStatusCode
    nextAttemptAt
    createdAt
    updatedAt
    deliveredAt
    attempts {
      number
      startedAt
      statusCode
      durationMs
      outcome
      error
      responseExcerpt
      responseTruncated
      nextAttemptAt
    }
  }
`);

export const DeliveriesQuery = graphql(`
  query Deliveries($siteId: ID, $status: DeliveryStatus, $first: Int, $after: String) {
    deliveries(siteId: $siteId, status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...DeliveryFields
        }
      }
    }
  }
`);

export const DeliveryUpdatedSubscription = graphql(`
  subscription DeliveryUpdated($siteId: ID) {
    deliveryUpdated(siteId: $siteId) {
      ...DeliveryFields
    }
  }
`);

export const RetryDeliveryMutation = graphql(`
  mutation RetryDelivery($id: ID!) {
    retryDelivery(id: $id) {
      ...DeliveryFields
    }
  }
`);

// The bulk replay's count for its confirmation: the list's total for the same filter, read fresh.
export const FailedCountQuery = graphql(`
  query FailedCount($siteId: ID!) {
    deliveries(siteId: $siteId, status: FAILED, first: 1) {
      totalCount
    }
  }
`);

export const RetryDeliveriesMutation = graphql(`
  mutation RetryDeliveries($siteId: ID!) {
    retryDeliveries(siteId: $siteId, status: FAILED)
  }
`);

export const DeliveryStatsQuery = graphql(`
  query DeliveryStats($siteId: ID, $minutes: Int) {
    deliveryStats(siteId: $siteId, minutes: $minutes) {
      at
      sent
      succeeded
      failed
      retried
      avgLatencyMs
      p50LatencyMs
    }
  }
`);

export const SiteChoicesQuery = graphql(`
  query SiteChoices {
    sites(first: 100) {
      edges {
        node {
          id
          name
          status
          performance {
            maxRps
          }
        }
      }
    }
  }
`);
