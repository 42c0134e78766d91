import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support.js';
import { loadConfig } from '../config.js';
import { MasterKeyError, generateMasterKey, loadMasterKeys, masterKeyId, parseKeyList, runKeyCommand } from './keyring.js';
import { type Sealed, SecretBox, UnknownMasterKeyError, sealedKeyId } from './secrets.js';

const OLD = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const NEW = generateMasterKey();
const NEW_B64 = Buffer.from(NEW, 'hex').toString('base64');
const idOf = (hex: string) => masterKeyId(Buffer.from(hex, 'hex'));

describe('key lists', () => {
  it('reads keys separated by commas, spaces or lines, hex or base64, with # comments; the first seals', () => {
    const keys = parseKeyList(`# rotated 2026-12\n${NEW_B64} , \n\n${OLD}   # the first key\n`, 'test');
    expect(keys.map((k) => k.id)).toEqual([idOf(NEW), idOf(OLD)]);
    expect(parseKeyList(`${NEW},${OLD}`, 'test').map((k) => k.id)).toEqual([idOf(NEW), idOf(OLD)]);
    const box = new SecretBox(keys);
    expect(box.sealingKeyId).toBe(idOf(NEW));
    expect(box.keyIds).toEqual([idOf(NEW), idOf(OLD)]);
  });

  it('refuses a bad key by its position, never quoting it; an empty list; the same key twice', () => {
    const bad = 'not-a-key-but-maybe-a-secret';
    for (const text of [`${OLD},${bad}`, `${OLD},${OLD.slice(2)}`, `${OLD} ${Buffer.alloc(31).toString('base64')}`]) {
      let error: unknown;
      try {
        parseKeyList(text, 'TRUSTED_SITES_MASTER_KEYS');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MasterKeyError);
      expect((error as Error).message).toBe('TRUSTED_SITES_MASTER_KEYS: key 2 must be 32 bytes, written as 64 hex digits or base64');
    }
    expect(() => parseKeyList(' ,\n# nothing\n', 'X')).toThrow('X holds no key');
    expect(() => parseKeyList(`${OLD}\n${NEW}\n${Buffer.from(OLD, 'hex').toString('base64')}`, 'X')).toThrow(`X: keys 1 and 3 have the same id ${idOf(OLD)}`);
  });
});

describe('SecretBox with several keys', () => {
  it('opens each value with the key its id names and seals with the first', () => {
    const oldBox = new SecretBox(Buffer.from(OLD, 'hex'));
    const sealedOld = oldBox.seal('s3cret', 'site:1:password');
    expect(sealedKeyId(sealedOld)).toBe(idOf(OLD));
    const both = new SecretBox(parseKeyList(`${NEW},${OLD}`, 'test'));
    expect(both.open(sealedOld, 'site:1:password')).toBe('s3cret');
    const sealedNew = both.seal('other', 'site:1:password');
    expect(sealedKeyId(sealedNew)).toBe(idOf(NEW));
    const resealed = both.reseal(sealedOld, 'site:1:password');
    expect(sealedKeyId(resealed)).toBe(idOf(NEW));
    expect(new SecretBox(parseKeyList(NEW, 'test')).open(resealed, 'site:1:password')).toBe('s3cret');
    // The context still binds it: the same value under another field does not open.
    expect(() => both.open(resealed, 'site:1:username')).toThrow();
  });

  it('an unknown key id is an error naming the id and the configured ids, never a key', () => {
    const sealed = new SecretBox(Buffer.from(OLD, 'hex')).seal('s3cret', 'c');
    const onlyNew = new SecretBox(parseKeyList(NEW, 'test'));
    let error: unknown;
    try {
      onlyNew.open(sealed, 'c');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownMasterKeyError);
    expect((error as UnknownMasterKeyError).keyId).toBe(idOf(OLD));
    expect((error as Error).message).toBe(`this secret was sealed under master key ${idOf(OLD)}, which is not configured here (configured: ${idOf(NEW)})`);
    for (const key of [OLD, NEW, NEW_B64]) expect((error as Error).message).not.toContain(key);
    expect(() => onlyNew.open('v1.zz' as Sealed, 'c')).toThrow('not a sealed secret');
  });
});

describe('key sources', () => {
  const load = (env: Record<string, string>, dataDir = tempDir()) => loadMasterKeys(loadConfig(env).masterKeys, dataDir);

  it('TRUSTED_SITES_MASTER_KEY (one key) and TRUSTED_SITES_MASTER_KEYS (a list)', async () => {
    expect((await load({ TRUSTED_SITES_MASTER_KEY: OLD })).map((k) => k.id)).toEqual([idOf(OLD)]);
    expect((await load({ TRUSTED_SITES_MASTER_KEYS: `${NEW}, ${OLD}` })).map((k) => k.id)).toEqual([idOf(NEW), idOf(OLD)]);
    await expect(load({ TRUSTED_SITES_MASTER_KEY: `${NEW},${OLD}` })).rejects.toThrow('TRUSTED_SITES_MASTER_KEY holds one key; list several in TRUSTED_SITES_MASTER_KEYS');
  });

  it('TRUSTED_SITES_MASTER_KEY_FILE: one key a line; a missing file is named with its error code', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'keys');
    fs.writeFileSync(file, `${NEW}\n${OLD}\n`, { mode: 0o600 });
    expect((await load({ TRUSTED_SITES_MASTER_KEY_FILE: file })).map((k) => k.id)).toEqual([idOf(NEW), idOf(OLD)]);
    await expect(load({ TRUSTED_SITES_MASTER_KEY_FILE: path.join(dir, 'absent') })).rejects.toThrow(`TRUSTED_SITES_MASTER_KEY_FILE ${path.join(dir, 'absent')} cannot be read (ENOENT)`);
    fs.writeFileSync(file, `${NEW}\nnonsense\n`);
    await expect(load({ TRUSTED_SITES_MASTER_KEY_FILE: file })).rejects.toThrow(`TRUSTED_SITES_MASTER_KEY_FILE ${file}: key 2 must be 32 bytes`);
  });

  it('DATA_DIR/master.key: made once with one key, and may list several', async () => {
    const dataDir = tempDir();
    const made = await load({}, dataDir);
    expect(made).toHaveLength(1);
    expect((await load({}, dataDir))[0]!.id).toBe(made[0]!.id);
    fs.writeFileSync(path.join(dataDir, 'master.key'), `${NEW}\n${fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8')}`);
    expect((await load({}, dataDir)).map((k) => k.id)).toEqual([idOf(NEW), made[0]!.id]);
  });

  it('TRUSTED_SITES_MASTER_KEY_COMMAND: its output is the list, run through the shell', async () => {
    const keys = await load({ TRUSTED_SITES_MASTER_KEY_COMMAND: `printf '%s\\n' ${NEW} | cat; echo ${OLD}` });
    expect(keys.map((k) => k.id)).toEqual([idOf(NEW), idOf(OLD)]);
  });

  it('a failing, silent, hanging or flooding command is refused without its output in the error', async () => {
    const refusal = async (command: string, timeout = '10000') => {
      try {
        await load({ TRUSTED_SITES_MASTER_KEY_COMMAND: command, TRUSTED_SITES_MASTER_KEY_COMMAND_TIMEOUT_MS: timeout });
      } catch (error) {
        expect(error).toBeInstanceOf(MasterKeyError);
        expect((error as Error).message).not.toContain(NEW);
        return (error as Error).message;
      }
      throw new Error(`${command} was accepted`);
    };
    expect(await refusal(`echo ${NEW}; exit 3`)).toBe('TRUSTED_SITES_MASTER_KEY_COMMAND exited with code 3');
    expect(await refusal('true')).toBe('the output of TRUSTED_SITES_MASTER_KEY_COMMAND holds no key');
    expect(await refusal(`echo ${NEW}x`)).toBe('the output of TRUSTED_SITES_MASTER_KEY_COMMAND: key 1 must be 32 bytes, written as 64 hex digits or base64');
    // The shell's child (sleep) goes with it: the whole group is killed.
    expect(await refusal(`echo ${NEW}; sleep 30`, '300')).toBe('TRUSTED_SITES_MASTER_KEY_COMMAND did not finish within 300 ms');
    expect(await refusal('yes')).toBe('TRUSTED_SITES_MASTER_KEY_COMMAND printed more than 64 KiB');
  });

  it('runs the command once per call, reading only its stdout', async () => {
    const dir = tempDir();
    const counter = path.join(dir, 'runs');
    const output = await runKeyCommand(`echo run >> ${counter}; echo diagnostics >&2; echo ${OLD}`, 5000);
    expect(output.trim()).toBe(OLD);
    expect(fs.readFileSync(counter, 'utf8')).toBe('run\n');
  });
});
