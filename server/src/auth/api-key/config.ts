import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { Sealed } from '../../crypto/secrets.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { checkHeaderName, checkStorableText, headerValueProblem } from '../../validation/checks.js';
import { SITE_RESERVED_HEADERS, SITE_RESERVED_PREFIXES, reservedHeaderProblem } from '../../validation/reserved-headers.js';
import type { PlainFields } from '../definition.js';
import type { Secrets } from '../types.js';
import { AuthMethod } from '../types.js';

export enum ApiKeyPlacement {
  HEADER = 'HEADER',
  QUERY = 'QUERY',
}
registerEnumType(ApiKeyPlacement, { name: 'ApiKeyPlacement', description: 'Where an API key travels: a request header, or a query parameter of the URL.' });

export type ApiKeySecret = 'key';

/** The header most APIs that take a key in a header name (and the one the form starts with). */
export const DEFAULT_API_KEY_HEADER = 'x-api-key';
/** Longest header or parameter name accepted: longer names are no API's convention, and each is sent on every request. */
export const API_KEY_NAME_MAX_CHARS = 128;
/** Longest key accepted: the same bound as a sendWebhook header value. */
export const API_KEY_MAX_CHARS = 8192;

@ObjectType('ApiKeyAuth', { description: 'A fixed API key, sent as a request header or a query parameter.' })
export class ApiKeyAuth {
  method!: AuthMethod.API_KEY;
  sealed!: Partial<Record<ApiKeySecret, Sealed>>;

  @Field(() => ApiKeyPlacement) placement!: ApiKeyPlacement;
  @Field(() => String, { description: 'The header name (lower-case), or the query parameter name.' }) name!: string;

  @Field(() => Boolean, { description: 'Whether a key is stored. The key itself is never returned.' }) get keySet(): boolean {
    return Boolean(this.sealed?.key);
  }
}

@InputType('ApiKeyAuthInput')
export class ApiKeyAuthInput {
  @Field(() => ApiKeyPlacement, { nullable: true, description: 'Default HEADER.' }) placement?: ApiKeyPlacement | null;
  @Field(() => String, { nullable: true, description: `A header name (default ${DEFAULT_API_KEY_HEADER}) or a query parameter name (required).` })
  name?: string | null;
  @Field(() => String, { nullable: true, description: 'Write-only. Omit (or null) to keep the stored key.' }) key?: string | null;
}

// RFC 3986 §2.3 unreserved characters: a name that needs no percent-encoding reads the same to every receiver.
const QUERY_NAME = /^[A-Za-z0-9._~-]+$/;

/** The headers an apiKey config sets (its header name): a site's static headers may not take it. */
export function apiKeyReservedHeaders(plain: Pick<ApiKeyAuth, 'placement' | 'name'>): { names: string[] } {
  return { names: plain.placement === ApiKeyPlacement.HEADER && plain.name ? [plain.name] : [] };
}

export function parseApiKey(input: ApiKeyAuthInput, errors: FieldErrors): PlainFields<ApiKeyAuth> {
  const placement = input.placement ?? ApiKeyPlacement.HEADER;
  if (!Object.values(ApiKeyPlacement).includes(placement)) errors.add('placement', 'Must be HEADER or QUERY');
  const typed = (input.name ?? '').trim();
  let name = typed;
  if (placement === ApiKeyPlacement.QUERY) {
    if (name === '') errors.add('name', 'A query parameter name is required');
    else if (name.length > API_KEY_NAME_MAX_CHARS) errors.add('name', `Must be at most ${API_KEY_NAME_MAX_CHARS} characters`);
    else if (!QUERY_NAME.test(name)) errors.add('name', 'Must be letters, digits and . _ ~ - only, so it needs no encoding in a URL (RFC 3986 §2.3)');
  } else {
    // Header names are case-insensitive; stored and sent lower-case, as every header here is.
    name = (typed || DEFAULT_API_KEY_HEADER).toLowerCase();
    if (name.length > API_KEY_NAME_MAX_CHARS) errors.add('name', `Must be at most ${API_KEY_NAME_MAX_CHARS} characters`);
    else if (checkHeaderName(errors, 'name', name)) {
      const reserved = reservedHeaderProblem(name, SITE_RESERVED_HEADERS, SITE_RESERVED_PREFIXES);
      if (reserved) errors.add('name', reserved);
    }
  }
  return { placement, name };
}

export function checkApiKeySecrets(plain: PlainFields<ApiKeyAuth>, secrets: Secrets<ApiKeySecret>, errors: FieldErrors): void {
  const key = secrets.key;
  if (key === undefined) return;
  if (key.length > API_KEY_MAX_CHARS) errors.add('key', `Must be at most ${API_KEY_MAX_CHARS.toLocaleString('en')} characters`);
  else if (plain.placement === ApiKeyPlacement.HEADER) {
    // A value the HTTP client refuses would fail every attempt as if the receiver were down.
    const problem = headerValueProblem(key);
    if (problem) errors.add('key', problem);
  } else checkStorableText(errors, 'key', key);
}
