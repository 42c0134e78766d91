import { graphql } from './generated';

// Delivery.site is not selected: resolving it per deliveryUpdated event stalls the current
// dispatcher (see the dashboard report). Site names come from SiteChoices instead.

export const DeliveryFieldsFragment = graphql(`
  fragment DeliveryFields on Delivery {
    id
    siteId
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
