import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MasterKeySource } from '../config.js';
import { log } from '../log.js';

/** One master key and the id sealed values name it by: the first 8 hex digits of its SHA-256. */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * A key that cannot be used: bad text, a duplicate, a failed command. The message names where the
 * key came from and its position in the list, never a key's text.
 */
export class MasterKeyError extends Error {}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** A new random key, as 64 hex digits (what `rotate-master-key --generate` prints). */
export function generateMasterKey(): string {
  return randomBytes(32).toString('hex');
}

function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64');
  return decoded.length === 32 ? decoded : undefined;
}

/**
 * Keys written one after another — separated by commas, spaces or line ends; `#` starts a comment
 * to the end of its line — each 32 bytes as 64 hex digits or base64. The first one seals; every
 * one opens.
 */
export function parseKeyList(text: string, origin: string): MasterKey[] {
  const words = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(/[\s,]+/))
    .filter(Boolean);
  if (!words.length) throw new MasterKeyError(`${origin} holds no key`);
  const keys: MasterKey[] = [];
  const seen = new Map<string, number>();
  words.forEach((word, index) => {
    const key = decodeKey(word);
    if (!key) throw new MasterKeyError(`${origin}: key ${index + 1} must be 32 bytes, written as 64 hex digits or base64`);
    const id = masterKeyId(key);
    // The same key twice is a pasting mistake; two keys with one id would make opening ambiguous.
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new MasterKeyError(`${origin}: keys ${earlier} and ${index + 1} have the same id ${id}`);
    seen.set(id, index + 1);
    keys.push({ id, key });
  });
  return keys;
}

/**
 * Runs a KMS-style command (through /bin/sh) and returns what it prints: the key list. Its stderr
 * goes to ours, as any tool's diagnostics would; its stdout is never logged or put in an error.
 */
export function runKeyCommand(command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: string | undefined;
    const fail = (reason: string) => {
      if (failure) return;
      failure = reason;
      // Its whole process group: a shell's children (the real KMS client) go too.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => fail(`did not finish within ${timeoutMs} ms`), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // A key list is a few hundred bytes; a command that prints megabytes is the wrong command.
      if (size > 65_536) fail('printed more than 64 KiB');
      else chunks.push(chunk);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new MasterKeyError(`TRUSTED_SITES_MASTER_KEY_COMMAND could not be run: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks);
      chunks.length = 0;
      if (failure) reject(new MasterKeyError(`TRUSTED_SITES_MASTER_KEY_COMMAND ${failure}`));
      else if (code !== 0) reject(new MasterKeyError(`TRUSTED_SITES_MASTER_KEY_COMMAND exited with ${signal ? `signal ${signal}` : `code ${code}`}`));
      else resolve(output.toString('utf8'));
    });
  });
}

/** `DATA_DIR/master.key`, created with one new key on first start (mode 0600); it may list several. */
export function dataDirKeys(dataDir: string): MasterKey[] {
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) return parseKeyList(fs.readFileSync(file, 'utf8'), file);
  // Its owner's only, like every file in it (the embedded database, when it starts first, makes it).
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = Buffer.from(generateMasterKey(), 'hex');
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  log.info(`generated a master key for secrets at ${file}; back it up: without it stored secrets cannot be read`);
  return [{ id: masterKeyId(key), key }];
}

/** The keys of the configured source, the sealing one first; read once, at start. */
export async function loadMasterKeys(source: MasterKeySource, dataDir: string): Promise<MasterKey[]> {
  switch (source.kind) {
    case 'list': {
      const keys = parseKeyList(source.text, source.setting);
      if (source.setting === 'TRUSTED_SITES_MASTER_KEY' && keys.length > 1) {
        throw new MasterKeyError('TRUSTED_SITES_MASTER_KEY holds one key; list several in TRUSTED_SITES_MASTER_KEYS');
      }
      return keys;
    }
    case 'file': {
      let text: string;
      try {
        text = fs.readFileSync(source.path, 'utf8');
      } catch (error) {
        throw new MasterKeyError(`TRUSTED_SITES_MASTER_KEY_FILE ${source.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      return parseKeyList(text, `TRUSTED_SITES_MASTER_KEY_FILE ${source.path}`);
    }
    case 'command':
      return parseKeyList(await runKeyCommand(source.command, source.timeoutMs), 'the output of TRUSTED_SITES_MASTER_KEY_COMMAND');
    case 'data-dir':
      return dataDirKeys(dataDir);
    default: {
      const never: never = source;
      throw new Error(`unknown master key source ${JSON.stringify(never)}`);
    }
  }
}
