import type { AuthMethodDefinition } from '../definition.js';
import { AuthMethod } from '../types.js';
import { AwsAuth, AwsAuthInput, type AwsSecret, checkAwsSecrets, parseAws } from './config.js';
import { signAws } from './sign.js';

export const aws: AuthMethodDefinition<AuthMethod.AWS, AwsAuth, AwsAuthInput, AwsSecret> = {
  method: AuthMethod.AWS,
  inputKey: 'aws',
  label: 'AWS (SigV4)',
  configClass: AwsAuth,
  inputClass: AwsAuthInput,
  secrets: [
    { name: 'secretAccessKey', required: () => true },
    { name: 'sessionToken', required: () => false },
  ],
  parse: parseAws,
  checkSecrets: checkAwsSecrets,
  sign: signAws,
};
