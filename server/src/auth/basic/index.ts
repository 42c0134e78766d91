import { defineAuthMethod } from '../definition.js';
import { AuthMethod } from '../types.js';
import { BasicAuth, BasicAuthInput, type BasicSecret, USERNAME_MAX_CHARS, parseBasic } from './config.js';
import { signBasic } from './sign.js';

export const basic = defineAuthMethod<AuthMethod.BASIC, BasicAuth, BasicAuthInput, BasicSecret>({
  method: AuthMethod.BASIC,
  inputKey: 'basic',
  label: 'Basic',
  summary: 'Authorization: Basic with a username and password (RFC 7617).',
  fields: [
    { name: 'username', label: 'Username', kind: 'text', required: true, check: 'basicUsername', maxLength: USERNAME_MAX_CHARS },
    { name: 'password', label: 'Password', kind: 'secret', required: true },
  ],
  configClass: BasicAuth,
  inputClass: BasicAuthInput,
  parse: parseBasic,
  sign: signBasic,
});
