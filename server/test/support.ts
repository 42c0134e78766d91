import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../src/config.js';
import { freePort } from '../src/db/embedded.js';
import { type App, type StartOptions, startApp } from '../src/main.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const TEST_MASTER_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

/** A fresh, empty database on the run's PostgreSQL; its URL. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function tempDir(prefix = 'ts-data-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: tempDir(),
    TRUSTED_SITES_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    TRUSTED_SITES_MASTER_KEY: TEST_MASTER_KEY,
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'error',
    ...overrides,
  });
}

export interface TestApp extends App {
  url: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResult<T>>;
}

export interface GqlResult<T> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; fieldErrors?: Array<{ path: string; message: string }> } }>;
}

/** The whole server on a fresh database (or the given one), API on a free port of 127.0.0.1. */
export async function startTestApp(overrides: Record<string, string> = {}, options: StartOptions = {}): Promise<TestApp> {
  const databaseUrl = overrides.DATABASE_URL ?? (await createTestDatabase());
  // A real port up front, so PUBLIC_URL (redirect URLs, OAuth callbacks) names where the server is.
  const port = overrides.PORT ?? String(await freePort());
  const app = await startApp(testConfig({ DATABASE_URL: databaseUrl, PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}`, ...overrides }), options);
  const url = app.url!;
  return Object.assign(app, {
    url,
    gql: (query: string, variables?: Record<string, unknown>, token: string | null = TEST_ADMIN_TOKEN) =>
      gql(url, query, variables, token),
  });
}

export async function gql<T = any>(baseUrl: string, query: string, variables?: Record<string, unknown>, token: string | null = TEST_ADMIN_TOKEN): Promise<GqlResult<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GqlResult<T>;
  return { ...body, status: response.status };
}

/** The data of a result that must have succeeded; otherwise the errors, as the failure. */
export function ok<T>(result: GqlResult<T>): T {
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}
