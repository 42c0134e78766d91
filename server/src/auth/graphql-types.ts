import { Field, InputType, createUnionType } from 'type-graphql';
import { AUTH_METHOD_LIST, type AuthConfig } from './registry.js';

/**
 * `union AuthConfig` and `input AuthConfigInput` are built from the registry, so a new method
 * appears in the schema by its registry row alone.
 */
export const AuthConfigUnion = createUnionType({
  name: 'AuthConfig',
  description: 'The auth settings of a site: one member per method. Secrets are never readable; see the `…Set` fields.',
  types: () => AUTH_METHOD_LIST.map((d) => d.configClass) as [new () => AuthConfig, ...(new () => AuthConfig)[]],
  resolveType: (value) => {
    const definition = AUTH_METHOD_LIST.find((d) => d.method === (value as AuthConfig).method);
    return definition?.configClass as never;
  },
});

@InputType('AuthConfigInput', { description: 'Exactly one member must be set (@oneOf semantics).' })
export class AuthConfigInput {
  [inputKey: string]: unknown;
}

for (const definition of AUTH_METHOD_LIST) {
  Field(() => definition.inputClass, { nullable: true })(AuthConfigInput.prototype, definition.inputKey);
}
