/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Viewer {\n    viewer {\n      name\n      role\n      tokenId\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  fragment ApiTokenFields on ApiToken {\n    id\n    name\n    role\n    createdAt\n    lastUsedAt\n  }\n": typeof types.ApiTokenFieldsFragmentDoc,
    "\n  query ApiTokens {\n    apiTokens {\n      ...ApiTokenFields\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  mutation CreateApiToken($input: ApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...ApiTokenFields\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id)\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  fragment AuditEventFields on AuditEvent {\n    id\n    at\n    tokenId\n    tokenName\n    operation\n    targetType\n    targetId\n    targetName\n    siteId\n    siteName\n    changed\n    details\n  }\n": typeof types.AuditEventFieldsFragmentDoc,
    "\n  query AuditEvents($first: Int, $after: String, $siteId: ID, $tokenId: ID, $operation: AuditOperation, $since: DateTime, $until: DateTime) {\n    auditEvents(first: $first, after: $after, siteId: $siteId, tokenId: $tokenId, operation: $operation, since: $since, until: $until) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AuditEventFields\n        }\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  fragment AuthFields on AuthConfig {\n    __typename\n    ... on BasicAuth {\n      username\n      passwordSet\n    }\n    ... on AwsAuth {\n      region\n      service\n      accessKeyId\n      secretAccessKeySet\n      sessionTokenSet\n      algorithmPrefix\n      vendorKey\n    }\n    ... on AwsS3Auth {\n      accessKeyId\n      secretAccessKeySet\n      service\n      region\n      filenameFormat\n    }\n    ... on JwtAuth {\n      algorithm\n      secretSet\n      privateKeySet\n      timeToLive\n      payload\n    }\n    ... on OAuth2Auth {\n      consumerKey\n      consumerSecretSet\n      authorizationUrl\n      tokenUrl\n      scope\n      responseType\n      clientAuthentication\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on OAuth2ClientCredentialsAuth {\n      tokenUrl\n      contentType\n      tokenExpirationMinutes\n      clientId\n      clientSecretSet\n      scope\n      clientAuthentication\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on OAuth2JwtBearerAuth {\n      tokenUrl\n      contentType\n      tokenExpirationMinutes\n      clientId\n      signAlgorithm\n      privateKeySet\n      keyId\n      scope\n      grant\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on ApiKeyAuth {\n      placement\n      name\n      keySet\n    }\n  }\n": typeof types.AuthFieldsFragmentDoc,
    "\n  fragment SiteBreakerFields on SiteBreaker {\n    state\n    consecutiveFailures\n    failingSince\n    openedAt\n    nextProbeAt\n    opens\n    reason\n  }\n": typeof types.SiteBreakerFieldsFragmentDoc,
    "\n  fragment BreakerSettingsFields on SiteBreaker {\n    settings {\n      failureThreshold\n      failureWindowSeconds\n      autoDisableAfterSeconds\n    }\n    effective {\n      failureThreshold\n      failureWindowSeconds\n      autoDisableAfterSeconds\n      pauseBaseMs\n      pauseMaxMs\n    }\n  }\n": typeof types.BreakerSettingsFieldsFragmentDoc,
    "\n  mutation UpdateBreakerSettings($siteId: ID!, $input: BreakerSettingsInput!) {\n    updateBreakerSettings(siteId: $siteId, input: $input) {\n      id\n      updatedAt\n      breaker {\n        ...SiteBreakerFields\n        ...BreakerSettingsFields\n      }\n    }\n  }\n": typeof types.UpdateBreakerSettingsDocument,
    "\n  fragment SiteEventFields on SiteEvent {\n    id\n    siteId\n    siteName\n    kind\n    fromState\n    toState\n    reason\n    details\n    createdAt\n  }\n": typeof types.SiteEventFieldsFragmentDoc,
    "\n  query SiteHealth($id: ID!, $first: Int, $after: String) {\n    site(id: $id) {\n      id\n      status\n      statusReason\n      breaker {\n        ...SiteBreakerFields\n        ...BreakerSettingsFields\n      }\n      events(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...SiteEventFields\n          }\n        }\n      }\n    }\n  }\n": typeof types.SiteHealthDocument,
    "\n  subscription SiteEventAdded($siteId: ID) {\n    siteEvents(siteId: $siteId) {\n      ...SiteEventFields\n    }\n  }\n": typeof types.SiteEventAddedDocument,
    "\n  mutation ResetBreaker($siteId: ID!) {\n    resetBreaker(siteId: $siteId) {\n      id\n      status\n      updatedAt\n      breaker {\n        ...SiteBreakerFields\n      }\n    }\n  }\n": typeof types.ResetBreakerDocument,
    "\n  fragment OperationalWebhookFields on OperationalWebhook {\n    siteId\n    setAt\n    setBy\n    site {\n      id\n      name\n      status\n    }\n  }\n": typeof types.OperationalWebhookFieldsFragmentDoc,
    "\n  query OperationalWebhook {\n    operationalWebhook {\n      ...OperationalWebhookFields\n    }\n    activeSites {\n      id\n      name\n      contentType\n    }\n  }\n": typeof types.OperationalWebhookDocument,
    "\n  mutation SetOperationalWebhookSite($siteId: ID!) {\n    setOperationalWebhookSite(siteId: $siteId) {\n      ...OperationalWebhookFields\n    }\n  }\n": typeof types.SetOperationalWebhookSiteDocument,
    "\n  mutation ClearOperationalWebhookSite {\n    clearOperationalWebhookSite\n  }\n": typeof types.ClearOperationalWebhookSiteDocument,
    "\n  fragment ClientCertificateFields on ClientCertificate {\n    subject\n    issuer\n    fingerprint\n    notBefore\n    notAfter\n    expiresSoon\n    expired\n    certificates\n    caCertificates\n    setAt\n  }\n": typeof types.ClientCertificateFieldsFragmentDoc,
    "\n  query SiteClientCertificate($id: ID!) {\n    site(id: $id) {\n      id\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n": typeof types.SiteClientCertificateDocument,
    "\n  mutation SetClientCertificate($siteId: ID!, $clientCertificate: ClientCertificateInput!) {\n    setClientCertificate(siteId: $siteId, clientCertificate: $clientCertificate) {\n      id\n      updatedAt\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n": typeof types.SetClientCertificateDocument,
    "\n  mutation RemoveClientCertificate($siteId: ID!) {\n    removeClientCertificate(siteId: $siteId) {\n      id\n      updatedAt\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n": typeof types.RemoveClientCertificateDocument,
    "\n  fragment DeliveryFields on Delivery {\n    id\n    siteId\n    site {\n      id\n      name\n    }\n    status\n    method\n    idempotencyKey\n    attemptCount\n    lastError\n    lastStatusCode\n    nextAttemptAt\n    createdAt\n    updatedAt\n    deliveredAt\n    attempts {\n      number\n      startedAt\n      statusCode\n      durationMs\n      outcome\n      error\n      responseExcerpt\n      responseTruncated\n      nextAttemptAt\n    }\n  }\n": typeof types.DeliveryFieldsFragmentDoc,
    "\n  query Deliveries($siteId: ID, $status: DeliveryStatus, $first: Int, $after: String) {\n    deliveries(siteId: $siteId, status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...DeliveryFields\n        }\n      }\n    }\n  }\n": typeof types.DeliveriesDocument,
    "\n  subscription DeliveryUpdated($siteId: ID) {\n    deliveryUpdated(siteId: $siteId) {\n      ...DeliveryFields\n    }\n  }\n": typeof types.DeliveryUpdatedDocument,
    "\n  mutation RetryDelivery($id: ID!) {\n    retryDelivery(id: $id) {\n      ...DeliveryFields\n    }\n  }\n": typeof types.RetryDeliveryDocument,
    "\n  query FailedCount($siteId: ID!) {\n    deliveries(siteId: $siteId, status: FAILED, first: 1) {\n      totalCount\n    }\n  }\n": typeof types.FailedCountDocument,
    "\n  mutation RetryDeliveries($siteId: ID!) {\n    retryDeliveries(siteId: $siteId, status: FAILED)\n  }\n": typeof types.RetryDeliveriesDocument,
    "\n  query DeliveryStats($siteId: ID, $minutes: Int) {\n    deliveryStats(siteId: $siteId, minutes: $minutes) {\n      at\n      sent\n      succeeded\n      failed\n      retried\n      avgLatencyMs\n      p50LatencyMs\n    }\n  }\n": typeof types.DeliveryStatsDocument,
    "\n  query SiteChoices {\n    sites(first: 100) {\n      edges {\n        node {\n          id\n          name\n          status\n          performance {\n            maxRps\n          }\n        }\n      }\n    }\n  }\n": typeof types.SiteChoicesDocument,
    "\n  fragment SignedRequestFields on SignedRequestPreview {\n    method\n    url\n    headers {\n      name\n      value\n    }\n    body\n    bodyBytes\n    bodyTruncated\n  }\n": typeof types.SignedRequestFieldsFragmentDoc,
    "\n  mutation TestSite($id: ID!) {\n    testSite(id: $id) {\n      ok\n      statusCode\n      latencyMs\n      error\n      request {\n        ...SignedRequestFields\n      }\n      responseHeaders {\n        name\n        value\n      }\n      responseExcerpt\n      responseTruncated\n    }\n  }\n": typeof types.TestSiteDocument,
    "\n  query PreviewSignedRequest($siteId: ID!) {\n    previewSignedRequest(siteId: $siteId) {\n      ...SignedRequestFields\n    }\n  }\n": typeof types.PreviewSignedRequestDocument,
    "\n  fragment PayloadSigningFields on PayloadSigning {\n    enabled\n    secrets {\n      id\n      createdAt\n      expiresAt\n      fingerprint\n    }\n  }\n": typeof types.PayloadSigningFieldsFragmentDoc,
    "\n  query SiteSigning($id: ID!) {\n    site(id: $id) {\n      id\n      signing {\n        ...PayloadSigningFields\n      }\n    }\n  }\n": typeof types.SiteSigningDocument,
    "\n  mutation EnableSigning($siteId: ID!, $secret: String) {\n    enableSigning(siteId: $siteId, secret: $secret) {\n      site {\n        id\n        updatedAt\n        signing {\n          ...PayloadSigningFields\n        }\n      }\n      secret\n    }\n  }\n": typeof types.EnableSigningDocument,
    "\n  mutation DisableSigning($siteId: ID!) {\n    disableSigning(siteId: $siteId) {\n      id\n      updatedAt\n      signing {\n        ...PayloadSigningFields\n      }\n    }\n  }\n": typeof types.DisableSigningDocument,
    "\n  mutation RotateSigningSecret($siteId: ID!, $overlapMinutes: Int!, $secret: String) {\n    rotateSigningSecret(siteId: $siteId, overlapMinutes: $overlapMinutes, secret: $secret) {\n      site {\n        id\n        updatedAt\n        signing {\n          ...PayloadSigningFields\n        }\n      }\n      secret\n    }\n  }\n": typeof types.RotateSigningSecretDocument,
    "\n  fragment SiteFields on Site {\n    id\n    name\n    url\n    contentType\n    status\n    authMethod\n    redirectUrl\n    createdAt\n    updatedAt\n    token {\n      ...TokenStateFields\n    }\n    performance {\n      maxRps\n      threads\n    }\n    sendTraceparent\n    auth {\n      ...AuthFields\n    }\n    headers {\n      name\n      value\n      secret\n      valueSet\n    }\n  }\n": typeof types.SiteFieldsFragmentDoc,
    "\n  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {\n    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          name\n          url\n          contentType\n          status\n          authMethod\n          statusReason\n          token {\n            ...TokenStateFields\n          }\n          breaker {\n            state\n            consecutiveFailures\n            nextProbeAt\n          }\n          clientCertificate {\n            notAfter\n            expiresSoon\n            expired\n          }\n        }\n      }\n    }\n  }\n": typeof types.SitesDocument,
    "\n  query Site($id: ID!) {\n    site(id: $id) {\n      ...SiteFields\n    }\n  }\n": typeof types.SiteDocument,
    "\n  mutation CreateSite($input: SiteInput!) {\n    createSite(input: $input) {\n      ...SiteFields\n    }\n  }\n": typeof types.CreateSiteDocument,
    "\n  mutation UpdateSite($id: ID!, $input: SiteUpdateInput!) {\n    updateSite(id: $id, input: $input) {\n      ...SiteFields\n    }\n  }\n": typeof types.UpdateSiteDocument,
    "\n  mutation SetSiteStatus($id: ID!, $status: SiteStatus!) {\n    setSiteStatus(id: $id, status: $status) {\n      id\n      status\n      updatedAt\n    }\n  }\n": typeof types.SetSiteStatusDocument,
    "\n  mutation DeleteSite($id: ID!) {\n    deleteSite(id: $id)\n  }\n": typeof types.DeleteSiteDocument,
    "\n  fragment TokenStateFields on TokenState {\n    siteId\n    status\n    expiresAt\n    hasRefreshToken\n    lastError\n    needsReconnect\n    updatedAt\n  }\n": typeof types.TokenStateFieldsFragmentDoc,
    "\n  subscription TokenStateChanged($siteId: ID) {\n    tokenStateChanged(siteId: $siteId) {\n      ...TokenStateFields\n    }\n  }\n": typeof types.TokenStateChangedDocument,
    "\n  mutation StartOAuthConnect($siteId: ID!) {\n    startOAuthConnect(siteId: $siteId) {\n      authorizationUrl\n    }\n  }\n": typeof types.StartOAuthConnectDocument,
    "\n  mutation RefreshAccessToken($siteId: ID!) {\n    refreshAccessToken(siteId: $siteId) {\n      ...TokenStateFields\n    }\n  }\n": typeof types.RefreshAccessTokenDocument,
    "\n  query TokenHistory($siteId: ID!, $first: Int!) {\n    tokenHistory(siteId: $siteId, first: $first) {\n      id\n      at\n      grantType\n      trigger\n      outcome\n      httpStatus\n      durationMs\n      expiresAt\n      refreshTokenRotated\n      error\n    }\n  }\n": typeof types.TokenHistoryDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer {\n      name\n      role\n      tokenId\n    }\n  }\n": types.ViewerDocument,
    "\n  fragment ApiTokenFields on ApiToken {\n    id\n    name\n    role\n    createdAt\n    lastUsedAt\n  }\n": types.ApiTokenFieldsFragmentDoc,
    "\n  query ApiTokens {\n    apiTokens {\n      ...ApiTokenFields\n    }\n  }\n": types.ApiTokensDocument,
    "\n  mutation CreateApiToken($input: ApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...ApiTokenFields\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id)\n  }\n": types.RevokeApiTokenDocument,
    "\n  fragment AuditEventFields on AuditEvent {\n    id\n    at\n    tokenId\n    tokenName\n    operation\n    targetType\n    targetId\n    targetName\n    siteId\n    siteName\n    changed\n    details\n  }\n": types.AuditEventFieldsFragmentDoc,
    "\n  query AuditEvents($first: Int, $after: String, $siteId: ID, $tokenId: ID, $operation: AuditOperation, $since: DateTime, $until: DateTime) {\n    auditEvents(first: $first, after: $after, siteId: $siteId, tokenId: $tokenId, operation: $operation, since: $since, until: $until) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AuditEventFields\n        }\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  fragment AuthFields on AuthConfig {\n    __typename\n    ... on BasicAuth {\n      username\n      passwordSet\n    }\n    ... on AwsAuth {\n      region\n      service\n      accessKeyId\n      secretAccessKeySet\n      sessionTokenSet\n      algorithmPrefix\n      vendorKey\n    }\n    ... on AwsS3Auth {\n      accessKeyId\n      secretAccessKeySet\n      service\n      region\n      filenameFormat\n    }\n    ... on JwtAuth {\n      algorithm\n      secretSet\n      privateKeySet\n      timeToLive\n      payload\n    }\n    ... on OAuth2Auth {\n      consumerKey\n      consumerSecretSet\n      authorizationUrl\n      tokenUrl\n      scope\n      responseType\n      clientAuthentication\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on OAuth2ClientCredentialsAuth {\n      tokenUrl\n      contentType\n      tokenExpirationMinutes\n      clientId\n      clientSecretSet\n      scope\n      clientAuthentication\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on OAuth2JwtBearerAuth {\n      tokenUrl\n      contentType\n      tokenExpirationMinutes\n      clientId\n      signAlgorithm\n      privateKeySet\n      keyId\n      scope\n      grant\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on ApiKeyAuth {\n      placement\n      name\n      keySet\n    }\n  }\n": types.AuthFieldsFragmentDoc,
    "\n  fragment SiteBreakerFields on SiteBreaker {\n    state\n    consecutiveFailures\n    failingSince\n    openedAt\n    nextProbeAt\n    opens\n    reason\n  }\n": types.SiteBreakerFieldsFragmentDoc,
    "\n  fragment BreakerSettingsFields on SiteBreaker {\n    settings {\n      failureThreshold\n      failureWindowSeconds\n      autoDisableAfterSeconds\n    }\n    effective {\n      failureThreshold\n      failureWindowSeconds\n      autoDisableAfterSeconds\n      pauseBaseMs\n      pauseMaxMs\n    }\n  }\n": types.BreakerSettingsFieldsFragmentDoc,
    "\n  mutation UpdateBreakerSettings($siteId: ID!, $input: BreakerSettingsInput!) {\n    updateBreakerSettings(siteId: $siteId, input: $input) {\n      id\n      updatedAt\n      breaker {\n        ...SiteBreakerFields\n        ...BreakerSettingsFields\n      }\n    }\n  }\n": types.UpdateBreakerSettingsDocument,
    "\n  fragment SiteEventFields on SiteEvent {\n    id\n    siteId\n    siteName\n    kind\n    fromState\n    toState\n    reason\n    details\n    createdAt\n  }\n": types.SiteEventFieldsFragmentDoc,
    "\n  query SiteHealth($id: ID!, $first: Int, $after: String) {\n    site(id: $id) {\n      id\n      status\n      statusReason\n      breaker {\n        ...SiteBreakerFields\n        ...BreakerSettingsFields\n      }\n      events(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...SiteEventFields\n          }\n        }\n      }\n    }\n  }\n": types.SiteHealthDocument,
    "\n  subscription SiteEventAdded($siteId: ID) {\n    siteEvents(siteId: $siteId) {\n      ...SiteEventFields\n    }\n  }\n": types.SiteEventAddedDocument,
    "\n  mutation ResetBreaker($siteId: ID!) {\n    resetBreaker(siteId: $siteId) {\n      id\n      status\n      updatedAt\n      breaker {\n        ...SiteBreakerFields\n      }\n    }\n  }\n": types.ResetBreakerDocument,
    "\n  fragment OperationalWebhookFields on OperationalWebhook {\n    siteId\n    setAt\n    setBy\n    site {\n      id\n      name\n      status\n    }\n  }\n": types.OperationalWebhookFieldsFragmentDoc,
    "\n  query OperationalWebhook {\n    operationalWebhook {\n      ...OperationalWebhookFields\n    }\n    activeSites {\n      id\n      name\n      contentType\n    }\n  }\n": types.OperationalWebhookDocument,
    "\n  mutation SetOperationalWebhookSite($siteId: ID!) {\n    setOperationalWebhookSite(siteId: $siteId) {\n      ...OperationalWebhookFields\n    }\n  }\n": types.SetOperationalWebhookSiteDocument,
    "\n  mutation ClearOperationalWebhookSite {\n    clearOperationalWebhookSite\n  }\n": types.ClearOperationalWebhookSiteDocument,
    "\n  fragment ClientCertificateFields on ClientCertificate {\n    subject\n    issuer\n    fingerprint\n    notBefore\n    notAfter\n    expiresSoon\n    expired\n    certificates\n    caCertificates\n    setAt\n  }\n": types.ClientCertificateFieldsFragmentDoc,
    "\n  query SiteClientCertificate($id: ID!) {\n    site(id: $id) {\n      id\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n": types.SiteClientCertificateDocument,
    "\n  mutation SetClientCertificate($siteId: ID!, $clientCertificate: ClientCertificateInput!) {\n    setClientCertificate(siteId: $siteId, clientCertificate: $clientCertificate) {\n      id\n      updatedAt\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n": types.SetClientCertificateDocument,
    "\n  mutation RemoveClientCertificate($siteId: ID!) {\n    removeClientCertificate(siteId: $siteId) {\n      id\n      updatedAt\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n": types.RemoveClientCertificateDocument,
    "\n  fragment DeliveryFields on Delivery {\n    id\n    siteId\n    site {\n      id\n      name\n    }\n    status\n    method\n    idempotencyKey\n    attemptCount\n    lastError\n    lastStatusCode\n    nextAttemptAt\n    createdAt\n    updatedAt\n    deliveredAt\n    attempts {\n      number\n      startedAt\n      statusCode\n      durationMs\n      outcome\n      error\n      responseExcerpt\n      responseTruncated\n      nextAttemptAt\n    }\n  }\n": types.DeliveryFieldsFragmentDoc,
    "\n  query Deliveries($siteId: ID, $status: DeliveryStatus, $first: Int, $after: String) {\n    deliveries(siteId: $siteId, status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...DeliveryFields\n        }\n      }\n    }\n  }\n": types.DeliveriesDocument,
    "\n  subscription DeliveryUpdated($siteId: ID) {\n    deliveryUpdated(siteId: $siteId) {\n      ...DeliveryFields\n    }\n  }\n": types.DeliveryUpdatedDocument,
    "\n  mutation RetryDelivery($id: ID!) {\n    retryDelivery(id: $id) {\n      ...DeliveryFields\n    }\n  }\n": types.RetryDeliveryDocument,
    "\n  query FailedCount($siteId: ID!) {\n    deliveries(siteId: $siteId, status: FAILED, first: 1) {\n      totalCount\n    }\n  }\n": types.FailedCountDocument,
    "\n  mutation RetryDeliveries($siteId: ID!) {\n    retryDeliveries(siteId: $siteId, status: FAILED)\n  }\n": types.RetryDeliveriesDocument,
    "\n  query DeliveryStats($siteId: ID, $minutes: Int) {\n    deliveryStats(siteId: $siteId, minutes: $minutes) {\n      at\n      sent\n      succeeded\n      failed\n      retried\n      avgLatencyMs\n      p50LatencyMs\n    }\n  }\n": types.DeliveryStatsDocument,
    "\n  query SiteChoices {\n    sites(first: 100) {\n      edges {\n        node {\n          id\n          name\n          status\n          performance {\n            maxRps\n          }\n        }\n      }\n    }\n  }\n": types.SiteChoicesDocument,
    "\n  fragment SignedRequestFields on SignedRequestPreview {\n    method\n    url\n    headers {\n      name\n      value\n    }\n    body\n    bodyBytes\n    bodyTruncated\n  }\n": types.SignedRequestFieldsFragmentDoc,
    "\n  mutation TestSite($id: ID!) {\n    testSite(id: $id) {\n      ok\n      statusCode\n      latencyMs\n      error\n      request {\n        ...SignedRequestFields\n      }\n      responseHeaders {\n        name\n        value\n      }\n      responseExcerpt\n      responseTruncated\n    }\n  }\n": types.TestSiteDocument,
    "\n  query PreviewSignedRequest($siteId: ID!) {\n    previewSignedRequest(siteId: $siteId) {\n      ...SignedRequestFields\n    }\n  }\n": types.PreviewSignedRequestDocument,
    "\n  fragment PayloadSigningFields on PayloadSigning {\n    enabled\n    secrets {\n      id\n      createdAt\n      expiresAt\n      fingerprint\n    }\n  }\n": types.PayloadSigningFieldsFragmentDoc,
    "\n  query SiteSigning($id: ID!) {\n    site(id: $id) {\n      id\n      signing {\n        ...PayloadSigningFields\n      }\n    }\n  }\n": types.SiteSigningDocument,
    "\n  mutation EnableSigning($siteId: ID!, $secret: String) {\n    enableSigning(siteId: $siteId, secret: $secret) {\n      site {\n        id\n        updatedAt\n        signing {\n          ...PayloadSigningFields\n        }\n      }\n      secret\n    }\n  }\n": types.EnableSigningDocument,
    "\n  mutation DisableSigning($siteId: ID!) {\n    disableSigning(siteId: $siteId) {\n      id\n      updatedAt\n      signing {\n        ...PayloadSigningFields\n      }\n    }\n  }\n": types.DisableSigningDocument,
    "\n  mutation RotateSigningSecret($siteId: ID!, $overlapMinutes: Int!, $secret: String) {\n    rotateSigningSecret(siteId: $siteId, overlapMinutes: $overlapMinutes, secret: $secret) {\n      site {\n        id\n        updatedAt\n        signing {\n          ...PayloadSigningFields\n        }\n      }\n      secret\n    }\n  }\n": types.RotateSigningSecretDocument,
    "\n  fragment SiteFields on Site {\n    id\n    name\n    url\n    contentType\n    status\n    authMethod\n    redirectUrl\n    createdAt\n    updatedAt\n    token {\n      ...TokenStateFields\n    }\n    performance {\n      maxRps\n      threads\n    }\n    sendTraceparent\n    auth {\n      ...AuthFields\n    }\n    headers {\n      name\n      value\n      secret\n      valueSet\n    }\n  }\n": types.SiteFieldsFragmentDoc,
    "\n  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {\n    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          name\n          url\n          contentType\n          status\n          authMethod\n          statusReason\n          token {\n            ...TokenStateFields\n          }\n          breaker {\n            state\n            consecutiveFailures\n            nextProbeAt\n          }\n          clientCertificate {\n            notAfter\n            expiresSoon\n            expired\n          }\n        }\n      }\n    }\n  }\n": types.SitesDocument,
    "\n  query Site($id: ID!) {\n    site(id: $id) {\n      ...SiteFields\n    }\n  }\n": types.SiteDocument,
    "\n  mutation CreateSite($input: SiteInput!) {\n    createSite(input: $input) {\n      ...SiteFields\n    }\n  }\n": types.CreateSiteDocument,
    "\n  mutation UpdateSite($id: ID!, $input: SiteUpdateInput!) {\n    updateSite(id: $id, input: $input) {\n      ...SiteFields\n    }\n  }\n": types.UpdateSiteDocument,
    "\n  mutation SetSiteStatus($id: ID!, $status: SiteStatus!) {\n    setSiteStatus(id: $id, status: $status) {\n      id\n      status\n      updatedAt\n    }\n  }\n": types.SetSiteStatusDocument,
    "\n  mutation DeleteSite($id: ID!) {\n    deleteSite(id: $id)\n  }\n": types.DeleteSiteDocument,
    "\n  fragment TokenStateFields on TokenState {\n    siteId\n    status\n    expiresAt\n    hasRefreshToken\n    lastError\n    needsReconnect\n    updatedAt\n  }\n": types.TokenStateFieldsFragmentDoc,
    "\n  subscription TokenStateChanged($siteId: ID) {\n    tokenStateChanged(siteId: $siteId) {\n      ...TokenStateFields\n    }\n  }\n": types.TokenStateChangedDocument,
    "\n  mutation StartOAuthConnect($siteId: ID!) {\n    startOAuthConnect(siteId: $siteId) {\n      authorizationUrl\n    }\n  }\n": types.StartOAuthConnectDocument,
    "\n  mutation RefreshAccessToken($siteId: ID!) {\n    refreshAccessToken(siteId: $siteId) {\n      ...TokenStateFields\n    }\n  }\n": types.RefreshAccessTokenDocument,
    "\n  query TokenHistory($siteId: ID!, $first: Int!) {\n    tokenHistory(siteId: $siteId, first: $first) {\n      id\n      at\n      grantType\n      trigger\n      outcome\n      httpStatus\n      durationMs\n      expiresAt\n      refreshTokenRotated\n      error\n    }\n  }\n": types.TokenHistoryDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      name\n      role\n      tokenId\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      name\n      role\n      tokenId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiTokenFields on ApiToken {\n    id\n    name\n    role\n    createdAt\n    lastUsedAt\n  }\n"): (typeof documents)["\n  fragment ApiTokenFields on ApiToken {\n    id\n    name\n    role\n    createdAt\n    lastUsedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens {\n    apiTokens {\n      ...ApiTokenFields\n    }\n  }\n"): (typeof documents)["\n  query ApiTokens {\n    apiTokens {\n      ...ApiTokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($input: ApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...ApiTokenFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($input: ApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...ApiTokenFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuditEventFields on AuditEvent {\n    id\n    at\n    tokenId\n    tokenName\n    operation\n    targetType\n    targetId\n    targetName\n    siteId\n    siteName\n    changed\n    details\n  }\n"): (typeof documents)["\n  fragment AuditEventFields on AuditEvent {\n    id\n    at\n    tokenId\n    tokenName\n    operation\n    targetType\n    targetId\n    targetName\n    siteId\n    siteName\n    changed\n    details\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($first: Int, $after: String, $siteId: ID, $tokenId: ID, $operation: AuditOperation, $since: DateTime, $until: DateTime) {\n    auditEvents(first: $first, after: $after, siteId: $siteId, tokenId: $tokenId, operation: $operation, since: $since, until: $until) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AuditEventFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditEvents($first: Int, $after: String, $siteId: ID, $tokenId: ID, $operation: AuditOperation, $since: DateTime, $until: DateTime) {\n    auditEvents(first: $first, after: $after, siteId: $siteId, tokenId: $tokenId, operation: $operation, since: $since, until: $until) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AuditEventFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuthFields on AuthConfig {\n    __typename\n    ... on BasicAuth {\n      username\n      passwordSet\n    }\n    ... on AwsAuth {\n      region\n      service\n      accessKeyId\n      secretAccessKeySet\n      sessionTokenSet\n      algorithmPrefix\n      vendorKey\n    }\n    ... on AwsS3Auth {\n      accessKeyId\n      secretAccessKeySet\n      service\n      region\n      filenameFormat\n    }\n    ... on JwtAuth {\n      algorithm\n      secretSet\n      privateKeySet\n      timeToLive\n      payload\n    }\n    ... on OAuth2Auth {\n      consumerKey\n      consumerSecretSet\n      authorizationUrl\n      tokenUrl\n      scope\n      responseType\n      clientAuthentication\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on OAuth2ClientCredentialsAuth {\n      tokenUrl\n      contentType\n      tokenExpirationMinutes\n      clientId\n      clientSecretSet\n      scope\n      clientAuthentication\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on OAuth2JwtBearerAuth {\n      tokenUrl\n      contentType\n      tokenExpirationMinutes\n      clientId\n      signAlgorithm\n      privateKeySet\n      keyId\n      scope\n      grant\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on ApiKeyAuth {\n      placement\n      name\n      keySet\n    }\n  }\n"): (typeof documents)["\n  fragment AuthFields on AuthConfig {\n    __typename\n    ... on BasicAuth {\n      username\n      passwordSet\n    }\n    ... on AwsAuth {\n      region\n      service\n      accessKeyId\n      secretAccessKeySet\n      sessionTokenSet\n      algorithmPrefix\n      vendorKey\n    }\n    ... on AwsS3Auth {\n      accessKeyId\n      secretAccessKeySet\n      service\n      region\n      filenameFormat\n    }\n    ... on JwtAuth {\n      algorithm\n      secretSet\n      privateKeySet\n      timeToLive\n      payload\n    }\n    ... on OAuth2Auth {\n      consumerKey\n      consumerSecretSet\n      authorizationUrl\n      tokenUrl\n      scope\n      responseType\n      clientAuthentication\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on OAuth2ClientCredentialsAuth {\n      tokenUrl\n      contentType\n      tokenExpirationMinutes\n      clientId\n      clientSecretSet\n      scope\n      clientAuthentication\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on OAuth2JwtBearerAuth {\n      tokenUrl\n      contentType\n      tokenExpirationMinutes\n      clientId\n      signAlgorithm\n      privateKeySet\n      keyId\n      scope\n      grant\n      audience\n      resource\n      extraParams { name value }\n    }\n    ... on ApiKeyAuth {\n      placement\n      name\n      keySet\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SiteBreakerFields on SiteBreaker {\n    state\n    consecutiveFailures\n    failingSince\n    openedAt\n    nextProbeAt\n    opens\n    reason\n  }\n"): (typeof documents)["\n  fragment SiteBreakerFields on SiteBreaker {\n    state\n    consecutiveFailures\n    failingSince\n    openedAt\n    nextProbeAt\n    opens\n    reason\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BreakerSettingsFields on SiteBreaker {\n    settings {\n      failureThreshold\n      failureWindowSeconds\n      autoDisableAfterSeconds\n    }\n    effective {\n      failureThreshold\n      failureWindowSeconds\n      autoDisableAfterSeconds\n      pauseBaseMs\n      pauseMaxMs\n    }\n  }\n"): (typeof documents)["\n  fragment BreakerSettingsFields on SiteBreaker {\n    settings {\n      failureThreshold\n      failureWindowSeconds\n      autoDisableAfterSeconds\n    }\n    effective {\n      failureThreshold\n      failureWindowSeconds\n      autoDisableAfterSeconds\n      pauseBaseMs\n      pauseMaxMs\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateBreakerSettings($siteId: ID!, $input: BreakerSettingsInput!) {\n    updateBreakerSettings(siteId: $siteId, input: $input) {\n      id\n      updatedAt\n      breaker {\n        ...SiteBreakerFields\n        ...BreakerSettingsFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateBreakerSettings($siteId: ID!, $input: BreakerSettingsInput!) {\n    updateBreakerSettings(siteId: $siteId, input: $input) {\n      id\n      updatedAt\n      breaker {\n        ...SiteBreakerFields\n        ...BreakerSettingsFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SiteEventFields on SiteEvent {\n    id\n    siteId\n    siteName\n    kind\n    fromState\n    toState\n    reason\n    details\n    createdAt\n  }\n"): (typeof documents)["\n  fragment SiteEventFields on SiteEvent {\n    id\n    siteId\n    siteName\n    kind\n    fromState\n    toState\n    reason\n    details\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SiteHealth($id: ID!, $first: Int, $after: String) {\n    site(id: $id) {\n      id\n      status\n      statusReason\n      breaker {\n        ...SiteBreakerFields\n        ...BreakerSettingsFields\n      }\n      events(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...SiteEventFields\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SiteHealth($id: ID!, $first: Int, $after: String) {\n    site(id: $id) {\n      id\n      status\n      statusReason\n      breaker {\n        ...SiteBreakerFields\n        ...BreakerSettingsFields\n      }\n      events(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...SiteEventFields\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SiteEventAdded($siteId: ID) {\n    siteEvents(siteId: $siteId) {\n      ...SiteEventFields\n    }\n  }\n"): (typeof documents)["\n  subscription SiteEventAdded($siteId: ID) {\n    siteEvents(siteId: $siteId) {\n      ...SiteEventFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetBreaker($siteId: ID!) {\n    resetBreaker(siteId: $siteId) {\n      id\n      status\n      updatedAt\n      breaker {\n        ...SiteBreakerFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResetBreaker($siteId: ID!) {\n    resetBreaker(siteId: $siteId) {\n      id\n      status\n      updatedAt\n      breaker {\n        ...SiteBreakerFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OperationalWebhookFields on OperationalWebhook {\n    siteId\n    setAt\n    setBy\n    site {\n      id\n      name\n      status\n    }\n  }\n"): (typeof documents)["\n  fragment OperationalWebhookFields on OperationalWebhook {\n    siteId\n    setAt\n    setBy\n    site {\n      id\n      name\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperationalWebhook {\n    operationalWebhook {\n      ...OperationalWebhookFields\n    }\n    activeSites {\n      id\n      name\n      contentType\n    }\n  }\n"): (typeof documents)["\n  query OperationalWebhook {\n    operationalWebhook {\n      ...OperationalWebhookFields\n    }\n    activeSites {\n      id\n      name\n      contentType\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetOperationalWebhookSite($siteId: ID!) {\n    setOperationalWebhookSite(siteId: $siteId) {\n      ...OperationalWebhookFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetOperationalWebhookSite($siteId: ID!) {\n    setOperationalWebhookSite(siteId: $siteId) {\n      ...OperationalWebhookFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClearOperationalWebhookSite {\n    clearOperationalWebhookSite\n  }\n"): (typeof documents)["\n  mutation ClearOperationalWebhookSite {\n    clearOperationalWebhookSite\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ClientCertificateFields on ClientCertificate {\n    subject\n    issuer\n    fingerprint\n    notBefore\n    notAfter\n    expiresSoon\n    expired\n    certificates\n    caCertificates\n    setAt\n  }\n"): (typeof documents)["\n  fragment ClientCertificateFields on ClientCertificate {\n    subject\n    issuer\n    fingerprint\n    notBefore\n    notAfter\n    expiresSoon\n    expired\n    certificates\n    caCertificates\n    setAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SiteClientCertificate($id: ID!) {\n    site(id: $id) {\n      id\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query SiteClientCertificate($id: ID!) {\n    site(id: $id) {\n      id\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetClientCertificate($siteId: ID!, $clientCertificate: ClientCertificateInput!) {\n    setClientCertificate(siteId: $siteId, clientCertificate: $clientCertificate) {\n      id\n      updatedAt\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetClientCertificate($siteId: ID!, $clientCertificate: ClientCertificateInput!) {\n    setClientCertificate(siteId: $siteId, clientCertificate: $clientCertificate) {\n      id\n      updatedAt\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveClientCertificate($siteId: ID!) {\n    removeClientCertificate(siteId: $siteId) {\n      id\n      updatedAt\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveClientCertificate($siteId: ID!) {\n    removeClientCertificate(siteId: $siteId) {\n      id\n      updatedAt\n      clientCertificate {\n        ...ClientCertificateFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DeliveryFields on Delivery {\n    id\n    siteId\n    site {\n      id\n      name\n    }\n    status\n    method\n    idempotencyKey\n    attemptCount\n    lastError\n    lastStatusCode\n    nextAttemptAt\n    createdAt\n    updatedAt\n    deliveredAt\n    attempts {\n      number\n      startedAt\n      statusCode\n      durationMs\n      outcome\n      error\n      responseExcerpt\n      responseTruncated\n      nextAttemptAt\n    }\n  }\n"): (typeof documents)["\n  fragment DeliveryFields on Delivery {\n    id\n    siteId\n    site {\n      id\n      name\n    }\n    status\n    method\n    idempotencyKey\n    attemptCount\n    lastError\n    lastStatusCode\n    nextAttemptAt\n    createdAt\n    updatedAt\n    deliveredAt\n    attempts {\n      number\n      startedAt\n      statusCode\n      durationMs\n      outcome\n      error\n      responseExcerpt\n      responseTruncated\n      nextAttemptAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Deliveries($siteId: ID, $status: DeliveryStatus, $first: Int, $after: String) {\n    deliveries(siteId: $siteId, status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...DeliveryFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Deliveries($siteId: ID, $status: DeliveryStatus, $first: Int, $after: String) {\n    deliveries(siteId: $siteId, status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...DeliveryFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DeliveryUpdated($siteId: ID) {\n    deliveryUpdated(siteId: $siteId) {\n      ...DeliveryFields\n    }\n  }\n"): (typeof documents)["\n  subscription DeliveryUpdated($siteId: ID) {\n    deliveryUpdated(siteId: $siteId) {\n      ...DeliveryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryDelivery($id: ID!) {\n    retryDelivery(id: $id) {\n      ...DeliveryFields\n    }\n  }\n"): (typeof documents)["\n  mutation RetryDelivery($id: ID!) {\n    retryDelivery(id: $id) {\n      ...DeliveryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FailedCount($siteId: ID!) {\n    deliveries(siteId: $siteId, status: FAILED, first: 1) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query FailedCount($siteId: ID!) {\n    deliveries(siteId: $siteId, status: FAILED, first: 1) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryDeliveries($siteId: ID!) {\n    retryDeliveries(siteId: $siteId, status: FAILED)\n  }\n"): (typeof documents)["\n  mutation RetryDeliveries($siteId: ID!) {\n    retryDeliveries(siteId: $siteId, status: FAILED)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeliveryStats($siteId: ID, $minutes: Int) {\n    deliveryStats(siteId: $siteId, minutes: $minutes) {\n      at\n      sent\n      succeeded\n      failed\n      retried\n      avgLatencyMs\n      p50LatencyMs\n    }\n  }\n"): (typeof documents)["\n  query DeliveryStats($siteId: ID, $minutes: Int) {\n    deliveryStats(siteId: $siteId, minutes: $minutes) {\n      at\n      sent\n      succeeded\n      failed\n      retried\n      avgLatencyMs\n      p50LatencyMs\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SiteChoices {\n    sites(first: 100) {\n      edges {\n        node {\n          id\n          name\n          status\n          performance {\n            maxRps\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SiteChoices {\n    sites(first: 100) {\n      edges {\n        node {\n          id\n          name\n          status\n          performance {\n            maxRps\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SignedRequestFields on SignedRequestPreview {\n    method\n    url\n    headers {\n      name\n      value\n    }\n    body\n    bodyBytes\n    bodyTruncated\n  }\n"): (typeof documents)["\n  fragment SignedRequestFields on SignedRequestPreview {\n    method\n    url\n    headers {\n      name\n      value\n    }\n    body\n    bodyBytes\n    bodyTruncated\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestSite($id: ID!) {\n    testSite(id: $id) {\n      ok\n      statusCode\n      latencyMs\n      error\n      request {\n        ...SignedRequestFields\n      }\n      responseHeaders {\n        name\n        value\n      }\n      responseExcerpt\n      responseTruncated\n    }\n  }\n"): (typeof documents)["\n  mutation TestSite($id: ID!) {\n    testSite(id: $id) {\n      ok\n      statusCode\n      latencyMs\n      error\n      request {\n        ...SignedRequestFields\n      }\n      responseHeaders {\n        name\n        value\n      }\n      responseExcerpt\n      responseTruncated\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviewSignedRequest($siteId: ID!) {\n    previewSignedRequest(siteId: $siteId) {\n      ...SignedRequestFields\n    }\n  }\n"): (typeof documents)["\n  query PreviewSignedRequest($siteId: ID!) {\n    previewSignedRequest(siteId: $siteId) {\n      ...SignedRequestFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PayloadSigningFields on PayloadSigning {\n    enabled\n    secrets {\n      id\n      createdAt\n      expiresAt\n      fingerprint\n    }\n  }\n"): (typeof documents)["\n  fragment PayloadSigningFields on PayloadSigning {\n    enabled\n    secrets {\n      id\n      createdAt\n      expiresAt\n      fingerprint\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SiteSigning($id: ID!) {\n    site(id: $id) {\n      id\n      signing {\n        ...PayloadSigningFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query SiteSigning($id: ID!) {\n    site(id: $id) {\n      id\n      signing {\n        ...PayloadSigningFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableSigning($siteId: ID!, $secret: String) {\n    enableSigning(siteId: $siteId, secret: $secret) {\n      site {\n        id\n        updatedAt\n        signing {\n          ...PayloadSigningFields\n        }\n      }\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation EnableSigning($siteId: ID!, $secret: String) {\n    enableSigning(siteId: $siteId, secret: $secret) {\n      site {\n        id\n        updatedAt\n        signing {\n          ...PayloadSigningFields\n        }\n      }\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableSigning($siteId: ID!) {\n    disableSigning(siteId: $siteId) {\n      id\n      updatedAt\n      signing {\n        ...PayloadSigningFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DisableSigning($siteId: ID!) {\n    disableSigning(siteId: $siteId) {\n      id\n      updatedAt\n      signing {\n        ...PayloadSigningFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateSigningSecret($siteId: ID!, $overlapMinutes: Int!, $secret: String) {\n    rotateSigningSecret(siteId: $siteId, overlapMinutes: $overlapMinutes, secret: $secret) {\n      site {\n        id\n        updatedAt\n        signing {\n          ...PayloadSigningFields\n        }\n      }\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation RotateSigningSecret($siteId: ID!, $overlapMinutes: Int!, $secret: String) {\n    rotateSigningSecret(siteId: $siteId, overlapMinutes: $overlapMinutes, secret: $secret) {\n      site {\n        id\n        updatedAt\n        signing {\n          ...PayloadSigningFields\n        }\n      }\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SiteFields on Site {\n    id\n    name\n    url\n    contentType\n    status\n    authMethod\n    redirectUrl\n    createdAt\n    updatedAt\n    token {\n      ...TokenStateFields\n    }\n    performance {\n      maxRps\n      threads\n    }\n    sendTraceparent\n    auth {\n      ...AuthFields\n    }\n    headers {\n      name\n      value\n      secret\n      valueSet\n    }\n  }\n"): (typeof documents)["\n  fragment SiteFields on Site {\n    id\n    name\n    url\n    contentType\n    status\n    authMethod\n    redirectUrl\n    createdAt\n    updatedAt\n    token {\n      ...TokenStateFields\n    }\n    performance {\n      maxRps\n      threads\n    }\n    sendTraceparent\n    auth {\n      ...AuthFields\n    }\n    headers {\n      name\n      value\n      secret\n      valueSet\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {\n    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          name\n          url\n          contentType\n          status\n          authMethod\n          statusReason\n          token {\n            ...TokenStateFields\n          }\n          breaker {\n            state\n            consecutiveFailures\n            nextProbeAt\n          }\n          clientCertificate {\n            notAfter\n            expiresSoon\n            expired\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {\n    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          name\n          url\n          contentType\n          status\n          authMethod\n          statusReason\n          token {\n            ...TokenStateFields\n          }\n          breaker {\n            state\n            consecutiveFailures\n            nextProbeAt\n          }\n          clientCertificate {\n            notAfter\n            expiresSoon\n            expired\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Site($id: ID!) {\n    site(id: $id) {\n      ...SiteFields\n    }\n  }\n"): (typeof documents)["\n  query Site($id: ID!) {\n    site(id: $id) {\n      ...SiteFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSite($input: SiteInput!) {\n    createSite(input: $input) {\n      ...SiteFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSite($input: SiteInput!) {\n    createSite(input: $input) {\n      ...SiteFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSite($id: ID!, $input: SiteUpdateInput!) {\n    updateSite(id: $id, input: $input) {\n      ...SiteFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSite($id: ID!, $input: SiteUpdateInput!) {\n    updateSite(id: $id, input: $input) {\n      ...SiteFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetSiteStatus($id: ID!, $status: SiteStatus!) {\n    setSiteStatus(id: $id, status: $status) {\n      id\n      status\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation SetSiteStatus($id: ID!, $status: SiteStatus!) {\n    setSiteStatus(id: $id, status: $status) {\n      id\n      status\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSite($id: ID!) {\n    deleteSite(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteSite($id: ID!) {\n    deleteSite(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TokenStateFields on TokenState {\n    siteId\n    status\n    expiresAt\n    hasRefreshToken\n    lastError\n    needsReconnect\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment TokenStateFields on TokenState {\n    siteId\n    status\n    expiresAt\n    hasRefreshToken\n    lastError\n    needsReconnect\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TokenStateChanged($siteId: ID) {\n    tokenStateChanged(siteId: $siteId) {\n      ...TokenStateFields\n    }\n  }\n"): (typeof documents)["\n  subscription TokenStateChanged($siteId: ID) {\n    tokenStateChanged(siteId: $siteId) {\n      ...TokenStateFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartOAuthConnect($siteId: ID!) {\n    startOAuthConnect(siteId: $siteId) {\n      authorizationUrl\n    }\n  }\n"): (typeof documents)["\n  mutation StartOAuthConnect($siteId: ID!) {\n    startOAuthConnect(siteId: $siteId) {\n      authorizationUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshAccessToken($siteId: ID!) {\n    refreshAccessToken(siteId: $siteId) {\n      ...TokenStateFields\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshAccessToken($siteId: ID!) {\n    refreshAccessToken(siteId: $siteId) {\n      ...TokenStateFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TokenHistory($siteId: ID!, $first: Int!) {\n    tokenHistory(siteId: $siteId, first: $first) {\n      id\n      at\n      grantType\n      trigger\n      outcome\n      httpStatus\n      durationMs\n      expiresAt\n      refreshTokenRotated\n      error\n    }\n  }\n"): (typeof documents)["\n  query TokenHistory($siteId: ID!, $first: Int!) {\n    tokenHistory(siteId: $siteId, first: $first) {\n      id\n      at\n      grantType\n      trigger\n      outcome\n      httpStatus\n      durationMs\n      expiresAt\n      refreshTokenRotated\n      error\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;