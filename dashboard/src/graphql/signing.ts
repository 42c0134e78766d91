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
