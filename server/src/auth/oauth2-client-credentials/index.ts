import { GRANT_CLIENT_CREDENTIALS } from '../oauth2-requests.js';
import { defineAuthMethod } from '../definition.js';
import { CLIENT_AUTHENTICATION_FIELD, CLIENT_ID_FIELD, SCOPE_FIELD, TOKEN_CONTENT_TYPE_FIELD, TOKEN_URL_FIELD, tokenExpirationField } from '../oauth2-shared.js';
import { TOKEN_PARAM_FIELDS, tokenParamsOf } from '../token-params.js';
import { AuthMethod } from '../types.js';
import {
  CC_TOKEN_EXPIRATION_MINUTES,
  OAuth2ClientCredentialsAuth,
  OAuth2ClientCredentialsAuthInput,
  type OAuth2ClientCredentialsSecret,
  parseOAuth2ClientCredentials,
} from './config.js';
import { signOAuth2ClientCredentials } from './sign.js';

export const oauth2ClientCredentials = defineAuthMethod<
  AuthMethod.OAUTH2_CLIENT_CREDENTIALS,
  OAuth2ClientCredentialsAuth,
  OAuth2ClientCredentialsAuthInput,
  OAuth2ClientCredentialsSecret
>({
  method: AuthMethod.OAUTH2_CLIENT_CREDENTIALS,
  inputKey: 'oauth2ClientCredentials',
  label: 'OAuth2 client credentials',
  summary: 'Fetches an access token with a client ID and secret (RFC 6749 §4.4) and renews it before it expires.',
  fields: [
    TOKEN_URL_FIELD,
    TOKEN_CONTENT_TYPE_FIELD,
    tokenExpirationField(CC_TOKEN_EXPIRATION_MINUTES, '1–1440 minutes (up to one day). A token is used at most this long, or less if the provider says so.'),
    CLIENT_ID_FIELD,
    { name: 'clientSecret', label: 'Client secret', kind: 'secret', required: true },
    SCOPE_FIELD,
    CLIENT_AUTHENTICATION_FIELD,
    ...TOKEN_PARAM_FIELDS,
  ],
  configClass: OAuth2ClientCredentialsAuth,
  inputClass: OAuth2ClientCredentialsAuthInput,
  parse: parseOAuth2ClientCredentials,
  sign: signOAuth2ClientCredentials,
  tokens: {
    async renewalRequest(auth, secrets) {
      return {
        tokenUrl: auth.tokenUrl,
        contentType: auth.contentType,
        grantType: GRANT_CLIENT_CREDENTIALS,
        params: { grant_type: GRANT_CLIENT_CREDENTIALS, scope: auth.scope, ...tokenParamsOf(auth) },
        clientAuth: { kind: 'secret', method: auth.clientAuthentication, clientId: auth.clientId, clientSecret: secrets.clientSecret ?? '' },
      };
    },
    lifetimeMinutes: (auth) => auth.tokenExpirationMinutes,
  },
});
