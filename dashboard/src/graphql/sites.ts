import { graphql } from './generated';

// Region is aliased per member: AwsAuth.region and AwsS3Auth.region differ in nullability in
// some schema versions, and an unaliased union selection of both would not validate.
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
      __typename
      ... on BasicAuth {
        username
        passwordSet
      }
      ... on AwsAuth {
        awsRegion: region
        service
        accessKeyId
        algorithmPrefix
        vendorKey
        secretAccessKeySet
        sessionTokenSet
      }
      ... on AwsS3Auth {
        s3Region: region
        s3Service: service
        s3AccessKeyId: accessKeyId
        filenameFormat
        s3SecretAccessKeySet: secretAccessKeySet
      }
      ... on JwtAuth {
        algorithm
        payload
        timeToLive
        secretSet
        privateKeySet
      }
      ... on OAuth2Auth {
        consumerKey
        authorizationUrl
        oauthTokenUrl: tokenUrl
        oauthScope: scope
        responseType
        oauthClientAuthentication: clientAuthentication
        consumerSecretSet
      }
      ... on OAuth2ClientCredentialsAuth {
        ccTokenUrl: tokenUrl
        ccContentType: contentType
        ccTokenExpirationMinutes: tokenExpirationMinutes
        ccClientId: clientId
        ccScope: scope
        ccClientAuthentication: clientAuthentication
        clientSecretSet
      }
      ... on OAuth2JwtBearerAuth {
        jbTokenUrl: tokenUrl
        jbContentType: contentType
        jbTokenExpirationMinutes: tokenExpirationMinutes
        jbClientId: clientId
        keyId
        signAlgorithm
        jbScope: scope
        grant
        jbPrivateKeySet: privateKeySet
      }
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
          token {
            ...TokenStateFields
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
