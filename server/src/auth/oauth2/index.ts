import type { AuthMethodDefinition } from '../definition.js';
import { AuthMethod } from '../types.js';
import { OAuth2Auth, OAuth2AuthInput, type OAuth2Secret, parseOAuth2 } from './config.js';
import { signOAuth2 } from './sign.js';

export const oauth2: AuthMethodDefinition<AuthMethod.OAUTH2, OAuth2Auth, OAuth2AuthInput, OAuth2Secret> = {
  method: AuthMethod.OAUTH2,
  inputKey: 'oauth2',
  label: 'OAuth2 (authorization code)',
  configClass: OAuth2Auth,
  inputClass: OAuth2AuthInput,
  secrets: [{ name: 'consumerSecret', required: () => true }],
  parse: parseOAuth2,
  sign: signOAuth2,
};
