import { graphql } from './generated';

// The auth config's selection is generated with the auth methods' metadata (auth-methods.generated.ts).
export const SiteFieldsFragment = graphql(`
  fragment SiteFields on Site {
    id
    name
    url
    contentType
    status
    authMethod
    redirectUrl
    createdAt
    updatedAt
    token {
      ...TokenStateFields
    }
    performance {
      maxRps
      threads
    }
    sendTraceparent
    auth {
      ...AuthFields
    }
    headers {
      name
      value
      secret
      valueSet
    }
  }
`);

export const SitesQuery = graphql(`
  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {
    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          name
          url
          contentType
          status
          authMethod
          statusReason
          token {
            ...TokenStateFields
          }
          breaker {
            state
            consecutiveFailures
            nextProbeAt
          }
          clientCertificate {
            notAfter
            expiresSoon
            expired
          }
        }
      }
    }
  }
`);

export const SiteQuery = graphql(`
  query Site($id: ID!) {
    site(id: $id) {
      ...SiteFields
    }
  }
`);

export const CreateSiteMutation = graphql(`
  mutation CreateSite($input: SiteInput!) {
    createSite(input: $input) {
      ...SiteFields
    }
  }
`);

export const UpdateSiteMutation = graphql(`
  mutation UpdateSite($id: ID!, $input: SiteUpdateInput!) {
    updateSite(id: $id, input: $input) {
      ...SiteFields
    }
  }
`);

export const SetSiteStatusMutation = graphql(`
  mutation SetSiteStatus($id: ID!, $status: SiteStatus!) {
    setSiteStatus(id: $id, status: $status) {
      id
      status
      updatedAt
    }
  }
`);

export const DeleteSiteMutation = graphql(`
  mutation DeleteSite($id: ID!) {
    deleteSite(id: $id)
  }
`);
