import { registerEnumType } from 'type-graphql';
import { TOKEN_REQUEST_CONTENT_TYPES } from './common.js';
import type { FieldMeta } from './definition.js';

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). The same form is used for every grant and refresh. */
export enum ClientAuthentication {
  /** HTTP Basic with the form-encoded client id and secret: what every server must support. The default. */
  BASIC = 'BASIC',
  /** `client_id` and `client_secret` in the request body. */
  BODY = 'BODY',
}
registerEnumType(ClientAuthentication, { name: 'ClientAuthentication' });

// ---- fields the OAuth2 methods share (FieldMeta, see definition.ts)

export const TOKEN_URL_FIELD: FieldMeta = { name: 'tokenUrl', label: 'Token URL', kind: 'url', required: true, placeholder: 'https://provider.example.com/token' };

export const TOKEN_CONTENT_TYPE_FIELD: FieldMeta = {
  name: 'contentType',
  label: 'Token request content type',
  kind: 'select',
  initial: 'application/x-www-form-urlencoded',
  options: TOKEN_REQUEST_CONTENT_TYPES.map((t) => ({ value: t, label: t })),
  help: 'How the token request body is encoded.',
};

export const CLIENT_AUTHENTICATION_FIELD: FieldMeta = {
  name: 'clientAuthentication',
  label: 'Client authentication',
  kind: 'select',
  initial: ClientAuthentication.BASIC,
  options: [
    { value: ClientAuthentication.BASIC, label: 'HTTP Basic header (default)' },
    { value: ClientAuthentication.BODY, label: 'client_id and client_secret in the body' },
  ],
};

export const SCOPE_FIELD: FieldMeta = {
  name: 'scope',
  label: 'Scope',
  kind: 'text',
  help: 'Optional. Space- or comma-separated; sent space-separated.',
  placeholder: 'read write',
};

/** Longest client id (and consumer key) accepted. */
export const CLIENT_ID_MAX_CHARS = 512;

export const CLIENT_ID_FIELD: FieldMeta = { name: 'clientId', label: 'Client ID', kind: 'text', required: true, maxLength: CLIENT_ID_MAX_CHARS };

/** `tokenExpirationMinutes` of the two methods that fetch their own tokens, with its bounds. */
export function tokenExpirationField(bounds: { min: number; max: number }, help: string): FieldMeta {
  return {
    name: 'tokenExpirationMinutes',
    label: 'Token expiration (minutes)',
    kind: 'int',
    required: true,
    initial: '60',
    min: bounds.min,
    max: bounds.max,
    unit: 'minutes',
    help,
    liveHint: 'minutes',
  };
}
