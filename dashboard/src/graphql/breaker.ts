import { graphql } from './generated';

// Circuit breaker, site events and the operational webhook (server/src/breaker).

export const SiteBreakerFieldsFragment = graphql(`
  fragment SiteBreakerFields on SiteBreaker {
    state
    consecutiveFailures
    failingSince
    openedAt
    nextProbeAt
    opens
    reason
  }
`);

/** The site's own settings (null: the deployment default) and the values in force. */
export const BreakerSettingsFieldsFragment = graphql(`
  fragment BreakerSettingsFields on SiteBreaker {
    settings {
      failureThreshold
      failureWindowSeconds
      autoDisableAfterSeconds
    }
    effective {
      failureThreshold
      failureWindowSeconds
      autoDisableAfterSeconds
      pauseBaseMs
      pauseMaxMs
    }
  }
`);

export const UpdateBreakerSettingsMutation = graphql(`
  mutation UpdateBreakerSettings($siteId: ID!, $input: BreakerSettingsInput!) {
    updateBreakerSettings(siteId: $siteId, input: $input) {
      id
      updatedAt
      breaker {
        ...SiteBreakerFields
        ...BreakerSettingsFields
      }
    }
  }
`);

export const SiteEventFieldsFragment = graphql(`
  fragment SiteEventFields on SiteEvent {
    id
    siteId
    siteName
    kind
    fromState
    toState
    reason
    details
    createdAt
  }
`);

/** The site page's Health panel: the breaker, why the site is inactive, and a page of its events. */
export const SiteHealthQuery = graphql(`
  query SiteHealth($id: ID!, $first: Int, $after: String) {
    site(id: $id) {
      id
      status
      statusReason
      breaker {
        ...SiteBreakerFields
        ...BreakerSettingsFields
      }
      events(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            ...SiteEventFields
          }
        }
      }
    }
  }
`);

export const SiteEventsSubscription = graphql(`
  subscription SiteEventAdded($siteId: ID) {
    siteEvents(siteId: $siteId) {
      ...SiteEventFields
    }
  }
`);

export const ResetBreakerMutation = graphql(`
  mutation ResetBreaker($siteId: ID!) {
    resetBreaker(siteId: $siteId) {
      id
      status
      updatedAt
      breaker {
        ...SiteBreakerFields
      }
    }
  }
`);

export const OperationalWebhookFieldsFragment = graphql(`
  fragment OperationalWebhookFields on OperationalWebhook {
    siteId
    setAt
    setBy
    site {
      id
      name
      status
    }
  }
`);

/** The settings page: the chosen site, and the sites it may be (ACTIVE ones). */
export const OperationalWebhookQuery = graphql(`
  query OperationalWebhook {
    operationalWebhook {
      ...OperationalWebhookFields
    }
    activeSites {
      id
      name
      contentType
    }
  }
`);

export const SetOperationalWebhookSiteMutation = graphql(`
  mutation SetOperationalWebhookSite($siteId: ID!) {
    setOperationalWebhookSite(siteId: $siteId) {
      ...OperationalWebhookFields
    }
  }
`);

export const ClearOperationalWebhookSiteMutation = graphql(`
  mutation ClearOperationalWebhookSite {
    clearOperationalWebhookSite
  }
`);
