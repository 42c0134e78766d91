import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuthMethod, type OutgoingRequest, type SignContext } from '../types.js';
import type { BasicAuth } from './config.js';
import { basicCredentials, signBasic } from './sign.js';
import { vectorPath } from '../../../test/vectors.js';

const VECTORS = JSON.parse(fs.readFileSync(vectorPath('basic-auth', 'rfc7617_vectors.json'), 'utf8'));

const request: OutgoingRequest = { method: 'POST', url: 'https://crm.example.com/hook', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') };
const context: SignContext = { now: new Date(0), siteId: 's', deliveryId: 'd', uuid: 'u' };

describe('Basic (RFC 7617)', () => {
  const examples = VECTORS.vectors as Array<{ id: string; user_id: string; password: string; authorization: string }>;
  it.each(examples.map((v) => [v.id, v] as const))('%s reproduces the RFC example', async (_, v) => {
    const config = { method: AuthMethod.BASIC, sealed: {}, username: v.user_id } as unknown as BasicAuth;
    const signed = await signBasic(config, { password: v.password }, request, context);
    expect(`Basic ${basicCredentials(v.user_id, v.password)}`).toBe(v.authorization);
    expect(signed.headers.authorization).toBe(v.authorization);
    expect(signed.headers['content-type']).toBe('application/json');
  });

  it('encodes UTF-8, never Latin-1, and keeps colons in the password', () => {
    const latin1 = VECTORS.derived_not_in_rfc.find((v: { id: string }) => v.id === 'latin1-counterpart');
    expect(`Basic ${basicCredentials(latin1.user_id, latin1.password)}`).not.toBe(latin1.authorization);
    const colon = VECTORS.derived_not_in_rfc.find((v: { id: string }) => v.id === 'colon-in-password');
    expect(`Basic ${basicCredentials(colon.user_id, colon.password)}`).toBe(colon.authorization);
  });

  it('applies NFC (RFC 7617 §2.1, via the PRECIS profiles)', () => {
    const nfc = VECTORS.derived_not_in_rfc.find((v: { id: string }) => v.id === 'nfc-normalization');
    const nfd = Buffer.from(nfc.user_id_input_nfd_hex, 'hex').toString('utf8');
    expect(`Basic ${basicCredentials(nfd, nfc.password)}`).toBe(nfc.authorization);
  });
});
