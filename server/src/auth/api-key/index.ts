import { defineAuthMethod } from '../definition.js';
import { AuthMethod } from '../types.js';
import {
  API_KEY_NAME_MAX_CHARS,
  ApiKeyAuth,
  ApiKeyAuthInput,
  ApiKeyPlacement,
  type ApiKeySecret,
  DEFAULT_API_KEY_HEADER,
  apiKeyReservedHeaders,
  checkApiKeySecrets,
  parseApiKey,
} from './config.js';
import { signApiKey } from './sign.js';

export const apiKey = defineAuthMethod<AuthMethod.API_KEY, ApiKeyAuth, ApiKeyAuthInput, ApiKeySecret>({
  method: AuthMethod.API_KEY,
  inputKey: 'apiKey',
  label: 'API key',
  summary: 'Sends a fixed key in a request header (x-api-key by default) or as a query parameter.',
  fields: [
    {
      name: 'placement',
      label: 'Send the key as',
      kind: 'select',
      required: true,
      initial: ApiKeyPlacement.HEADER,
      options: [
        { value: ApiKeyPlacement.HEADER, label: 'A request header' },
        { value: ApiKeyPlacement.QUERY, label: 'A query parameter' },
      ],
    },
    {
      name: 'name',
      label: 'Header or parameter name',
      kind: 'text',
      initial: DEFAULT_API_KEY_HEADER,
      placeholder: DEFAULT_API_KEY_HEADER,
      maxLength: API_KEY_NAME_MAX_CHARS,
      help: `A header: an RFC 9110 name, default ${DEFAULT_API_KEY_HEADER}; not one the service sets (authorization, content-type …). A query parameter: letters, digits and . _ ~ - (replaces a parameter of that name in the site URL).`,
    },
    { name: 'key', label: 'API key', kind: 'secret', required: true },
  ],
  configClass: ApiKeyAuth,
  inputClass: ApiKeyAuthInput,
  parse: parseApiKey,
  checkSecrets: checkApiKeySecrets,
  reservedHeaders: apiKeyReservedHeaders,
  sign: signApiKey,
});
