import { GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN } from '../oauth2-requests.js';
import { defineAuthMethod } from '../definition.js';
import { CLIENT_AUTHENTICATION_FIELD, CLIENT_ID_MAX_CHARS, SCOPE_FIELD, TOKEN_URL_FIELD } from '../oauth2-shared.js';
import { TOKEN_PARAM_FIELDS, addTokenParamsTo, tokenParamsOf } from '../token-params.js';
import { AuthMethod } from '../types.js';
import { OAuth2Auth, OAuth2AuthInput, type OAuth2Secret, parseOAuth2 } from './config.js';
import { signOAuth2 } from './sign.js';

export const oauth2 = defineAuthMethod<AuthMethod.OAUTH2, OAuth2Auth, OAuth2AuthInput, OAuth2Secret>({
  method: AuthMethod.OAUTH2,
  inputKey: 'oauth2',
  label: 'OAuth2 (authorization code)',
  summary: 'An administrator connects once; the access token is refreshed here.',
  fields: [
    { name: 'consumerKey', label: 'Consumer key (client ID)', kind: 'text', required: true, maxLength: CLIENT_ID_MAX_CHARS },
    { name: 'consumerSecret', label: 'Consumer secret', kind: 'secret', required: true },
    { name: 'authorizationUrl', label: 'Authorization URL', kind: 'url', required: true, placeholder: 'https://provider.example.com/authorize' },
    TOKEN_URL_FIELD,
    SCOPE_FIELD,
    { name: 'responseType', label: 'Response type', kind: 'text', initial: 'code', help: 'Default code.', check: 'responseType' },
    CLIENT_AUTHENTICATION_FIELD,
    ...TOKEN_PARAM_FIELDS,
  ],
  configClass: OAuth2Auth,
  inputClass: OAuth2AuthInput,
  parse: parseOAuth2,
  sign: signOAuth2,
  tokens: {
    connect: {
      // PKCE S256 (RFC 7636); the state is single use and bound to the site (oauth/).
      authorizationUrl(auth, { redirectUri, state, codeChallenge }) {
        const url = new URL(auth.authorizationUrl);
        url.searchParams.set('response_type', auth.responseType || 'code');
        url.searchParams.set('client_id', auth.consumerKey);
        url.searchParams.set('redirect_uri', redirectUri);
        if (auth.scope) url.searchParams.set('scope', auth.scope);
        url.searchParams.set('state', state);
        url.searchParams.set('code_challenge', codeChallenge);
        url.searchParams.set('code_challenge_method', 'S256');
        // RFC 8707 §2.1: the resources go in the authorization request as well as the token requests.
        addTokenParamsTo(url, auth);
        return url.toString();
      },
      codeExchange(auth, secrets, { code, redirectUri, codeVerifier }) {
        return {
          tokenUrl: auth.tokenUrl,
          contentType: 'application/x-www-form-urlencoded',
          grantType: GRANT_AUTHORIZATION_CODE,
          params: { grant_type: GRANT_AUTHORIZATION_CODE, code, redirect_uri: redirectUri, code_verifier: codeVerifier, ...tokenParamsOf(auth) },
          clientAuth: { kind: 'secret', method: auth.clientAuthentication, clientId: auth.consumerKey, clientSecret: secrets.consumerSecret ?? '' },
        };
      },
    },
    async renewalRequest(auth, secrets, { refreshToken }) {
      if (!refreshToken) throw new Error('no refresh token is held');
      return {
        tokenUrl: auth.tokenUrl,
        contentType: 'application/x-www-form-urlencoded',
        grantType: GRANT_REFRESH_TOKEN,
        params: { grant_type: GRANT_REFRESH_TOKEN, refresh_token: refreshToken, ...tokenParamsOf(auth) },
        // The refresh authenticates the client exactly as the code exchange did.
        clientAuth: { kind: 'secret', method: auth.clientAuthentication, clientId: auth.consumerKey, clientSecret: secrets.consumerSecret ?? '' },
      };
    },
    // No expiration of its own: what the provider says (none said: no clock expiry; a 401 from the receiver still forces a refresh).
  },
});
