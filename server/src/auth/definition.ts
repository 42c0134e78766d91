import type { FieldErrors } from './common.js';
import type { AuthMethod, OutgoingRequest, Secrets, SignContext, StoredAuthConfig } from './types.js';

/** The plain (non-secret) fields of a stored config. */
export type PlainFields<C extends StoredAuthConfig> = Omit<C, 'method' | 'sealed' | Extract<keyof C, `${string}Set`>>;

export interface SecretField<C extends StoredAuthConfig, S extends string> {
  name: S;
  /** Whether the config, as its plain fields stand, needs this secret set. */
  required(plain: PlainFields<C>): boolean;
  /** Whether the secret means anything for these plain fields; one that does not is dropped on save. Default: always. */
  applies?(plain: PlainFields<C>): boolean;
}

/**
 * Everything the rest of the product knows about one auth method. Each method's folder exports one
 * of these; `registry.ts` lists them. Nothing outside the folder switches on the method's fields.
 */
export interface AuthMethodDefinition<
  M extends AuthMethod = AuthMethod,
  C extends StoredAuthConfig<M, S> = StoredAuthConfig<M, any>,
  I extends object = any,
  S extends string = string,
> {
  method: M;
  /** The member of `AuthConfigInput` that selects this method, e.g. `jwt`. */
  inputKey: string;
  label: string;
  configClass: new () => C;
  inputClass: new () => I;
  secrets: readonly SecretField<C, S>[];
  /** Checks and normalises the plain fields of an input; adds field errors relative to the member. */
  parse(input: I, errors: FieldErrors): PlainFields<C>;
  /** Checks secrets against the plain fields (e.g. a PEM key against the algorithm). Secrets here are merged: new or kept. */
  checkSecrets?(plain: PlainFields<C>, secrets: Secrets<S>, errors: FieldErrors): void;
  /** Pure: adds this method's authentication to a request. */
  sign(config: C, secrets: Secrets<S>, request: OutgoingRequest, context: SignContext): Promise<OutgoingRequest>;
}
