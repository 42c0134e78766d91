import type { AuthMethodDefinition } from '../definition.js';
import { AuthMethod } from '../types.js';
import { BasicAuth, BasicAuthInput, parseBasic } from './config.js';
import { signBasic } from './sign.js';

export const basic: AuthMethodDefinition<AuthMethod.BASIC, BasicAuth, BasicAuthInput, 'password'> = {
  method: AuthMethod.BASIC,
  inputKey: 'basic',
  label: 'Basic',
  configClass: BasicAuth,
  inputClass: BasicAuthInput,
  secrets: [{ name: 'password', required: () => true }],
  parse: parseBasic,
  sign: signBasic,
};
