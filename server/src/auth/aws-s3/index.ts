import { defineAuthMethod } from '../definition.js';
import { AuthMethod } from '../types.js';
import { AwsS3Auth, AwsS3AuthInput, type AwsS3Secret, parseAwsS3 } from './config.js';
import { DEFAULT_FILENAME_FORMAT, FILENAME_PLACEHOLDERS } from './filename.js';
import { signAwsS3 } from './sign.js';

export const awsS3 = defineAuthMethod<AuthMethod.AWS_S3, AwsS3Auth, AwsS3AuthInput, AwsS3Secret>({
  method: AuthMethod.AWS_S3,
  inputKey: 'awsS3',
  label: 'AWS-S3 upload',
  summary: 'Each webhook is stored as an object: PUT {site URL}/{object key}, signed for S3.',
  fields: [
    { name: 'accessKeyId', label: 'Access key ID', kind: 'text', required: true, check: 'accessKeyId' },
    { name: 'secretAccessKey', label: 'Secret access key', kind: 'secret', required: true },
    { name: 'service', label: 'Service', kind: 'text', initial: 's3', check: 'service', help: 'Default s3.' },
    { name: 'region', label: 'Region', kind: 'text', placeholder: 'us-east-1', help: 'Optional: inferred from an s3.<region>.amazonaws.com URL, else us-east-1.', check: 'region' },
    {
      name: 'filenameFormat',
      label: 'Filename format',
      kind: 'text',
      initial: DEFAULT_FILENAME_FORMAT,
      help: `The object key. Placeholders: ${FILENAME_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}. Must include {uuid} or {deliveryId}.`,
      check: 'filenameFormat',
    },
  ],
  configClass: AwsS3Auth,
  inputClass: AwsS3AuthInput,
  parse: parseAwsS3,
  // x-amz-date, x-amz-content-sha256 and the rest of S3's own headers.
  reservedHeaders: () => ({ prefixes: ['x-amz-'] }),
  sign: signAwsS3,
});
