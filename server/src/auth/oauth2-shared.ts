import { registerEnumType } from 'type-graphql';

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). The same form is used for every grant and refresh. */
export enum ClientAuthentication {
  /** HTTP Basic with the form-encoded client id and secret: what every server must support. The default. */
  BASIC = 'BASIC',
  /** `client_id` and `client_secret` in the request body. */
  BODY = 'BODY',
}
registerEnumType(ClientAuthentication, { name: 'ClientAuthentication' });
