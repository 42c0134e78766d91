import { defineAuthMethod } from '../definition.js';
import { AuthMethod } from '../types.js';
import { AwsAuth, AwsAuthInput, type AwsSecret, checkAwsSecrets, parseAws } from './config.js';
import { signAws } from './sign.js';

export const aws = defineAuthMethod<AuthMethod.AWS, AwsAuth, AwsAuthInput, AwsSecret>({
  method: AuthMethod.AWS,
  inputKey: 'aws',
  label: 'AWS (Signature V4)',
  summary: 'Signs every request with AWS Signature Version 4, or a copy of it such as GOOG4.',
  fields: [
    { name: 'region', label: 'Region', kind: 'text', required: true, placeholder: 'eu-west-1', check: 'region' },
    { name: 'service', label: 'Service', kind: 'text', required: true, placeholder: 'execute-api', check: 'service' },
    { name: 'accessKeyId', label: 'Access key ID', kind: 'text', required: true, check: 'accessKeyId' },
    { name: 'secretAccessKey', label: 'Secret access key', kind: 'secret', required: true },
    { name: 'sessionToken', label: 'Session token', kind: 'secret', help: 'Optional, for temporary credentials.' },
    { name: 'algorithmPrefix', label: 'Algorithm prefix', kind: 'text', placeholder: 'AWS4', help: 'Optional. GOOG4 gives GOOG4-HMAC-SHA256.', check: 'algorithmPrefix' },
    { name: 'vendorKey', label: 'Vendor key', kind: 'text', placeholder: 'amz', help: 'Optional. goog gives x-goog-date headers.', check: 'vendorKey' },
  ],
  configClass: AwsAuth,
  inputClass: AwsAuthInput,
  parse: parseAws,
  checkSecrets: checkAwsSecrets,
  // Signed, or set by the signer (x-amz-date, x-amz-security-token …; x-goog-* under vendor key goog).
  reservedHeaders: (plain) => ({ prefixes: [`x-${plain.vendorKey || 'amz'}-`] }),
  sign: signAws,
});
