import { graphql } from './generated';

export const SignedRequestFieldsFragment = graphql(`
  fragment SignedRequestFields on SignedRequestPreview {
    method
    url
    headers {
      name
      value
    }
    body
    bodyBytes
    bodyTruncated
  }
`);

export const TestSiteMutation = graphql(`
  mutation TestSite($id: ID!) {
    testSite(id: $id) {
      ok
      statusCode
      latencyMs
      error
      request {
        ...SignedRequestFields
      }
      responseHeaders {
        name
        value
      }
      responseExcerpt
      responseTruncated
    }
  }
`);

export const PreviewSignedRequestQuery = graphql(`
  query PreviewSignedRequest($siteId: ID!) {
    previewSignedRequest(siteId: $siteId) {
      ...SignedRequestFields
    }
  }
`);

// Payload signatures (Standard Webhooks): the generated secret is in the mutation's answer only.
export const PayloadSigningFieldsFragment = graphql(`
  fragment PayloadSigningFields on PayloadSigning {
    enabled
    secrets {
      id
      createdAt
      expiresAt
      fingerprint
    }
  }
`);

export const SiteSigningQuery = graphql(`
  query SiteSigning($id: ID!) {
    site(id: $id) {
      id
      signing {
        ...PayloadSigningFields
      }
    }
  }
`);

export const EnableSigningMutation = graphql(`
  mutation EnableSigning($siteId: ID!, $secret: String) {
    enableSigning(siteId: $siteId, secret: $secret) {
      site {
        id
        updatedAt
        signing {
          ...PayloadSigningFields
        }
      }
      secret
    }
  }
`);

export const DisableSigningMutation = graphql(`
  mutation DisableSigning($siteId: ID!) {
    disableSigning(siteId: $siteId) {
      id
      updatedAt
      signing {
        ...PayloadSigningFields
      }
    }
  }
`);

export const RotateSigningSecretMutation = graphql(`
  mutation RotateSigningSecret($siteId: ID!, $overlapMinutes: Int!, $secret: String) {
    rotateSigningSecret(siteId: $siteId, overlapMinutes: $overlapMinutes, secret: $secret) {
      site {
        id
        updatedAt
        signing {
          ...PayloadSigningFields
        }
      }
      secret
    }
  }
`);
