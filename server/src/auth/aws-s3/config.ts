import { Field, InputType, ObjectType } from 'type-graphql';
import type { Sealed } from '../../crypto/secrets.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { optionalTrimmed, required } from '../../validation/checks.js';
import type { PlainFields } from '../definition.js';
import { checkAccessKeyId, checkRegion, checkService } from '../aws/config.js';
import { AuthMethod } from '../types.js';
import { DEFAULT_FILENAME_FORMAT, parseFilenameFormat } from './filename.js';

export type AwsS3Secret = 'secretAccessKey';

@ObjectType('AwsS3Auth', { description: 'Each webhook is uploaded as an S3 object: PUT {url}/{object key}, signed for S3.' })
export class AwsS3Auth {
  method!: AuthMethod.AWS_S3;
  sealed!: Partial<Record<AwsS3Secret, Sealed>>;

  @Field(() => String) service!: string;
  @Field(() => String) accessKeyId!: string;
  @Field(() => String, { description: 'Template of the object key; see the README for its placeholders.' })
  filenameFormat!: string;
  @Field(() => String, { nullable: true, description: 'Unset: inferred from an s3.<region>.amazonaws.com URL, else us-east-1.' })
  region?: string;

  @Field(() => Boolean) get secretAccessKeySet(): boolean {
    return Boolean(this.sealed?.secretAccessKey);
  }
}

@InputType('AwsS3AuthInput')
export class AwsS3AuthInput {
  @Field(() => String, { nullable: true, description: 'Default s3.' }) service?: string | null;
  @Field(() => String, { nullable: true }) accessKeyId?: string | null;
  @Field(() => String, { nullable: true, description: 'Write-only. Omit to keep the stored one.' })
  secretAccessKey?: string | null;
  @Field(() => String, { nullable: true, description: `Default ${DEFAULT_FILENAME_FORMAT}` }) filenameFormat?: string | null;
  @Field(() => String, { nullable: true }) region?: string | null;
}

export function parseAwsS3(input: AwsS3AuthInput, errors: FieldErrors): PlainFields<AwsS3Auth> {
  const service = optionalTrimmed(input.service) ?? 's3';
  const accessKeyId = (input.accessKeyId ?? '').trim();
  const filenameFormat = optionalTrimmed(input.filenameFormat) ?? DEFAULT_FILENAME_FORMAT;
  const region = optionalTrimmed(input.region);
  checkService(errors, 'service', service);
  if (required(errors, 'accessKeyId', accessKeyId, 'Access key ID')) checkAccessKeyId(errors, 'accessKeyId', accessKeyId);
  if (region !== undefined) checkRegion(errors, 'region', region);
  const parsed = parseFilenameFormat(filenameFormat);
  if ('error' in parsed) errors.add('filenameFormat', parsed.error);
  return { service, accessKeyId, filenameFormat, region };
}
