import type { AuthMethodDefinition } from '../definition.js';
import { AuthMethod } from '../types.js';
import { AwsS3Auth, AwsS3AuthInput, type AwsS3Secret, parseAwsS3 } from './config.js';
import { signAwsS3 } from './sign.js';

export const awsS3: AuthMethodDefinition<AuthMethod.AWS_S3, AwsS3Auth, AwsS3AuthInput, AwsS3Secret> = {
  method: AuthMethod.AWS_S3,
  inputKey: 'awsS3',
  label: 'AWS-S3 upload',
  configClass: AwsS3Auth,
  inputClass: AwsS3AuthInput,
  secrets: [{ name: 'secretAccessKey', required: () => true }],
  parse: parseAwsS3,
  sign: signAwsS3,
};
