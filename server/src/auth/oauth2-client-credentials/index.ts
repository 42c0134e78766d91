import type { AuthMethodDefinition } from '../definition.js';
import { AuthMethod } from '../types.js';
import { OAuth2ClientCredentialsAuth, OAuth2ClientCredentialsAuthInput, type OAuth2ClientCredentialsSecret, parseOAuth2ClientCredentials } from './config.js';
import { signOAuth2ClientCredentials } from './sign.js';

export const oauth2ClientCredentials: AuthMethodDefinition<AuthMethod.OAUTH2_CLIENT_CREDENTIALS, OAuth2ClientCredentialsAuth, OAuth2ClientCredentialsAuthInput, OAuth2ClientCredentialsSecret> = {
  method: AuthMethod.OAUTH2_CLIENT_CREDENTIALS,
  inputKey: 'oauth2ClientCredentials',
  label: 'OAuth2 client credentials',
  configClass: OAuth2ClientCredentialsAuth,
  inputClass: OAuth2ClientCredentialsAuthInput,
  secrets: [{ name: 'clientSecret', required: () => true }],
  parse: parseOAuth2ClientCredentials,
  sign: signOAuth2ClientCredentials,
};
