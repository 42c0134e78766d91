import { graphql } from './generated';

export const TokenStateFieldsFragment = graphql(`
  fragment TokenStateFields on TokenState {
    siteId
    status
    expiresAt
    hasRefreshToken
    lastError
    needsReconnect
    updatedAt
  }
`);

export const TokenStateChangedSubscription = graphql(`
  subscription TokenStateChanged($siteId: ID) {
    tokenStateChanged(siteId: $siteId) {
      ...TokenStateFields
    }
  }
`);

export const StartOAuthConnectMutation = graphql(`
  mutation StartOAuthConnect($siteId: ID!) {
    startOAuthConnect(siteId: $siteId) {
      authorizationUrl
    }
  }
`);

export const RefreshAccessTokenMutation = graphql(`
  mutation RefreshAccessToken($siteId: ID!) {
    refreshAccessToken(siteId: $siteId) {
      ...TokenStateFields
    }
  }
`);

export const TokenHistoryQuery = graphql(`
  query TokenHistory($siteId: ID!, $first: Int!) {
    tokenHistory(siteId: $siteId, first: $first) {
      id
      at
      grantType
      trigger
      outcome
      httpStatus
      durationMs
      expiresAt
      refreshTokenRotated
      error
    }
  }
`);
