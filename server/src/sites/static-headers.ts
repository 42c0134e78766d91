import { Field, InputType, ObjectType } from 'type-graphql';
import type { Secrets } from '../auth/types.js';
import type { SecretBox, Sealed } from '../crypto/secrets.js';
import { checkHeaderName, headerValueProblem } from '../validation/checks.js';
import type { FieldErrors } from '../validation/field-errors.js';
import { type HeaderReservations, SITE_RESERVED_HEADERS, SITE_RESERVED_PREFIXES, reservedHeaderProblem } from '../validation/reserved-headers.js';

/**
 * A site's static headers (issue 12 item 2): name/value pairs sent on every request to the site,
 * whatever its auth method — webhooks, test connection and the preview — before the method signs
 * (so SigV4 covers them). A secret one is sealed like the auth secrets and never read back.
 */

/** As many headers as sendWebhook takes per delivery. */
export const STATIC_HEADER_LIMITS = { count: 50, totalBytes: 8192 } as const;

/** As stored in `site.headers` (jsonb): a plain header has its value, a secret one only its sealed value. */
export interface StoredHeader {
  name: string;
  value: string | null;
  sealed: string | null;
}

@ObjectType('StaticHeader', { description: 'A header sent on every request to the site. A secret header’s value is never returned.' })
export class StaticHeader {
  @Field(() => String, { description: 'Lower-case.' }) name!: string;
  @Field(() => String, { nullable: true, description: 'Null for a secret header.' }) value!: string | null;
  @Field(() => Boolean) secret!: boolean;
  @Field(() => Boolean, { description: 'Whether a value is stored (always true today: a header without one is refused).' }) valueSet!: boolean;
}

@InputType('StaticHeaderInput', {
  description:
    'One static header. On update the list replaces the stored one; a secret header sent without a value keeps the value stored for the secret header of the same name (names compare without case).',
})
export class StaticHeaderInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Write-only when secret. Omit (or null) on a secret header to keep the stored value.' })
  value?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Default false. A secret value is sealed, never returned, and masked in previews.' })
  secret?: boolean | null;
}

/**
 * The key under which a secret header's plaintext sits in a site's opened secrets (SiteService.openSecrets)
 * and the field of its sealing context. Auth secret names are identifiers, so none has a colon.
 */
export function headerSecretKey(name: string): string {
  return `header:${name}`;
}

export function toStaticHeader(stored: StoredHeader): StaticHeader {
  const secret = stored.sealed !== null;
  return Object.assign(new StaticHeader(), { name: stored.name, value: secret ? null : stored.value, secret, valueSet: secret || stored.value !== null });
}

/** The headers to send: plain ones as stored, secret ones from the opened secrets. */
export function headersToSend(stored: readonly StoredHeader[], secrets: Secrets<string>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const header of stored) {
    const value = header.sealed !== null ? secrets[headerSecretKey(header.name)] : header.value;
    if (value !== undefined && value !== null) out.push([header.name, value]);
  }
  return out;
}

export interface HeaderSealing {
  box: SecretBox;
  /** The sealing context of a header's secret: `site:<id>:header:<name>`. */
  context(name: string): string;
}

/**
 * Checks the headers a site will have and returns them as stored. `given` is the input's list (undefined or null
 * on an update: the stored list is kept, and still checked against `reserved`, which a new auth config may have
 * changed). Errors go to `headers`, `headers.<i>.name` and `headers.<i>.value`.
 */
export function parseStaticHeaders(
  given: readonly StaticHeaderInput[] | null | undefined,
  stored: readonly StoredHeader[],
  reserved: HeaderReservations,
  sealing: HeaderSealing,
  errors: FieldErrors,
): StoredHeader[] {
  if (given === undefined || given === null) {
    stored.forEach((header, i) => {
      const problem = reservedHeaderProblem(header.name, SITE_RESERVED_HEADERS, SITE_RESERVED_PREFIXES, reserved);
      if (problem) errors.add(`headers.${i}.name`, `${problem}; remove this header or change the authentication`);
    });
    return [...stored];
  }
  if (given.length > STATIC_HEADER_LIMITS.count) {
    errors.add('headers', `At most ${STATIC_HEADER_LIMITS.count} headers`);
    return [...stored];
  }
  const keptSecrets = new Map(stored.filter((h) => h.sealed !== null).map((h) => [h.name, h.sealed!]));
  const seen = new Map<string, number>();
  const out: StoredHeader[] = [];
  let bytes = 0;
  given.forEach((header, i) => {
    const name = (header.name ?? '').trim().toLowerCase();
    const secret = header.secret ?? false;
    let nameOk = false;
    if (name.length > 256) errors.add(`headers.${i}.name`, 'Must be at most 256 characters');
    else if (checkHeaderName(errors, `headers.${i}.name`, name)) {
      nameOk = true;
      const problem = reservedHeaderProblem(name, SITE_RESERVED_HEADERS, SITE_RESERVED_PREFIXES, reserved);
      const first = seen.get(name);
      if (problem) errors.add(`headers.${i}.name`, problem);
      else if (first !== undefined) errors.add(`headers.${i}.name`, `Given twice: also headers.${first} (names compare without case)`);
      else seen.set(name, i);
    }

    const value = header.value ?? undefined;
    if (value === undefined) {
      if (!secret) errors.add(`headers.${i}.value`, 'A value is required');
      else if (!keptSecrets.has(name)) errors.add(`headers.${i}.value`, 'A value is required: no secret header of this name is stored');
      else if (nameOk) {
        out.push({ name, value: null, sealed: keptSecrets.get(name)! });
        // The kept value counts towards the total too: opened here only to measure it.
        bytes += name.length + sealing.box.open(keptSecrets.get(name)! as Sealed, sealing.context(name)).length;
      }
      return;
    }
    if (secret && value === '') {
      errors.add(`headers.${i}.value`, 'A secret header needs a value');
      return;
    }
    const problem = headerValueProblem(value);
    if (problem) {
      errors.add(`headers.${i}.value`, problem);
      return;
    }
    bytes += name.length + value.length;
    if (nameOk) out.push(secret ? { name, value: null, sealed: sealing.box.seal(value, sealing.context(name)) } : { name, value, sealed: null });
  });
  if (bytes > STATIC_HEADER_LIMITS.totalBytes) {
    errors.add('headers', `At most ${STATIC_HEADER_LIMITS.totalBytes.toLocaleString('en')} bytes of names and values in all; these are ${bytes.toLocaleString('en')}`);
  }
  return out;
}
