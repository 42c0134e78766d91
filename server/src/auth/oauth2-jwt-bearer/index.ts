import type { AuthMethodDefinition } from '../definition.js';
import { AuthMethod } from '../types.js';
import {
  OAuth2JwtBearerAuth,
  OAuth2JwtBearerAuthInput,
  type OAuth2JwtBearerSecret,
  checkJwtBearerSecrets,
  parseOAuth2JwtBearer,
} from './config.js';
import { signOAuth2JwtBearer } from './sign.js';

export const oauth2JwtBearer: AuthMethodDefinition<AuthMethod.OAUTH2_JWT_BEARER, OAuth2JwtBearerAuth, OAuth2JwtBearerAuthInput, OAuth2JwtBearerSecret> = {
  method: AuthMethod.OAUTH2_JWT_BEARER,
  inputKey: 'oauth2JwtBearer',
  label: 'OAuth2 JWT private key',
  configClass: OAuth2JwtBearerAuth,
  inputClass: OAuth2JwtBearerAuthInput,
  secrets: [{ name: 'privateKey', required: () => true }],
  parse: parseOAuth2JwtBearer,
  checkSecrets: checkJwtBearerSecrets,
  sign: signOAuth2JwtBearer,
};
