import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { log } from '../log.js';

/**
 * A secret as it is stored: `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`, AES-256-GCM with a
 * fresh 96-bit nonce per seal. The additional data binds the value to one field of one record, so a
 * sealed value copied into another site or another field does not open.
 */
export type Sealed = string & { readonly __sealed: unique symbol };

const VERSION = 'v1';

export class SecretBox {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  seal(plaintext: string, context: string): Sealed {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${this.keyId}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}` as Sealed;
  }

  open(sealed: Sealed, context: string): string {
    const [version, keyId, payload] = sealed.split('.');
    if (version !== VERSION || !payload) throw new Error('not a sealed secret');
    if (keyId !== this.keyId) throw new Error('this secret was sealed under another master key');
    const raw = Buffer.from(payload, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  }
}

export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length === 32 && /^[A-Za-z0-9+/_-]+=*$/.test(trimmed)) return decoded;
  throw new Error('TRUSTED_SITES_MASTER_KEY must be 32 bytes, written as 64 hex digits or base64');
}

/** The key from the environment, else `DATA_DIR/master.key` (created on first start, mode 0600). */
export function loadMasterKey(envKey: string | undefined, dataDir: string): Buffer {
  if (envKey) return parseMasterKey(envKey);
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) return parseMasterKey(fs.readFileSync(file, 'utf8'));
  // Its owner's only, like every file in it (the embedded database, when it starts first, makes it).
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  log.info(`generated a master key for secrets at ${file}; back it up: without it stored secrets cannot be read`);
  return key;
}
