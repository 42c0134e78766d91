import { generateKeyPairSync } from 'node:crypto';

export const RSA_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const EC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const RSA_PRIVATE_PEM = RSA_KEY.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const RSA_PUBLIC_PEM = RSA_KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString();
export const EC_PRIVATE_PEM = EC_KEY.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const EC_PUBLIC_PEM = EC_KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString();

export const SECRET_VALUES = {
  password: 'pässwörd-secret-1',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-secret-2',
  s3Secret: 's3-secret-access-key-3',
  jwtSecret: 'jwt-shared-secret-that-is-long-enough-4',
  consumerSecret: 'consumer-secret-5',
  clientSecret: 'client-secret-6',
  apiKey: 'api-key-secret-7',
};

/** A valid `auth` input for each method, keyed by its AuthConfigInput member. */
export function validAuthInputs(tokenUrl = 'https://auth.example.com/token') {
  return {
    basic: { username: 'alice', password: SECRET_VALUES.password },
    aws: {
      region: 'eu-west-1',
      service: 'execute-api',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: SECRET_VALUES.secretAccessKey,
      sessionToken: SECRET_VALUES.sessionToken,
    },
    awsS3: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET_VALUES.s3Secret, filenameFormat: 'hooks/{yyyy}/{MM}/{deliveryId}.{ext}' },
    jwt: { algorithm: 'HS256', secret: SECRET_VALUES.jwtSecret, payload: { iss: 'loyalty', aud: ['crm'], n: 1 }, timeToLive: '5 minutes' },
    oauth2: {
      consumerKey: 'client-app',
      consumerSecret: SECRET_VALUES.consumerSecret,
      authorizationUrl: 'https://auth.example.com/authorize',
      tokenUrl,
      scope: 'read, write',
    },
    oauth2ClientCredentials: {
      tokenUrl,
      contentType: 'application/json',
      tokenExpirationMinutes: 30,
      clientId: 'machine',
      clientSecret: SECRET_VALUES.clientSecret,
      scope: 'a b,c',
      audience: 'https://api.example.com',
      resource: ['https://api.example.com/orders', 'urn:example:ledger'],
      extraParams: [{ name: 'tenant', value: 'acme' }],
    },
    oauth2JwtBearer: {
      tokenUrl,
      tokenExpirationMinutes: 10,
      clientId: 'signer',
      privateKey: EC_PRIVATE_PEM,
      keyId: 'k1',
      signAlgorithm: 'ES256',
    },
    apiKey: { placement: 'HEADER', name: 'X-Api-Key', key: SECRET_VALUES.apiKey },
  } as const;
}

export type AuthMember = keyof ReturnType<typeof validAuthInputs>;
export const AUTH_MEMBERS = Object.keys(validAuthInputs()) as AuthMember[];

export const SITE_FIELDS = `
  id name url contentType status authMethod redirectUrl createdAt updatedAt
  performance { maxRps threads }
  auth {
    __typename
    ... on BasicAuth { username passwordSet }
    ... on AwsAuth { region service accessKeyId algorithmPrefix vendorKey secretAccessKeySet sessionTokenSet }
    ... on AwsS3Auth { service accessKeyId filenameFormat region secretAccessKeySet }
    ... on JwtAuth { algorithm payload timeToLive secretSet privateKeySet }
    ... on OAuth2Auth { consumerKey authorizationUrl tokenUrl scope responseType clientAuthentication consumerSecretSet audience resource extraParams { name value } }
    ... on OAuth2ClientCredentialsAuth { tokenUrl contentType tokenExpirationMinutes clientId scope clientAuthentication clientSecretSet audience resource extraParams { name value } }
    ... on OAuth2JwtBearerAuth { tokenUrl contentType tokenExpirationMinutes clientId keyId signAlgorithm scope grant privateKeySet audience resource extraParams { name value } }
    ... on ApiKeyAuth { placement name keySet }
  }
`;
