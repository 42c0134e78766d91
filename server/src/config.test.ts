import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('settings', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      publicUrl: 'http://localhost:4000',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      allowPrivateTargets: false,
      role: 'all',
    });
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://hooks.example.com/' }).publicUrl).toBe('https://hooks.example.com');
  });

  it('refuses a bad value, naming the setting', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'eighty' }, /PORT/],
      [{ PORT: '70000' }, /PORT/],
      [{ PUBLIC_URL: 'hooks.example.com' }, /PUBLIC_URL/],
      [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
      [{ ALLOW_PRIVATE_TARGETS: 'maybe' }, /ALLOW_PRIVATE_TARGETS/],
      [{ TRUSTED_SITES_ROLE: 'worker' }, /TRUSTED_SITES_ROLE/],
      [{ DISPATCH_MAX_ATTEMPTS: '0' }, /DISPATCH_MAX_ATTEMPTS/],
    ];
    for (const [env, name] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(name);
    }
  });
});
