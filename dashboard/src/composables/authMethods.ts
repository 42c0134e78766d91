import type { AuthConfigInput, AuthMethod, SiteFieldsFragment } from '../graphql/generated/graphql';
import {
  DEFAULT_FILENAME_FORMAT,
  FILENAME_PLACEHOLDERS,
  TOKEN_REQUEST_CONTENT_TYPES,
  checkAccessKeyId,
  checkAlgorithmPrefix,
  checkFilenameFormat,
  checkHs256Secret,
  checkHttpUrl,
  checkIntegerRange,
  checkMaxLength,
  checkPemShape,
  checkRegion,
  checkService,
  checkTimeToLive,
  checkVendorKey,
  describeMinutes,
  describeTimeToLive,
  hasControlCharacters,
} from './siteRules';

export type AuthValues = Record<string, string>;
export type SiteAuth = SiteFieldsFragment['auth'];
export type AuthInputKey = keyof AuthConfigInput;

export type FieldKind = 'text' | 'url' | 'secret' | 'pem' | 'select' | 'int' | 'payload';

export interface AuthFieldDef {
  /** The input field name; the server's error path is `auth.<inputKey>.<key>`. */
  key: string;
  label: string;
  kind: FieldKind;
  /** Plain fields: required to be non-blank. Secrets: required unless one is stored (see useSiteForm). */
  required?: boolean | ((values: AuthValues) => boolean);
  hint?: string;
  /** A hint computed from what is typed (e.g. what a time-to-live means). */
  liveHint?: (value: string) => string | undefined;
  placeholder?: string;
  options?: readonly { value: string; label: string }[];
  initial?: string;
  /** Fields that mean nothing for the current values (an HS256 secret under RS256) are hidden and not sent. */
  visible?: (values: AuthValues) => boolean;
  /** Runs on non-blank values only; "required" is checked separately. */
  check?: (value: string, values: AuthValues) => string | undefined;
}

export interface AuthMethodDef {
  method: AuthMethod;
  inputKey: AuthInputKey;
  label: string;
  summary: string;
  fields: readonly AuthFieldDef[];
  /** Plain values (as form strings) and which secrets are stored, from a saved site. */
  read(auth: SiteAuth): { values: AuthValues; secretsSet: Record<string, boolean> };
}

const str = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));

const tokenContentType: AuthFieldDef = {
  key: 'contentType',
  label: 'Token request content type',
  kind: 'select',
  initial: 'application/x-www-form-urlencoded',
  options: TOKEN_REQUEST_CONTENT_TYPES.map((t) => ({ value: t, label: t })),
  hint: 'How the token request body is encoded.',
};

const clientAuthentication: AuthFieldDef = {
  key: 'clientAuthentication',
  label: 'Client authentication',
  kind: 'select',
  initial: 'BASIC',
  options: [
    { value: 'BASIC', label: 'HTTP Basic header (default)' },
    { value: 'BODY', label: 'client_id and client_secret in the body' },
  ],
};

const scope: AuthFieldDef = {
  key: 'scope',
  label: 'Scope',
  kind: 'text',
  hint: 'Optional. Space- or comma-separated; sent space-separated.',
  placeholder: 'read write',
};

function ensure<T extends SiteAuth['__typename']>(auth: SiteAuth, typename: T): Extract<SiteAuth, { __typename: T }> {
  if (auth.__typename !== typename) throw new Error(`expected ${typename}, got ${auth.__typename}`);
  return auth as Extract<SiteAuth, { __typename: T }>;
}

export const AUTH_METHODS: readonly AuthMethodDef[] = [
  {
    method: 'BASIC',
    inputKey: 'basic',
    label: 'Basic',
    summary: 'Authorization: Basic with a username and password (RFC 7617).',
    fields: [
      {
        key: 'username',
        label: 'Username',
        kind: 'text',
        required: true,
        check: (v) => (v.includes(':') ? 'Must not contain ":" (RFC 7617 §2)' : hasControlCharacters(v) ? 'Must not contain control characters' : checkMaxLength(v, 256)),
      },
      { key: 'password', label: 'Password', kind: 'secret', required: true },
    ],
    read(auth) {
      const a = ensure(auth, 'BasicAuth');
      return { values: { username: a.username }, secretsSet: { password: a.passwordSet } };
    },
  },
  {
    method: 'AWS',
    inputKey: 'aws',
    label: 'AWS (Signature V4)',
    summary: 'Signs every request with AWS Signature Version 4, or a copy of it such as GOOG4.',
    fields: [
      { key: 'region', label: 'Region', kind: 'text', required: true, placeholder: 'eu-west-1', check: checkRegion },
      { key: 'service', label: 'Service', kind: 'text', required: true, placeholder: 'execute-api', check: checkService },
      { key: 'accessKeyId', label: 'Access key ID', kind: 'text', required: true, check: checkAccessKeyId },
      { key: 'secretAccessKey', label: 'Secret access key', kind: 'secret', required: true },
      { key: 'sessionToken', label: 'Session token', kind: 'secret', hint: 'Optional, for temporary credentials.' },
      { key: 'algorithmPrefix', label: 'Algorithm prefix', kind: 'text', placeholder: 'AWS4', hint: 'Optional. GOOG4 gives GOOG4-HMAC-SHA256.', check: checkAlgorithmPrefix },
      { key: 'vendorKey', label: 'Vendor key', kind: 'text', placeholder: 'amz', hint: 'Optional. goog gives x-goog-date headers.', check: checkVendorKey },
    ],
    read(auth) {
      const a = ensure(auth, 'AwsAuth');
      return {
        values: { region: str(a.awsRegion), service: a.service, accessKeyId: a.accessKeyId, algorithmPrefix: str(a.algorithmPrefix), vendorKey: str(a.vendorKey) },
        secretsSet: { secretAccessKey: a.secretAccessKeySet, sessionToken: a.sessionTokenSet },
      };
    },
  },
  {
    method: 'AWS_S3',
    inputKey: 'awsS3',
    label: 'AWS-S3 upload',
    summary: 'Each webhook is stored as an object: PUT {site URL}/{object key}, signed for S3.',
    fields: [
      { key: 'accessKeyId', label: 'Access key ID', kind: 'text', required: true, check: checkAccessKeyId },
      { key: 'secretAccessKey', label: 'Secret access key', kind: 'secret', required: true },
      { key: 'service', label: 'Service', kind: 'text', initial: 's3', check: checkService, hint: 'Default s3.' },
      { key: 'region', label: 'Region', kind: 'text', placeholder: 'us-east-1', hint: 'Optional: inferred from an s3.<region>.amazonaws.com URL, else us-east-1.', check: checkRegion },
      {
        key: 'filenameFormat',
        label: 'Filename format',
        kind: 'text',
        initial: DEFAULT_FILENAME_FORMAT,
        hint: `The object key. Placeholders: ${FILENAME_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}. Must include {uuid} or {deliveryId}.`,
        check: checkFilenameFormat,
      },
    ],
    read(auth) {
      const a = ensure(auth, 'AwsS3Auth');
      return {
        values: { accessKeyId: a.s3AccessKeyId, service: a.s3Service, region: str(a.s3Region), filenameFormat: a.filenameFormat },
        secretsSet: { secretAccessKey: a.s3SecretAccessKeySet },
      };
    },
  },
  {
    method: 'JWT',
    inputKey: 'jwt',
    label: 'JWT',
    summary: 'Signs a JWT per request and sends it as Authorization: Bearer.',
    fields: [
      {
        key: 'algorithm',
        label: 'Algorithm',
        kind: 'select',
        required: true,
        initial: 'HS256',
        options: [
          { value: 'HS256', label: 'HS256 (shared secret)' },
          { value: 'RS256', label: 'RS256 (RSA private key)' },
        ],
      },
      {
        key: 'secret',
        label: 'Shared secret',
        kind: 'secret',
        required: true,
        visible: (v) => v.algorithm === 'HS256',
        hint: 'At least 32 bytes (256 bits), as RFC 7518 §3.2 requires for HS256; a random 32-byte value, base64-encoded, is 44 characters.',
        check: checkHs256Secret,
      },
      { key: 'privateKey', label: 'Private key (PEM)', kind: 'pem', required: true, visible: (v) => v.algorithm === 'RS256', check: checkPemShape, hint: 'An RSA key of at least 2048 bits.' },
      {
        key: 'timeToLive',
        label: 'Time-to-live',
        kind: 'text',
        required: true,
        initial: '5 minutes',
        placeholder: '5 minutes',
        hint: 'A number and a unit: minute(s), hour(s), day(s), month(s) or year(s); at most 10 years. Sets iat and exp.',
        liveHint: describeTimeToLive,
        check: checkTimeToLive,
      },
      { key: 'payload', label: 'Payload claims', kind: 'payload', hint: 'Each value is JSON: "text" in quotes, 42, true, ["a","b"], {"k":1}.' },
    ],
    read(auth) {
      const a = ensure(auth, 'JwtAuth');
      return { values: { algorithm: a.algorithm, timeToLive: a.timeToLive }, secretsSet: { secret: a.secretSet, privateKey: a.privateKeySet } };
    },
  },
  {
    method: 'OAUTH2',
    inputKey: 'oauth2',
    label: 'OAuth2 (authorization code)',
    summary: 'An administrator connects once; the access token is refreshed here.',
    fields: [
      { key: 'consumerKey', label: 'Consumer key (client ID)', kind: 'text', required: true, check: (v) => checkMaxLength(v, 512) },
      { key: 'consumerSecret', label: 'Consumer secret', kind: 'secret', required: true },
      { key: 'authorizationUrl', label: 'Authorization URL', kind: 'url', required: true, placeholder: 'https://provider.example.com/authorize', check: checkHttpUrl },
      { key: 'tokenUrl', label: 'Token URL', kind: 'url', required: true, placeholder: 'https://provider.example.com/token', check: checkHttpUrl },
      scope,
      {
        key: 'responseType',
        label: 'Response type',
        kind: 'text',
        initial: 'code',
        hint: 'Default code.',
        check: (v) => (!/^[a-z_]+( [a-z_]+)*$/.test(v.trim()) ? 'Must be a response type such as "code"' : undefined),
      },
      clientAuthentication,
    ],
    read(auth) {
      const a = ensure(auth, 'OAuth2Auth');
      return {
        values: {
          consumerKey: a.consumerKey,
          authorizationUrl: a.authorizationUrl,
          tokenUrl: a.oauthTokenUrl,
          scope: str(a.oauthScope),
          responseType: a.responseType,
          clientAuthentication: a.oauthClientAuthentication,
        },
        secretsSet: { consumerSecret: a.consumerSecretSet },
      };
    },
  },
  {
    method: 'OAUTH2_CLIENT_CREDENTIALS',
    inputKey: 'oauth2ClientCredentials',
    label: 'OAuth2 client credentials',
    summary: 'Fetches an access token with a client ID and secret (RFC 6749 §4.4) and renews it before it expires.',
    fields: [
      { key: 'tokenUrl', label: 'Token URL', kind: 'url', required: true, placeholder: 'https://provider.example.com/token', check: checkHttpUrl },
      tokenContentType,
      {
        key: 'tokenExpirationMinutes',
        label: 'Token expiration (minutes)',
        kind: 'int',
        required: true,
        initial: '60',
        hint: '1–1440 minutes (up to one day). A token is used at most this long, or less if the provider says so.',
        liveHint: describeMinutes,
        check: (v) => checkIntegerRange(v, 1, 1440, 'minutes'),
      },
      { key: 'clientId', label: 'Client ID', kind: 'text', required: true, check: (v) => checkMaxLength(v, 512) },
      { key: 'clientSecret', label: 'Client secret', kind: 'secret', required: true },
      scope,
      clientAuthentication,
    ],
    read(auth) {
      const a = ensure(auth, 'OAuth2ClientCredentialsAuth');
      return {
        values: {
          tokenUrl: a.ccTokenUrl,
          contentType: a.ccContentType,
          tokenExpirationMinutes: str(a.ccTokenExpirationMinutes),
          clientId: a.ccClientId,
          scope: str(a.ccScope),
          clientAuthentication: a.ccClientAuthentication,
        },
        secretsSet: { clientSecret: a.clientSecretSet },
      };
    },
  },
  {
    method: 'OAUTH2_JWT_BEARER',
    inputKey: 'oauth2JwtBearer',
    label: 'OAuth2 JWT private key',
    summary: 'Signs a short-lived JWT assertion with a private key and exchanges it for an access token (RFC 7523).',
    fields: [
      { key: 'tokenUrl', label: 'Token URL', kind: 'url', required: true, placeholder: 'https://provider.example.com/token', check: checkHttpUrl },
      tokenContentType,
      {
        key: 'tokenExpirationMinutes',
        label: 'Token expiration (minutes)',
        kind: 'int',
        required: true,
        initial: '60',
        hint: '1–120 minutes (up to two hours).',
        liveHint: describeMinutes,
        check: (v) => checkIntegerRange(v, 1, 120, 'minutes'),
      },
      { key: 'clientId', label: 'Client ID', kind: 'text', required: true, check: (v) => checkMaxLength(v, 512) },
      {
        key: 'signAlgorithm',
        label: 'Sign algorithm',
        kind: 'select',
        required: true,
        initial: 'RS256',
        options: [
          { value: 'RS256', label: 'RS256 (RSA key)' },
          { value: 'ES256', label: 'ES256 (EC P-256 key)' },
        ],
      },
      { key: 'privateKey', label: 'Private key (PEM)', kind: 'pem', required: true, check: checkPemShape, hint: 'Must fit the sign algorithm: RSA ≥ 2048 bits for RS256, EC P-256 for ES256.' },
      { key: 'keyId', label: 'Key ID (kid)', kind: 'text', hint: 'Optional.', check: (v) => checkMaxLength(v, 256) },
      scope,
      {
        key: 'grant',
        label: 'Grant',
        kind: 'select',
        initial: 'JWT_BEARER',
        options: [
          { value: 'JWT_BEARER', label: 'JWT bearer grant (RFC 7523 §2.1)' },
          { value: 'CLIENT_ASSERTION', label: 'Client credentials + client assertion (§2.2)' },
        ],
      },
    ],
    read(auth) {
      const a = ensure(auth, 'OAuth2JwtBearerAuth');
      return {
        values: {
          tokenUrl: a.jbTokenUrl,
          contentType: a.jbContentType,
          tokenExpirationMinutes: str(a.jbTokenExpirationMinutes),
          clientId: a.jbClientId,
          keyId: str(a.keyId),
          signAlgorithm: a.signAlgorithm,
          scope: str(a.jbScope),
          grant: a.grant,
        },
        secretsSet: { privateKey: a.jbPrivateKeySet },
      };
    },
  },
];

export function methodDef(method: AuthMethod): AuthMethodDef {
  const def = AUTH_METHODS.find((m) => m.method === method);
  if (!def) throw new Error(`unknown auth method ${method}`);
  return def;
}

export function methodLabel(method: AuthMethod): string {
  return AUTH_METHODS.find((m) => m.method === method)?.label ?? method;
}

export function isSecretKind(kind: FieldKind): boolean {
  return kind === 'secret' || kind === 'pem';
}

export const OAUTH2_METHODS: readonly AuthMethod[] = ['OAUTH2', 'OAUTH2_CLIENT_CREDENTIALS', 'OAUTH2_JWT_BEARER'];
