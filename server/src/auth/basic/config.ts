import { Field, InputType, ObjectType } from 'type-graphql';
import type { Sealed } from '../../crypto/secrets.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { checkMaxLength, checkStorableText, required } from '../../validation/checks.js';
import type { PlainFields } from '../definition.js';
import { AuthMethod } from '../types.js';

export type BasicSecret = 'password';

/** Longest username accepted. */
export const USERNAME_MAX_CHARS = 256;

@ObjectType('BasicAuth', { description: 'HTTP Basic (RFC 7617, UTF-8).' })
export class BasicAuth {
  method!: AuthMethod.BASIC;
  sealed!: Partial<Record<BasicSecret, Sealed>>;

  @Field(() => String)
  username!: string;

  @Field(() => Boolean, { description: 'Whether a password is stored. The password itself is never returned.' })
  get passwordSet(): boolean {
    return Boolean(this.sealed?.password);
  }
}

@InputType('BasicAuthInput')
export class BasicAuthInput {
  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Write-only. Omit (or null) to keep the stored password.' })
  password?: string | null;
}

export function parseBasic(input: BasicAuthInput, errors: FieldErrors): PlainFields<BasicAuth> {
  const username = input.username ?? '';
  if (required(errors, 'username', username, 'Username')) {
    if (username.includes(':')) errors.add('username', 'Must not contain ":" (RFC 7617 §2)');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(username)) errors.add('username', 'Must not contain control characters');
    else checkStorableText(errors, 'username', username);
    checkMaxLength(errors, 'username', username, USERNAME_MAX_CHARS);
  }
  return { username };
}
