import { Field, InputType, ObjectType } from 'type-graphql';
import type { Sealed } from '../../crypto/secrets.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { checkMaxLength, headerValueProblem, optionalTrimmed, required } from '../../validation/checks.js';
import type { PlainFields } from '../definition.js';
import type { Secrets } from '../types.js';
import { AuthMethod } from '../types.js';

export type AwsSecret = 'secretAccessKey' | 'sessionToken';

@ObjectType('AwsAuth', { description: 'AWS Signature Version 4, or a service that copied it (algorithm prefix + vendor key).' })
export class AwsAuth {
  method!: AuthMethod.AWS;
  sealed!: Partial<Record<AwsSecret, Sealed>>;

  // Nullable in the schema only so that it matches AwsS3Auth.region in union selections; always set here.
  @Field(() => String, { nullable: true }) region!: string;
  @Field(() => String) service!: string;
  @Field(() => String) accessKeyId!: string;
  @Field(() => String, { nullable: true, description: 'e.g. GOOG4; default AWS4 (algorithm AWS4-HMAC-SHA256).' })
  algorithmPrefix?: string;
  @Field(() => String, { nullable: true, description: 'e.g. goog; default amz (headers X-Amz-*).' })
  vendorKey?: string;

  @Field(() => Boolean) get secretAccessKeySet(): boolean {
    return Boolean(this.sealed?.secretAccessKey);
  }
  @Field(() => Boolean) get sessionTokenSet(): boolean {
    return Boolean(this.sealed?.sessionToken);
  }
}

@InputType('AwsAuthInput')
export class AwsAuthInput {
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { nullable: true }) service?: string | null;
  @Field(() => String, { nullable: true }) accessKeyId?: string | null;
  @Field(() => String, { nullable: true, description: 'Write-only. Omit to keep the stored one.' })
  secretAccessKey?: string | null;
  @Field(() => String, { nullable: true, description: 'Write-only, optional. Omit to keep, "" to remove.' })
  sessionToken?: string | null;
  @Field(() => String, { nullable: true }) algorithmPrefix?: string | null;
  @Field(() => String, { nullable: true }) vendorKey?: string | null;
}

const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SERVICE = /^[a-z0-9][a-z0-9._-]*$/i;
const ACCESS_KEY = /^[A-Za-z0-9+/=_-]{8,128}$/;

export function checkRegion(errors: FieldErrors, field: string, region: string): void {
  if (!REGION.test(region)) errors.add(field, 'Must be a region name such as us-east-1 (lower-case letters, digits, dashes)');
}

export function checkService(errors: FieldErrors, field: string, service: string): void {
  if (!SERVICE.test(service)) errors.add(field, 'Must be a service name such as execute-api, es or s3');
}

export function checkAccessKeyId(errors: FieldErrors, field: string, id: string): void {
  if (!ACCESS_KEY.test(id)) errors.add(field, 'Must be 8–128 letters, digits or +/=_-');
}

export function parseAws(input: AwsAuthInput, errors: FieldErrors): PlainFields<AwsAuth> {
  const region = (input.region ?? '').trim();
  const service = (input.service ?? '').trim();
  const accessKeyId = (input.accessKeyId ?? '').trim();
  if (required(errors, 'region', region, 'Region')) checkRegion(errors, 'region', region);
  if (required(errors, 'service', service, 'Service')) checkService(errors, 'service', service);
  if (required(errors, 'accessKeyId', accessKeyId, 'Access key ID')) checkAccessKeyId(errors, 'accessKeyId', accessKeyId);
  const algorithmPrefix = optionalTrimmed(input.algorithmPrefix);
  const vendorKey = optionalTrimmed(input.vendorKey);
  if (algorithmPrefix !== undefined && !/^[A-Z][A-Z0-9]{0,15}$/.test(algorithmPrefix)) {
    errors.add('algorithmPrefix', 'Must be upper-case letters and digits, e.g. AWS4 or GOOG4');
  }
  if (vendorKey !== undefined && !/^[a-z][a-z0-9]{0,15}$/.test(vendorKey)) {
    errors.add('vendorKey', 'Must be lower-case letters and digits, e.g. amz or goog');
  }
  checkMaxLength(errors, 'region', region, 64);
  return { region, service, accessKeyId, algorithmPrefix, vendorKey };
}

/** The session token is sent as the x-amz-security-token header: it must be a valid header value. */
export function checkAwsSecrets(_plain: PlainFields<AwsAuth>, secrets: Secrets<AwsSecret>, errors: FieldErrors): void {
  const problem = secrets.sessionToken === undefined ? undefined : headerValueProblem(secrets.sessionToken);
  if (problem) errors.add('sessionToken', problem);
}
