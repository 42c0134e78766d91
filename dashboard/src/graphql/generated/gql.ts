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
    "\n  fragment SiteFields on Site {\n    id\n    name\n    url\n    contentType\n    status\n    authMethod\n    redirectUrl\n    createdAt\n    updatedAt\n    performance {\n      maxRps\n      threads\n    }\n    auth {\n      __typename\n      ... on BasicAuth {\n        username\n        passwordSet\n      }\n      ... on AwsAuth {\n        awsRegion: region\n        service\n        accessKeyId\n        algorithmPrefix\n        vendorKey\n        secretAccessKeySet\n        sessionTokenSet\n      }\n      ... on AwsS3Auth {\n        s3Region: region\n        s3Service: service\n        s3AccessKeyId: accessKeyId\n        filenameFormat\n        s3SecretAccessKeySet: secretAccessKeySet\n      }\n      ... on JwtAuth {\n        algorithm\n        payload\n        timeToLive\n        secretSet\n        privateKeySet\n      }\n      ... on OAuth2Auth {\n        consumerKey\n        authorizationUrl\n        oauthTokenUrl: tokenUrl\n        oauthScope: scope\n        responseType\n        oauthClientAuthentication: clientAuthentication\n        consumerSecretSet\n      }\n      ... on OAuth2ClientCredentialsAuth {\n        ccTokenUrl: tokenUrl\n        ccContentType: contentType\n        ccTokenExpirationMinutes: tokenExpirationMinutes\n        ccClientId: clientId\n        ccScope: scope\n        ccClientAuthentication: clientAuthentication\n        clientSecretSet\n      }\n      ... on OAuth2JwtBearerAuth {\n        jbTokenUrl: tokenUrl\n        jbContentType: contentType\n        jbTokenExpirationMinutes: tokenExpirationMinutes\n        jbClientId: clientId\n        keyId\n        signAlgorithm\n        jbScope: scope\n        grant\n        jbPrivateKeySet: privateKeySet\n      }\n    }\n  }\n": typeof types.SiteFieldsFragmentDoc,
    "\n  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {\n    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          name\n          url\n          contentType\n          status\n          authMethod\n        }\n      }\n    }\n  }\n": typeof types.SitesDocument,
    "\n  query Site($id: ID!) {\n    site(id: $id) {\n      ...SiteFields\n    }\n  }\n": typeof types.SiteDocument,
    "\n  mutation CreateSite($input: SiteInput!) {\n    createSite(input: $input) {\n      ...SiteFields\n    }\n  }\n": typeof types.CreateSiteDocument,
    "\n  mutation UpdateSite($id: ID!, $input: SiteUpdateInput!) {\n    updateSite(id: $id, input: $input) {\n      ...SiteFields\n    }\n  }\n": typeof types.UpdateSiteDocument,
    "\n  mutation SetSiteStatus($id: ID!, $status: SiteStatus!) {\n    setSiteStatus(id: $id, status: $status) {\n      id\n      status\n      updatedAt\n    }\n  }\n": typeof types.SetSiteStatusDocument,
    "\n  mutation DeleteSite($id: ID!) {\n    deleteSite(id: $id)\n  }\n": typeof types.DeleteSiteDocument,
};
const documents: Documents = {
    "\n  fragment SiteFields on Site {\n    id\n    name\n    url\n    contentType\n    status\n    authMethod\n    redirectUrl\n    createdAt\n    updatedAt\n    performance {\n      maxRps\n      threads\n    }\n    auth {\n      __typename\n      ... on BasicAuth {\n        username\n        passwordSet\n      }\n      ... on AwsAuth {\n        awsRegion: region\n        service\n        accessKeyId\n        algorithmPrefix\n        vendorKey\n        secretAccessKeySet\n        sessionTokenSet\n      }\n      ... on AwsS3Auth {\n        s3Region: region\n        s3Service: service\n        s3AccessKeyId: accessKeyId\n        filenameFormat\n        s3SecretAccessKeySet: secretAccessKeySet\n      }\n      ... on JwtAuth {\n        algorithm\n        payload\n        timeToLive\n        secretSet\n        privateKeySet\n      }\n      ... on OAuth2Auth {\n        consumerKey\n        authorizationUrl\n        oauthTokenUrl: tokenUrl\n        oauthScope: scope\n        responseType\n        oauthClientAuthentication: clientAuthentication\n        consumerSecretSet\n      }\n      ... on OAuth2ClientCredentialsAuth {\n        ccTokenUrl: tokenUrl\n        ccContentType: contentType\n        ccTokenExpirationMinutes: tokenExpirationMinutes\n        ccClientId: clientId\n        ccScope: scope\n        ccClientAuthentication: clientAuthentication\n        clientSecretSet\n      }\n      ... on OAuth2JwtBearerAuth {\n        jbTokenUrl: tokenUrl\n        jbContentType: contentType\n        jbTokenExpirationMinutes: tokenExpirationMinutes\n        jbClientId: clientId\n        keyId\n        signAlgorithm\n        jbScope: scope\n        grant\n        jbPrivateKeySet: privateKeySet\n      }\n    }\n  }\n": types.SiteFieldsFragmentDoc,
    "\n  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {\n    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          name\n          url\n          contentType\n          status\n          authMethod\n        }\n      }\n    }\n  }\n": types.SitesDocument,
    "\n  query Site($id: ID!) {\n    site(id: $id) {\n      ...SiteFields\n    }\n  }\n": types.SiteDocument,
    "\n  mutation CreateSite($input: SiteInput!) {\n    createSite(input: $input) {\n      ...SiteFields\n    }\n  }\n": types.CreateSiteDocument,
    "\n  mutation UpdateSite($id: ID!, $input: SiteUpdateInput!) {\n    updateSite(id: $id, input: $input) {\n      ...SiteFields\n    }\n  }\n": types.UpdateSiteDocument,
    "\n  mutation SetSiteStatus($id: ID!, $status: SiteStatus!) {\n    setSiteStatus(id: $id, status: $status) {\n      id\n      status\n      updatedAt\n    }\n  }\n": types.SetSiteStatusDocument,
    "\n  mutation DeleteSite($id: ID!) {\n    deleteSite(id: $id)\n  }\n": types.DeleteSiteDocument,
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
export function graphql(source: "\n  fragment SiteFields on Site {\n    id\n    name\n    url\n    contentType\n    status\n    authMethod\n    redirectUrl\n    createdAt\n    updatedAt\n    performance {\n      maxRps\n      threads\n    }\n    auth {\n      __typename\n      ... on BasicAuth {\n        username\n        passwordSet\n      }\n      ... on AwsAuth {\n        awsRegion: region\n        service\n        accessKeyId\n        algorithmPrefix\n        vendorKey\n        secretAccessKeySet\n        sessionTokenSet\n      }\n      ... on AwsS3Auth {\n        s3Region: region\n        s3Service: service\n        s3AccessKeyId: accessKeyId\n        filenameFormat\n        s3SecretAccessKeySet: secretAccessKeySet\n      }\n      ... on JwtAuth {\n        algorithm\n        payload\n        timeToLive\n        secretSet\n        privateKeySet\n      }\n      ... on OAuth2Auth {\n        consumerKey\n        authorizationUrl\n        oauthTokenUrl: tokenUrl\n        oauthScope: scope\n        responseType\n        oauthClientAuthentication: clientAuthentication\n        consumerSecretSet\n      }\n      ... on OAuth2ClientCredentialsAuth {\n        ccTokenUrl: tokenUrl\n        ccContentType: contentType\n        ccTokenExpirationMinutes: tokenExpirationMinutes\n        ccClientId: clientId\n        ccScope: scope\n        ccClientAuthentication: clientAuthentication\n        clientSecretSet\n      }\n      ... on OAuth2JwtBearerAuth {\n        jbTokenUrl: tokenUrl\n        jbContentType: contentType\n        jbTokenExpirationMinutes: tokenExpirationMinutes\n        jbClientId: clientId\n        keyId\n        signAlgorithm\n        jbScope: scope\n        grant\n        jbPrivateKeySet: privateKeySet\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment SiteFields on Site {\n    id\n    name\n    url\n    contentType\n    status\n    authMethod\n    redirectUrl\n    createdAt\n    updatedAt\n    performance {\n      maxRps\n      threads\n    }\n    auth {\n      __typename\n      ... on BasicAuth {\n        username\n        passwordSet\n      }\n      ... on AwsAuth {\n        awsRegion: region\n        service\n        accessKeyId\n        algorithmPrefix\n        vendorKey\n        secretAccessKeySet\n        sessionTokenSet\n      }\n      ... on AwsS3Auth {\n        s3Region: region\n        s3Service: service\n        s3AccessKeyId: accessKeyId\n        filenameFormat\n        s3SecretAccessKeySet: secretAccessKeySet\n      }\n      ... on JwtAuth {\n        algorithm\n        payload\n        timeToLive\n        secretSet\n        privateKeySet\n      }\n      ... on OAuth2Auth {\n        consumerKey\n        authorizationUrl\n        oauthTokenUrl: tokenUrl\n        oauthScope: scope\n        responseType\n        oauthClientAuthentication: clientAuthentication\n        consumerSecretSet\n      }\n      ... on OAuth2ClientCredentialsAuth {\n        ccTokenUrl: tokenUrl\n        ccContentType: contentType\n        ccTokenExpirationMinutes: tokenExpirationMinutes\n        ccClientId: clientId\n        ccScope: scope\n        ccClientAuthentication: clientAuthentication\n        clientSecretSet\n      }\n      ... on OAuth2JwtBearerAuth {\n        jbTokenUrl: tokenUrl\n        jbContentType: contentType\n        jbTokenExpirationMinutes: tokenExpirationMinutes\n        jbClientId: clientId\n        keyId\n        signAlgorithm\n        jbScope: scope\n        grant\n        jbPrivateKeySet: privateKeySet\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {\n    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          name\n          url\n          contentType\n          status\n          authMethod\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Sites($status: SiteStatus, $authMethod: AuthMethod, $search: String, $first: Int, $after: String) {\n    sites(status: $status, authMethod: $authMethod, search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          name\n          url\n          contentType\n          status\n          authMethod\n        }\n      }\n    }\n  }\n"];
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

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;