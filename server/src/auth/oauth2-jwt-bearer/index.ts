import { CLIENT_ASSERTION_TYPE, GRANT_CLIENT_CREDENTIALS, GRANT_JWT_BEARER, signAssertion } from '../oauth2-requests.js';
import { defineAuthMethod } from '../definition.js';
import { CLIENT_ID_FIELD, SCOPE_FIELD, TOKEN_CONTENT_TYPE_FIELD, TOKEN_URL_FIELD, tokenExpirationField } from '../oauth2-shared.js';
import { TOKEN_PARAM_FIELDS, tokenParamsOf } from '../token-params.js';
import { AuthMethod } from '../types.js';
import {
  JB_TOKEN_EXPIRATION_MINUTES,
  JwtBearerGrant,
  JwtBearerSignAlgorithm,
  KEY_ID_MAX_CHARS,
  OAuth2JwtBearerAuth,
  OAuth2JwtBearerAuthInput,
  type OAuth2JwtBearerSecret,
  checkJwtBearerSecrets,
  parseOAuth2JwtBearer,
} from './config.js';
import { signOAuth2JwtBearer } from './sign.js';

export const oauth2JwtBearer = defineAuthMethod<AuthMethod.OAUTH2_JWT_BEARER, OAuth2JwtBearerAuth, OAuth2JwtBearerAuthInput, OAuth2JwtBearerSecret>({
  method: AuthMethod.OAUTH2_JWT_BEARER,
  inputKey: 'oauth2JwtBearer',
  label: 'OAuth2 JWT private key',
  summary: 'Signs a short-lived JWT assertion with a private key and exchanges it for an access token (RFC 7523).',
  fields: [
    TOKEN_URL_FIELD,
    TOKEN_CONTENT_TYPE_FIELD,
    tokenExpirationField(JB_TOKEN_EXPIRATION_MINUTES, '1–120 minutes (up to two hours).'),
    CLIENT_ID_FIELD,
    {
      name: 'signAlgorithm',
      label: 'Sign algorithm',
      kind: 'select',
      required: true,
      initial: JwtBearerSignAlgorithm.RS256,
      options: [
        { value: JwtBearerSignAlgorithm.RS256, label: 'RS256 (RSA key)' },
        { value: JwtBearerSignAlgorithm.ES256, label: 'ES256 (EC P-256 key)' },
      ],
    },
    { name: 'privateKey', label: 'Private key (PEM)', kind: 'pem', required: true, help: 'Must fit the sign algorithm: RSA ≥ 2048 bits for RS256, EC P-256 for ES256.' },
    { name: 'keyId', label: 'Key ID (kid)', kind: 'text', help: 'Optional.', maxLength: KEY_ID_MAX_CHARS },
    SCOPE_FIELD,
    {
      name: 'grant',
      label: 'Grant',
      kind: 'select',
      initial: JwtBearerGrant.JWT_BEARER,
      options: [
        { value: JwtBearerGrant.JWT_BEARER, label: 'JWT bearer grant (RFC 7523 §2.1)' },
        { value: JwtBearerGrant.CLIENT_ASSERTION, label: 'Client credentials + client assertion (§2.2)' },
      ],
    },
    ...TOKEN_PARAM_FIELDS,
  ],
  configClass: OAuth2JwtBearerAuth,
  inputClass: OAuth2JwtBearerAuthInput,
  parse: parseOAuth2JwtBearer,
  checkSecrets: checkJwtBearerSecrets,
  sign: signOAuth2JwtBearer,
  tokens: {
    async renewalRequest(auth, secrets, { now }) {
      const assertionInput = {
        clientId: auth.clientId,
        tokenUrl: auth.tokenUrl,
        privateKeyPem: secrets.privateKey ?? '',
        algorithm: auth.signAlgorithm,
        keyId: auth.keyId,
        scope: auth.scope,
        now,
      };
      if (auth.grant === JwtBearerGrant.CLIENT_ASSERTION) {
        return {
          tokenUrl: auth.tokenUrl,
          contentType: auth.contentType,
          grantType: `${GRANT_CLIENT_CREDENTIALS} (private_key_jwt)`,
          params: {
            grant_type: GRANT_CLIENT_CREDENTIALS,
            client_id: auth.clientId,
            client_assertion_type: CLIENT_ASSERTION_TYPE,
            client_assertion: await signAssertion(assertionInput, { withScope: false }),
            scope: auth.scope,
            ...tokenParamsOf(auth),
          },
          clientAuth: { kind: 'none' },
        };
      }
      return {
        tokenUrl: auth.tokenUrl,
        contentType: auth.contentType,
        grantType: GRANT_JWT_BEARER,
        params: { grant_type: GRANT_JWT_BEARER, assertion: await signAssertion(assertionInput, { withScope: true }), scope: auth.scope, ...tokenParamsOf(auth) },
        clientAuth: { kind: 'none' },
      };
    },
    lifetimeMinutes: (auth) => auth.tokenExpirationMinutes,
  },
});
