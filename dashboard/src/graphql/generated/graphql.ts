/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Exactly one member must be set (@oneOf semantics). */
export type AuthConfigInput = {
  aws?: AwsAuthInput | null | undefined;
  awsS3?: AwsS3AuthInput | null | undefined;
  basic?: BasicAuthInput | null | undefined;
  jwt?: JwtAuthInput | null | undefined;
  oauth2?: OAuth2AuthInput | null | undefined;
  oauth2ClientCredentials?: OAuth2ClientCredentialsAuthInput | null | undefined;
  oauth2JwtBearer?: OAuth2JwtBearerAuthInput | null | undefined;
};

/** How requests to a site are authenticated (SPEC §3). */
export type AuthMethod =
  | 'AWS'
  | 'AWS_S3'
  | 'BASIC'
  | 'JWT'
  | 'OAUTH2'
  | 'OAUTH2_CLIENT_CREDENTIALS'
  | 'OAUTH2_JWT_BEARER';

export type AwsAuthInput = {
  accessKeyId?: string | null | undefined;
  algorithmPrefix?: string | null | undefined;
  region?: string | null | undefined;
  /** Write-only. Omit to keep the stored one. */
  secretAccessKey?: string | null | undefined;
  service?: string | null | undefined;
  /** Write-only, optional. Omit to keep, "" to remove. */
  sessionToken?: string | null | undefined;
  vendorKey?: string | null | undefined;
};

export type AwsS3AuthInput = {
  accessKeyId?: string | null | undefined;
  /** Default {yyyy}/{MM}/{dd}/{deliveryId}.{ext} */
  filenameFormat?: string | null | undefined;
  region?: string | null | undefined;
  /** Write-only. Omit to keep the stored one. */
  secretAccessKey?: string | null | undefined;
  /** Default s3. */
  service?: string | null | undefined;
};

export type BasicAuthInput = {
  /** Write-only. Omit (or null) to keep the stored password. */
  password?: string | null | undefined;
  username?: string | null | undefined;
};

export type ClientAuthentication =
  | 'BASIC'
  | 'BODY';

export type JwtAlgorithm =
  | 'HS256'
  | 'RS256';

export type JwtAuthInput = {
  algorithm?: JwtAlgorithm | null | undefined;
  /** A JSON object; default {}. */
  payload?: unknown;
  /** RS256 PEM private key. Write-only; omit to keep. */
  privateKey?: string | null | undefined;
  /** HS256 shared secret. Write-only; omit to keep. */
  secret?: string | null | undefined;
  timeToLive?: string | null | undefined;
};

export type JwtBearerGrant =
  | 'CLIENT_ASSERTION'
  | 'JWT_BEARER';

export type JwtBearerSignAlgorithm =
  | 'ES256'
  | 'RS256';

export type OAuth2AuthInput = {
  authorizationUrl?: string | null | undefined;
  /** Default BASIC. */
  clientAuthentication?: ClientAuthentication | null | undefined;
  consumerKey?: string | null | undefined;
  /** Write-only. Omit to keep the stored one. */
  consumerSecret?: string | null | undefined;
  /** Default code. */
  responseType?: string | null | undefined;
  /** Space- or comma-separated. */
  scope?: string | null | undefined;
  tokenUrl?: string | null | undefined;
};

export type OAuth2ClientCredentialsAuthInput = {
  /** Default BASIC. */
  clientAuthentication?: ClientAuthentication | null | undefined;
  clientId?: string | null | undefined;
  /** Write-only. Omit to keep the stored one. */
  clientSecret?: string | null | undefined;
  /** Default application/x-www-form-urlencoded. */
  contentType?: string | null | undefined;
  /** Space- or comma-separated. */
  scope?: string | null | undefined;
  /** 1–1440; default 60. */
  tokenExpirationMinutes?: number | null | undefined;
  tokenUrl?: string | null | undefined;
};

export type OAuth2JwtBearerAuthInput = {
  clientId?: string | null | undefined;
  /** Default application/x-www-form-urlencoded. */
  contentType?: string | null | undefined;
  /** Default JWT_BEARER. */
  grant?: JwtBearerGrant | null | undefined;
  keyId?: string | null | undefined;
  /** PEM. Write-only; omit to keep the stored one. */
  privateKey?: string | null | undefined;
  scope?: string | null | undefined;
  signAlgorithm?: JwtBearerSignAlgorithm | null | undefined;
  /** 1–120; default 60. */
  tokenExpirationMinutes?: number | null | undefined;
  tokenUrl?: string | null | undefined;
};

export type PerformanceInput = {
  /** 0.1–10,000; default 10. */
  maxRps?: number | null | undefined;
  /** 1–256; default 4. */
  threads?: number | null | undefined;
};

export type SiteInput = {
  auth: AuthConfigInput;
  /** Default application/json. */
  contentType?: string | null | undefined;
  name: string;
  performance?: PerformanceInput | null | undefined;
  url: string;
};

/** DRAFT when created; ACTIVE sites are offered to workflows and may be sent to. */
export type SiteStatus =
  | 'ACTIVE'
  | 'DRAFT'
  | 'INACTIVE';

/** Omitted fields keep their value. An auth member for the same method updates only the fields it sets; omitted secrets are kept. A member for another method replaces the config. */
export type SiteUpdateInput = {
  auth?: AuthConfigInput | null | undefined;
  contentType?: string | null | undefined;
  name?: string | null | undefined;
  performance?: PerformanceInput | null | undefined;
  url?: string | null | undefined;
};

export type SiteFieldsFragment = { id: string, name: string, url: string, contentType: string, status: SiteStatus, authMethod: AuthMethod, redirectUrl: string | null, createdAt: string, updatedAt: string, performance: { maxRps: number, threads: number }, auth:
    | { __typename: 'AwsAuth', service: string, accessKeyId: string, algorithmPrefix: string | null, vendorKey: string | null, secretAccessKeySet: boolean, sessionTokenSet: boolean, awsRegion: string }
    | { __typename: 'AwsS3Auth', filenameFormat: string, s3Region: string | null, s3Service: string, s3AccessKeyId: string, s3SecretAccessKeySet: boolean }
    | { __typename: 'BasicAuth', username: string, passwordSet: boolean }
    | { __typename: 'JwtAuth', algorithm: JwtAlgorithm, payload: unknown, timeToLive: string, secretSet: boolean, privateKeySet: boolean }
    | { __typename: 'OAuth2Auth', consumerKey: string, authorizationUrl: string, responseType: string, consumerSecretSet: boolean, oauthTokenUrl: string, oauthScope: string | null, oauthClientAuthentication: ClientAuthentication }
    | { __typename: 'OAuth2ClientCredentialsAuth', clientSecretSet: boolean, ccTokenUrl: string, ccContentType: string, ccTokenExpirationMinutes: number, ccClientId: string, ccScope: string | null, ccClientAuthentication: ClientAuthentication }
    | { __typename: 'OAuth2JwtBearerAuth', keyId: string | null, signAlgorithm: JwtBearerSignAlgorithm, grant: JwtBearerGrant, jbTokenUrl: string, jbContentType: string, jbTokenExpirationMinutes: number, jbClientId: string, jbScope: string | null, jbPrivateKeySet: boolean }
   };

export type SitesQueryVariables = Exact<{
  status?: SiteStatus | null | undefined;
  authMethod?: AuthMethod | null | undefined;
  search?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SitesQuery = { sites: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string, url: string, contentType: string, status: SiteStatus, authMethod: AuthMethod } }> } };

export type SiteQueryVariables = Exact<{
  id: string | number;
}>;


export type SiteQuery = { site: { id: string, name: string, url: string, contentType: string, status: SiteStatus, authMethod: AuthMethod, redirectUrl: string | null, createdAt: string, updatedAt: string, performance: { maxRps: number, threads: number }, auth:
      | { __typename: 'AwsAuth', service: string, accessKeyId: string, algorithmPrefix: string | null, vendorKey: string | null, secretAccessKeySet: boolean, sessionTokenSet: boolean, awsRegion: string }
      | { __typename: 'AwsS3Auth', filenameFormat: string, s3Region: string | null, s3Service: string, s3AccessKeyId: string, s3SecretAccessKeySet: boolean }
      | { __typename: 'BasicAuth', username: string, passwordSet: boolean }
      | { __typename: 'JwtAuth', algorithm: JwtAlgorithm, payload: unknown, timeToLive: string, secretSet: boolean, privateKeySet: boolean }
      | { __typename: 'OAuth2Auth', consumerKey: string, authorizationUrl: string, responseType: string, consumerSecretSet: boolean, oauthTokenUrl: string, oauthScope: string | null, oauthClientAuthentication: ClientAuthentication }
      | { __typename: 'OAuth2ClientCredentialsAuth', clientSecretSet: boolean, ccTokenUrl: string, ccContentType: string, ccTokenExpirationMinutes: number, ccClientId: string, ccScope: string | null, ccClientAuthentication: ClientAuthentication }
      | { __typename: 'OAuth2JwtBearerAuth', keyId: string | null, signAlgorithm: JwtBearerSignAlgorithm, grant: JwtBearerGrant, jbTokenUrl: string, jbContentType: string, jbTokenExpirationMinutes: number, jbClientId: string, jbScope: string | null, jbPrivateKeySet: boolean }
     } | null };

export type CreateSiteMutationVariables = Exact<{
  input: SiteInput;
}>;


export type CreateSiteMutation = { createSite: { id: string, name: string, url: string, contentType: string, status: SiteStatus, authMethod: AuthMethod, redirectUrl: string | null, createdAt: string, updatedAt: string, performance: { maxRps: number, threads: number }, auth:
      | { __typename: 'AwsAuth', service: string, accessKeyId: string, algorithmPrefix: string | null, vendorKey: string | null, secretAccessKeySet: boolean, sessionTokenSet: boolean, awsRegion: string }
      | { __typename: 'AwsS3Auth', filenameFormat: string, s3Region: string | null, s3Service: string, s3AccessKeyId: string, s3SecretAccessKeySet: boolean }
      | { __typename: 'BasicAuth', username: string, passwordSet: boolean }
      | { __typename: 'JwtAuth', algorithm: JwtAlgorithm, payload: unknown, timeToLive: string, secretSet: boolean, privateKeySet: boolean }
      | { __typename: 'OAuth2Auth', consumerKey: string, authorizationUrl: string, responseType: string, consumerSecretSet: boolean, oauthTokenUrl: string, oauthScope: string | null, oauthClientAuthentication: ClientAuthentication }
      | { __typename: 'OAuth2ClientCredentialsAuth', clientSecretSet: boolean, ccTokenUrl: string, ccContentType: string, ccTokenExpirationMinutes: number, ccClientId: string, ccScope: string | null, ccClientAuthentication: ClientAuthentication }
      | { __typename: 'OAuth2JwtBearerAuth', keyId: string | null, signAlgorithm: JwtBearerSignAlgorithm, grant: JwtBearerGrant, jbTokenUrl: string, jbContentType: string, jbTokenExpirationMinutes: number, jbClientId: string, jbScope: string | null, jbPrivateKeySet: boolean }
     } };

export type UpdateSiteMutationVariables = Exact<{
  id: string | number;
  input: SiteUpdateInput;
}>;


export type UpdateSiteMutation = { updateSite: { id: string, name: string, url: string, contentType: string, status: SiteStatus, authMethod: AuthMethod, redirectUrl: string | null, createdAt: string, updatedAt: string, performance: { maxRps: number, threads: number }, auth:
      | { __typename: 'AwsAuth', service: string, accessKeyId: string, algorithmPrefix: string | null, vendorKey: string | null, secretAccessKeySet: boolean, sessionTokenSet: boolean, awsRegion: string }
      | { __typename: 'AwsS3Auth', filenameFormat: string, s3Region: string | null, s3Service: string, s3AccessKeyId: string, s3SecretAccessKeySet: boolean }
      | { __typename: 'BasicAuth', username: string, passwordSet: boolean }
      | { __typename: 'JwtAuth', algorithm: JwtAlgorithm, payload: unknown, timeToLive: string, secretSet: boolean, privateKeySet: boolean }
      | { __typename: 'OAuth2Auth', consumerKey: string, authorizationUrl: string, responseType: string, consumerSecretSet: boolean, oauthTokenUrl: string, oauthScope: string | null, oauthClientAuthentication: ClientAuthentication }
      | { __typename: 'OAuth2ClientCredentialsAuth', clientSecretSet: boolean, ccTokenUrl: string, ccContentType: string, ccTokenExpirationMinutes: number, ccClientId: string, ccScope: string | null, ccClientAuthentication: ClientAuthentication }
      | { __typename: 'OAuth2JwtBearerAuth', keyId: string | null, signAlgorithm: JwtBearerSignAlgorithm, grant: JwtBearerGrant, jbTokenUrl: string, jbContentType: string, jbTokenExpirationMinutes: number, jbClientId: string, jbScope: string | null, jbPrivateKeySet: boolean }
     } };

export type SetSiteStatusMutationVariables = Exact<{
  id: string | number;
  status: SiteStatus;
}>;


export type SetSiteStatusMutation = { setSiteStatus: { id: string, status: SiteStatus, updatedAt: string } };

export type DeleteSiteMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteSiteMutation = { deleteSite: boolean };

export const SiteFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SiteFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Site"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"contentType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}},{"kind":"Field","name":{"kind":"Name","value":"redirectUrl"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"performance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxRps"}},{"kind":"Field","name":{"kind":"Name","value":"threads"}}]}},{"kind":"Field","name":{"kind":"Name","value":"auth"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BasicAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"passwordSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AwsAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"awsRegion"},"name":{"kind":"Name","value":"region"}},{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"accessKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"algorithmPrefix"}},{"kind":"Field","name":{"kind":"Name","value":"vendorKey"}},{"kind":"Field","name":{"kind":"Name","value":"secretAccessKeySet"}},{"kind":"Field","name":{"kind":"Name","value":"sessionTokenSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AwsS3Auth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"s3Region"},"name":{"kind":"Name","value":"region"}},{"kind":"Field","alias":{"kind":"Name","value":"s3Service"},"name":{"kind":"Name","value":"service"}},{"kind":"Field","alias":{"kind":"Name","value":"s3AccessKeyId"},"name":{"kind":"Name","value":"accessKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"filenameFormat"}},{"kind":"Field","alias":{"kind":"Name","value":"s3SecretAccessKeySet"},"name":{"kind":"Name","value":"secretAccessKeySet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JwtAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"algorithm"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}},{"kind":"Field","name":{"kind":"Name","value":"timeToLive"}},{"kind":"Field","name":{"kind":"Name","value":"secretSet"}},{"kind":"Field","name":{"kind":"Name","value":"privateKeySet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2Auth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"consumerKey"}},{"kind":"Field","name":{"kind":"Name","value":"authorizationUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"responseType"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthClientAuthentication"},"name":{"kind":"Name","value":"clientAuthentication"}},{"kind":"Field","name":{"kind":"Name","value":"consumerSecretSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2ClientCredentialsAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"ccTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"ccContentType"},"name":{"kind":"Name","value":"contentType"}},{"kind":"Field","alias":{"kind":"Name","value":"ccTokenExpirationMinutes"},"name":{"kind":"Name","value":"tokenExpirationMinutes"}},{"kind":"Field","alias":{"kind":"Name","value":"ccClientId"},"name":{"kind":"Name","value":"clientId"}},{"kind":"Field","alias":{"kind":"Name","value":"ccScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","alias":{"kind":"Name","value":"ccClientAuthentication"},"name":{"kind":"Name","value":"clientAuthentication"}},{"kind":"Field","name":{"kind":"Name","value":"clientSecretSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2JwtBearerAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"jbTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"jbContentType"},"name":{"kind":"Name","value":"contentType"}},{"kind":"Field","alias":{"kind":"Name","value":"jbTokenExpirationMinutes"},"name":{"kind":"Name","value":"tokenExpirationMinutes"}},{"kind":"Field","alias":{"kind":"Name","value":"jbClientId"},"name":{"kind":"Name","value":"clientId"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"signAlgorithm"}},{"kind":"Field","alias":{"kind":"Name","value":"jbScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"grant"}},{"kind":"Field","alias":{"kind":"Name","value":"jbPrivateKeySet"},"name":{"kind":"Name","value":"privateKeySet"}}]}}]}}]}}]} as unknown as DocumentNode<SiteFieldsFragment, unknown>;
export const SitesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Sites"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"SiteStatus"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"authMethod"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuthMethod"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"search"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sites"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"authMethod"},"value":{"kind":"Variable","name":{"kind":"Name","value":"authMethod"}}},{"kind":"Argument","name":{"kind":"Name","value":"search"},"value":{"kind":"Variable","name":{"kind":"Name","value":"search"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"contentType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SitesQuery, SitesQueryVariables>;
export const SiteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Site"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"site"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SiteFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SiteFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Site"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"contentType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}},{"kind":"Field","name":{"kind":"Name","value":"redirectUrl"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"performance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxRps"}},{"kind":"Field","name":{"kind":"Name","value":"threads"}}]}},{"kind":"Field","name":{"kind":"Name","value":"auth"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BasicAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"passwordSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AwsAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"awsRegion"},"name":{"kind":"Name","value":"region"}},{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"accessKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"algorithmPrefix"}},{"kind":"Field","name":{"kind":"Name","value":"vendorKey"}},{"kind":"Field","name":{"kind":"Name","value":"secretAccessKeySet"}},{"kind":"Field","name":{"kind":"Name","value":"sessionTokenSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AwsS3Auth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"s3Region"},"name":{"kind":"Name","value":"region"}},{"kind":"Field","alias":{"kind":"Name","value":"s3Service"},"name":{"kind":"Name","value":"service"}},{"kind":"Field","alias":{"kind":"Name","value":"s3AccessKeyId"},"name":{"kind":"Name","value":"accessKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"filenameFormat"}},{"kind":"Field","alias":{"kind":"Name","value":"s3SecretAccessKeySet"},"name":{"kind":"Name","value":"secretAccessKeySet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JwtAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"algorithm"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}},{"kind":"Field","name":{"kind":"Name","value":"timeToLive"}},{"kind":"Field","name":{"kind":"Name","value":"secretSet"}},{"kind":"Field","name":{"kind":"Name","value":"privateKeySet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2Auth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"consumerKey"}},{"kind":"Field","name":{"kind":"Name","value":"authorizationUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"responseType"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthClientAuthentication"},"name":{"kind":"Name","value":"clientAuthentication"}},{"kind":"Field","name":{"kind":"Name","value":"consumerSecretSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2ClientCredentialsAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"ccTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"ccContentType"},"name":{"kind":"Name","value":"contentType"}},{"kind":"Field","alias":{"kind":"Name","value":"ccTokenExpirationMinutes"},"name":{"kind":"Name","value":"tokenExpirationMinutes"}},{"kind":"Field","alias":{"kind":"Name","value":"ccClientId"},"name":{"kind":"Name","value":"clientId"}},{"kind":"Field","alias":{"kind":"Name","value":"ccScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","alias":{"kind":"Name","value":"ccClientAuthentication"},"name":{"kind":"Name","value":"clientAuthentication"}},{"kind":"Field","name":{"kind":"Name","value":"clientSecretSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2JwtBearerAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"jbTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"jbContentType"},"name":{"kind":"Name","value":"contentType"}},{"kind":"Field","alias":{"kind":"Name","value":"jbTokenExpirationMinutes"},"name":{"kind":"Name","value":"tokenExpirationMinutes"}},{"kind":"Field","alias":{"kind":"Name","value":"jbClientId"},"name":{"kind":"Name","value":"clientId"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"signAlgorithm"}},{"kind":"Field","alias":{"kind":"Name","value":"jbScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"grant"}},{"kind":"Field","alias":{"kind":"Name","value":"jbPrivateKeySet"},"name":{"kind":"Name","value":"privateKeySet"}}]}}]}}]}}]} as unknown as DocumentNode<SiteQuery, SiteQueryVariables>;
export const CreateSiteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSite"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SiteInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSite"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SiteFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SiteFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Site"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"contentType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}},{"kind":"Field","name":{"kind":"Name","value":"redirectUrl"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"performance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxRps"}},{"kind":"Field","name":{"kind":"Name","value":"threads"}}]}},{"kind":"Field","name":{"kind":"Name","value":"auth"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BasicAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"passwordSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AwsAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"awsRegion"},"name":{"kind":"Name","value":"region"}},{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"accessKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"algorithmPrefix"}},{"kind":"Field","name":{"kind":"Name","value":"vendorKey"}},{"kind":"Field","name":{"kind":"Name","value":"secretAccessKeySet"}},{"kind":"Field","name":{"kind":"Name","value":"sessionTokenSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AwsS3Auth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"s3Region"},"name":{"kind":"Name","value":"region"}},{"kind":"Field","alias":{"kind":"Name","value":"s3Service"},"name":{"kind":"Name","value":"service"}},{"kind":"Field","alias":{"kind":"Name","value":"s3AccessKeyId"},"name":{"kind":"Name","value":"accessKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"filenameFormat"}},{"kind":"Field","alias":{"kind":"Name","value":"s3SecretAccessKeySet"},"name":{"kind":"Name","value":"secretAccessKeySet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JwtAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"algorithm"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}},{"kind":"Field","name":{"kind":"Name","value":"timeToLive"}},{"kind":"Field","name":{"kind":"Name","value":"secretSet"}},{"kind":"Field","name":{"kind":"Name","value":"privateKeySet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2Auth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"consumerKey"}},{"kind":"Field","name":{"kind":"Name","value":"authorizationUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"responseType"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthClientAuthentication"},"name":{"kind":"Name","value":"clientAuthentication"}},{"kind":"Field","name":{"kind":"Name","value":"consumerSecretSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2ClientCredentialsAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"ccTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"ccContentType"},"name":{"kind":"Name","value":"contentType"}},{"kind":"Field","alias":{"kind":"Name","value":"ccTokenExpirationMinutes"},"name":{"kind":"Name","value":"tokenExpirationMinutes"}},{"kind":"Field","alias":{"kind":"Name","value":"ccClientId"},"name":{"kind":"Name","value":"clientId"}},{"kind":"Field","alias":{"kind":"Name","value":"ccScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","alias":{"kind":"Name","value":"ccClientAuthentication"},"name":{"kind":"Name","value":"clientAuthentication"}},{"kind":"Field","name":{"kind":"Name","value":"clientSecretSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2JwtBearerAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"jbTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"jbContentType"},"name":{"kind":"Name","value":"contentType"}},{"kind":"Field","alias":{"kind":"Name","value":"jbTokenExpirationMinutes"},"name":{"kind":"Name","value":"tokenExpirationMinutes"}},{"kind":"Field","alias":{"kind":"Name","value":"jbClientId"},"name":{"kind":"Name","value":"clientId"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"signAlgorithm"}},{"kind":"Field","alias":{"kind":"Name","value":"jbScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"grant"}},{"kind":"Field","alias":{"kind":"Name","value":"jbPrivateKeySet"},"name":{"kind":"Name","value":"privateKeySet"}}]}}]}}]}}]} as unknown as DocumentNode<CreateSiteMutation, CreateSiteMutationVariables>;
export const UpdateSiteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateSite"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SiteUpdateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSite"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SiteFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SiteFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Site"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"contentType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}},{"kind":"Field","name":{"kind":"Name","value":"redirectUrl"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"performance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxRps"}},{"kind":"Field","name":{"kind":"Name","value":"threads"}}]}},{"kind":"Field","name":{"kind":"Name","value":"auth"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BasicAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"passwordSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AwsAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"awsRegion"},"name":{"kind":"Name","value":"region"}},{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"accessKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"algorithmPrefix"}},{"kind":"Field","name":{"kind":"Name","value":"vendorKey"}},{"kind":"Field","name":{"kind":"Name","value":"secretAccessKeySet"}},{"kind":"Field","name":{"kind":"Name","value":"sessionTokenSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AwsS3Auth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"s3Region"},"name":{"kind":"Name","value":"region"}},{"kind":"Field","alias":{"kind":"Name","value":"s3Service"},"name":{"kind":"Name","value":"service"}},{"kind":"Field","alias":{"kind":"Name","value":"s3AccessKeyId"},"name":{"kind":"Name","value":"accessKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"filenameFormat"}},{"kind":"Field","alias":{"kind":"Name","value":"s3SecretAccessKeySet"},"name":{"kind":"Name","value":"secretAccessKeySet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"JwtAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"algorithm"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}},{"kind":"Field","name":{"kind":"Name","value":"timeToLive"}},{"kind":"Field","name":{"kind":"Name","value":"secretSet"}},{"kind":"Field","name":{"kind":"Name","value":"privateKeySet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2Auth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"consumerKey"}},{"kind":"Field","name":{"kind":"Name","value":"authorizationUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"responseType"}},{"kind":"Field","alias":{"kind":"Name","value":"oauthClientAuthentication"},"name":{"kind":"Name","value":"clientAuthentication"}},{"kind":"Field","name":{"kind":"Name","value":"consumerSecretSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2ClientCredentialsAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"ccTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"ccContentType"},"name":{"kind":"Name","value":"contentType"}},{"kind":"Field","alias":{"kind":"Name","value":"ccTokenExpirationMinutes"},"name":{"kind":"Name","value":"tokenExpirationMinutes"}},{"kind":"Field","alias":{"kind":"Name","value":"ccClientId"},"name":{"kind":"Name","value":"clientId"}},{"kind":"Field","alias":{"kind":"Name","value":"ccScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","alias":{"kind":"Name","value":"ccClientAuthentication"},"name":{"kind":"Name","value":"clientAuthentication"}},{"kind":"Field","name":{"kind":"Name","value":"clientSecretSet"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OAuth2JwtBearerAuth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"jbTokenUrl"},"name":{"kind":"Name","value":"tokenUrl"}},{"kind":"Field","alias":{"kind":"Name","value":"jbContentType"},"name":{"kind":"Name","value":"contentType"}},{"kind":"Field","alias":{"kind":"Name","value":"jbTokenExpirationMinutes"},"name":{"kind":"Name","value":"tokenExpirationMinutes"}},{"kind":"Field","alias":{"kind":"Name","value":"jbClientId"},"name":{"kind":"Name","value":"clientId"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"signAlgorithm"}},{"kind":"Field","alias":{"kind":"Name","value":"jbScope"},"name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"grant"}},{"kind":"Field","alias":{"kind":"Name","value":"jbPrivateKeySet"},"name":{"kind":"Name","value":"privateKeySet"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateSiteMutation, UpdateSiteMutationVariables>;
export const SetSiteStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetSiteStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SiteStatus"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSiteStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<SetSiteStatusMutation, SetSiteStatusMutationVariables>;
export const DeleteSiteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteSite"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSite"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<DeleteSiteMutation, DeleteSiteMutationVariables>;