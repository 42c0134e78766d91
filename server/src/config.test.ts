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

  it('keeps finished deliveries 30 days by default, looked for every 10 minutes; 0 days keeps them all', () => {
    expect(loadConfig({}).retention).toEqual({ days: 30, auditDays: 365, siteEventDays: 90, intervalMs: 600_000 });
    expect(loadConfig({ DELIVERY_RETENTION_DAYS: '0' }).retention.days).toBe(0);
    expect(loadConfig({ DELIVERY_RETENTION_DAYS: '365', DELIVERY_RETENTION_INTERVAL_MS: '60000' }).retention).toEqual({ days: 365, auditDays: 365, siteEventDays: 90, intervalMs: 60_000 });
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '0' }).retention.auditDays).toBe(0);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '90' }).retention.auditDays).toBe(90);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '-1' })).toThrow('AUDIT_RETENTION_DAYS must be an integer from 0 to 36500 (days; 0 keeps every audit event), got "-1"');
    expect(loadConfig({ SITE_EVENT_RETENTION_DAYS: '0' }).retention.siteEventDays).toBe(0);
    expect(loadConfig({ SITE_EVENT_RETENTION_DAYS: '30' }).retention.siteEventDays).toBe(30);
    for (const bad of ['-1', '36501', '7.5', 'ninety']) {
      expect(() => loadConfig({ SITE_EVENT_RETENTION_DAYS: bad })).toThrow(`SITE_EVENT_RETENTION_DAYS must be an integer from 0 to 36500 (days; 0 keeps every site event), got "${bad}"`);
    }
  });

  it('circuit breaker: 20 failures in a row or 5 minutes all failing, disabled after 3 days, pauses 30 s doubling to 30 min; bad values refused by name', () => {
    expect(loadConfig({}).breaker).toEqual({ failureThreshold: 20, failureWindowSeconds: 300, autoDisableAfterSeconds: 259_200, pauseBaseMs: 30_000, pauseMaxMs: 1_800_000 });
    expect(loadConfig({ BREAKER_FAILURE_WINDOW_SECONDS: '0', BREAKER_AUTO_DISABLE_SECONDS: '0' }).breaker).toMatchObject({ failureWindowSeconds: 0, autoDisableAfterSeconds: 0 });
    expect(() => loadConfig({ BREAKER_FAILURE_THRESHOLD: '0' })).toThrow('BREAKER_FAILURE_THRESHOLD must be an integer from 1 to 10000 (consecutive failed attempts), got "0"');
    expect(() => loadConfig({ BREAKER_AUTO_DISABLE_SECONDS: '3 days' })).toThrow(/^BREAKER_AUTO_DISABLE_SECONDS must be an integer from 0 to 7776000/);
    expect(() => loadConfig({ BREAKER_PAUSE_BASE_MS: '60000', BREAKER_PAUSE_MAX_MS: '30000' })).toThrow('BREAKER_PAUSE_MAX_MS (30000) must be at least BREAKER_PAUSE_BASE_MS (60000)');
  });

  it('refuses a retention that is not a whole number of days, or an interval out of range, saying what it wants', () => {
    for (const raw of ['-1', '1.5', 'thirty', '30d', '36501']) {
      expect(() => loadConfig({ DELIVERY_RETENTION_DAYS: raw })).toThrow(ConfigError);
      expect(() => loadConfig({ DELIVERY_RETENTION_DAYS: raw })).toThrow(
        `DELIVERY_RETENTION_DAYS must be an integer from 0 to 36500 (days; 0 keeps every delivery), got "${raw}"`,
      );
    }
    for (const raw of ['0', '999', '10m', '86400001']) {
      expect(() => loadConfig({ DELIVERY_RETENTION_INTERVAL_MS: raw })).toThrow(ConfigError);
      expect(() => loadConfig({ DELIVERY_RETENTION_INTERVAL_MS: raw })).toThrow(/^DELIVERY_RETENTION_INTERVAL_MS must be an integer from 1000 to 86400000/);
    }
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

  it('reads LOG_LEVEL (warn included) and LOG_FORMAT; no LOG_FORMAT leaves it to the terminal', () => {
    expect(loadConfig({})).toMatchObject({ logLevel: 'info', logFormat: undefined });
    expect(loadConfig({ LOG_LEVEL: 'warn', LOG_FORMAT: 'json' })).toMatchObject({ logLevel: 'warn', logFormat: 'json' });
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_LEVEL: 'trace' })).toThrow(/LOG_LEVEL must be one of silent, error, warn, info, debug/);
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT must be one of json, pretty, got "text"/);
  });

  it('reads the metrics settings: no port, no token, 500 labelled sites by default; refuses a port equal to PORT, a short token, a bad cap', () => {
    expect(loadConfig({}).metrics).toEqual({ port: undefined, token: undefined, maxSites: 500 });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_TOKEN: 'scrape-0123456789abcdef', METRICS_MAX_SITES: '20' }).metrics).toEqual({
      port: 9464,
      token: 'scrape-0123456789abcdef',
      maxSites: 20,
    });
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' }).metrics.port).toBe(0);
    expect(() => loadConfig({ PORT: '4000', METRICS_PORT: '4000' })).toThrow(/METRICS_PORT must differ from PORT \(4000\)/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT must be an integer from 0 to 65535/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 printable characters/);
    expect(() => loadConfig({ METRICS_TOKEN: 'sixteen chars and a space' })).toThrow(/METRICS_TOKEN/);
    for (const raw of ['0', '-1', '1.5', '100001']) expect(() => loadConfig({ METRICS_MAX_SITES: raw })).toThrow(/METRICS_MAX_SITES must be an integer from 1 to 100000/);
  });
});

describe('master key settings', () => {
  it('takes master keys from one source only, validating the command timeout', () => {
    const OLD = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
    expect(loadConfig({}).masterKeys).toEqual({ kind: 'data-dir' });
    expect(loadConfig({ TRUSTED_SITES_MASTER_KEY_COMMAND: 'kms-get' }).masterKeys).toEqual({ kind: 'command', command: 'kms-get', timeoutMs: 10_000 });
    expect(loadConfig({ TRUSTED_SITES_MASTER_KEY_FILE: 'keys.txt' }).masterKeys).toEqual({ kind: 'file', path: path.resolve('keys.txt') });
    // Empty counts as unset (as for every other setting).
    expect(loadConfig({ TRUSTED_SITES_MASTER_KEY: '', TRUSTED_SITES_MASTER_KEYS: OLD }).masterKeys).toEqual({ kind: 'list', setting: 'TRUSTED_SITES_MASTER_KEYS', text: OLD });
    expect(() => loadConfig({ TRUSTED_SITES_MASTER_KEY: OLD, TRUSTED_SITES_MASTER_KEY_FILE: 'k' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUSTED_SITES_MASTER_KEYS: OLD, TRUSTED_SITES_MASTER_KEY_COMMAND: 'k' })).toThrow(
      'set one of TRUSTED_SITES_MASTER_KEYS, TRUSTED_SITES_MASTER_KEY_COMMAND, not 2: each is a whole list of master keys',
    );
    expect(() => loadConfig({ TRUSTED_SITES_MASTER_KEY_COMMAND_TIMEOUT_MS: '50' })).toThrow(/^TRUSTED_SITES_MASTER_KEY_COMMAND_TIMEOUT_MS must be an integer from 100 to 300000/);
  });
});
