import { registerEnumType } from 'type-graphql';
import type { Sealed } from '../crypto/secrets.js';

export enum AuthMethod {
  BASIC = 'BASIC',
  AWS = 'AWS',
  AWS_S3 = 'AWS_S3',
  JWT = 'JWT',
  OAUTH2 = 'OAUTH2',
  OAUTH2_CLIENT_CREDENTIALS = 'OAUTH2_CLIENT_CREDENTIALS',
  OAUTH2_JWT_BEARER = 'OAUTH2_JWT_BEARER',
  API_KEY = 'API_KEY',
}
registerEnumType(AuthMethod, { name: 'AuthMethod', description: 'How requests to a site are authenticated (docs/specification.md §3).' });

/** A request as the dispatcher builds it, before and after an auth method signs it. */
export interface OutgoingRequest {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** Everything a signer may depend on besides config and secrets; signers read no clock and draw no randomness. */
export interface SignContext {
  now: Date;
  siteId: string;
  deliveryId: string;
  /** A fresh random UUID, drawn by the caller (signWebhook draws it when a method first reads it). */
  uuid: string;
  /** For the OAuth2 methods: the access token the token store holds. */
  accessToken?: string;
}

/**
 * The stored (and GraphQL-visible) config of one method. Secrets live in `sealed`, encrypted, and
 * have no GraphQL field; each method class exposes `<secret>Set` instead.
 */
export interface StoredAuthConfig<M extends AuthMethod = AuthMethod, S extends string = string> {
  method: M;
  sealed: Partial<Record<S, Sealed>>;
}

export type Secrets<S extends string> = Partial<Record<S, string>>;
