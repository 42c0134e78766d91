import { Type } from '@mikro-orm/core';
import { definitionOf, type AuthConfig } from '../auth/registry.js';
import type { AuthMethod } from '../auth/types.js';

/**
 * Stores a site's auth config as one jsonb value: `{ method, …plain fields, sealed: { secret: "v1…" } }`
 * and reads it back as an instance of that method's class (a polymorphic embedded value).
 */
export class AuthConfigType extends Type<AuthConfig | undefined, string | undefined> {
  override convertToDatabaseValue(value: AuthConfig | undefined): string | undefined {
    // JSON.stringify takes own fields only, so the `…Set` getters on the class are not stored.
    return value === undefined ? undefined : JSON.stringify(value);
  }

  override convertToJSValue(value: unknown): AuthConfig | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'object' && value.constructor !== Object) return value as AuthConfig;
    return hydrateAuthConfig(typeof value === 'string' ? JSON.parse(value) : value);
  }

  override compareAsType(): string {
    return 'string';
  }

  override getColumnType(): string {
    return 'jsonb';
  }
}

export function hydrateAuthConfig(raw: { method: AuthMethod } & Record<string, unknown>): AuthConfig {
  const definition = definitionOf(raw.method);
  const instance = new definition.configClass() as AuthConfig;
  Object.assign(instance, { sealed: {} }, raw);
  return instance;
}
