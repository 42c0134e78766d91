import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type MasterKey, MasterKeyError, dataDirKeys, masterKeyId, parseKeyList } from './keyring.js';

/**
 * A secret as it is stored: `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`, AES-256-GCM with a
 * fresh 96-bit nonce per seal. The additional data binds the value to one field of one record, so a
 * sealed value copied into another site or another field does not open. The key id says which
 * master key opens it, so several keys can be in use while secrets are rotated to a new one.
 */
export type Sealed = string & { readonly __sealed: unique symbol };

const VERSION = 'v1';

/** A value sealed under a key this process was not given: names the key id, never a key. */
export class UnknownMasterKeyError extends Error {
  constructor(
    readonly keyId: string,
    known: readonly string[],
  ) {
    super(`this secret was sealed under master key ${keyId}, which is not configured here (configured: ${known.join(', ')})`);
  }
}

/** The id of the master key a stored value was sealed under; undefined if it is not a sealed value. */
export function sealedKeyId(value: string): string | undefined {
  const [version, keyId, payload] = value.split('.');
  return version === VERSION && keyId && payload ? keyId : undefined;
}

export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  /** The key new values are sealed under: the first one listed. */
  readonly sealingKeyId: string;

  constructor(keys: Buffer | readonly MasterKey[]) {
    const list = Buffer.isBuffer(keys) ? [{ id: masterKeyId(keys), key: keys }] : keys;
    if (!list.length) throw new MasterKeyError('no master key');
    for (const { key } of list) if (key.length !== 32) throw new MasterKeyError('a master key must be 32 bytes');
    this.keys = new Map(list.map(({ id, key }) => [id, key]));
    this.sealingKeyId = list[0]!.id;
  }

  /** Every key id this box opens, the sealing one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  seal(plaintext: string, context: string): Sealed {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.sealingKeyId)!, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${this.sealingKeyId}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}` as Sealed;
  }

  open(sealed: Sealed, context: string): string {
    const keyId = sealedKeyId(sealed);
    if (!keyId) throw new Error('not a sealed secret');
    const key = this.keys.get(keyId);
    if (!key) throw new UnknownMasterKeyError(keyId, this.keyIds);
    const raw = Buffer.from(sealed.split('.')[2]!, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  }

  /** The same secret sealed under the sealing key (a fresh nonce), for rotation. */
  reseal(sealed: Sealed, context: string): Sealed {
    return this.seal(this.open(sealed, context), context);
  }
}

/** One key, written as 64 hex digits or base64. */
export function parseMasterKey(text: string): Buffer {
  const keys = parseKeyList(text, 'TRUSTED_SITES_MASTER_KEY');
  if (keys.length !== 1) throw new MasterKeyError('TRUSTED_SITES_MASTER_KEY holds one key; list several in TRUSTED_SITES_MASTER_KEYS');
  return keys[0]!.key;
}

/** The sealing key from the environment, else from `DATA_DIR/master.key` (created on first start, mode 0600). */
export function loadMasterKey(envKey: string | undefined, dataDir: string): Buffer {
  if (envKey) return parseMasterKey(envKey);
  return dataDirKeys(dataDir)[0]!.key;
}
