import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, type TestApp, ok, startTestApp } from '../test/support.js';
import { REDACTED, SECRET_KEYS, configureLog, log, withLogContext, withoutLogContext } from './log.js';

/** Every write to stdout and stderr while `fn` runs, split in lines, with the stream each went to. */
async function capture(fn: () => unknown): Promise<Array<{ stream: 'out' | 'err'; line: string }>> {
  const lines: Array<{ stream: 'out' | 'err'; line: string }> = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  const into = (stream: 'out' | 'err') =>
    ((chunk: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) lines.push({ stream, line });
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = into('out');
  process.stderr.write = into('err');
  try {
    await fn();
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
  return lines;
}

const json = (lines: Array<{ line: string }>) => lines.map(({ line }) => JSON.parse(line) as Record<string, unknown>);

describe('the line format', () => {
  afterEach(() => configureLog({ level: 'error', format: 'json', role: 'all' }));

  it('is one JSON object a line: level label, ISO time, pid, role, msg and the fields; errors on stderr', async () => {
    configureLog({ level: 'debug', format: 'json', role: 'dispatcher' });
    const lines = await capture(() => {
      log.debug('d', { siteId: 's1' });
      log.info('i', { deliveryId: 'd1', count: 2 });
      log.warn('w');
      log.error('e', { error: new Error('boom') });
    });
    expect(lines.map((l) => l.stream)).toEqual(['out', 'out', 'out', 'err']);
    const [debug, info, warn, error] = json(lines);
    expect(Object.keys(debug!).slice(0, 4)).toEqual(['level', 'time', 'pid', 'role']);
    expect(debug).toMatchObject({ level: 'debug', pid: process.pid, role: 'dispatcher', msg: 'd', siteId: 's1' });
    expect(new Date(debug!.time as string).toISOString()).toBe(debug!.time);
    expect(info).toMatchObject({ level: 'info', msg: 'i', deliveryId: 'd1', count: 2 });
    expect(warn).toMatchObject({ level: 'warn', msg: 'w' });
    // An Error is its message: no stack (paths of this machine), no properties it may carry.
    expect(error).toMatchObject({ level: 'error', msg: 'e', error: 'boom' });
  });

  it('follows LOG_LEVEL: below the level nothing, silent nothing at all', async () => {
    configureLog({ level: 'warn', format: 'json' });
    const warnOnly = await capture(() => {
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
    });
    expect(json(warnOnly).map((l) => l.level)).toEqual(['warn', 'error']);
    configureLog({ level: 'silent' });
    expect(await capture(() => log.error('e'))).toEqual([]);
  });

  it('carries the ids of the scope and of a child logger; a field named like a line field does not make a second key', async () => {
    configureLog({ level: 'info', format: 'json', role: 'api' });
    const lines = await capture(async () => {
      await withLogContext({ requestId: 'r-1', tokenId: 't-1' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        log.info('in the request');
        log.child({ deliveryId: 'd-9', siteId: 's-9' }).info('scoped', { attempt: 2 });
        withoutLogContext(() => log.info('detached'));
      });
      log.info('after', { pid: 12, level: 'x', role: 'y' });
    });
    const [inRequest, scoped, detached, after] = json(lines);
    expect(inRequest).toMatchObject({ requestId: 'r-1', tokenId: 't-1', role: 'api' });
    expect(scoped).toMatchObject({ requestId: 'r-1', tokenId: 't-1', deliveryId: 'd-9', siteId: 's-9', attempt: 2 });
    expect(detached!.requestId).toBeUndefined();
    expect(after!.requestId).toBeUndefined();
    expect(after).toMatchObject({ pid: process.pid, level: 'info', role: 'api', pid_: 12, level_: 'x', role_: 'y' });
    expect(lines[3]!.line.match(/"pid":/g)).toHaveLength(1);
  });

  it('redacts every secret field name at the top and nested up to four levels', async () => {
    configureLog({ level: 'debug', format: 'json' });
    const marker = (key: string, depth: number) => `MARKER${depth}${key.replace(/[^A-Za-z]/g, '')}`;
    const lines = await capture(() => {
      for (const key of SECRET_KEYS) {
        log.debug('secrets', {
          [key]: marker(key, 0),
          auth: { [key]: marker(key, 1) },
          site: { auth: { [key]: marker(key, 2) } },
          request: { site: { headers: { [key]: marker(key, 3) } } },
        });
      }
    });
    expect(lines).toHaveLength(SECRET_KEYS.length);
    const text = lines.map((l) => l.line).join('\n');
    expect(text).not.toMatch(/MARKER/);
    expect(json(lines)[0]).toMatchObject({ [SECRET_KEYS[0]]: REDACTED, auth: { [SECRET_KEYS[0]]: REDACTED } });
  });

  it('is pino-pretty text when LOG_FORMAT=pretty, with the same redaction', async () => {
    configureLog({ level: 'info', format: 'pretty' });
    const lines = await capture(() => log.info('hello there', { siteId: 's1', auth: { password: 'MARKERpretty' } }));
    expect(lines).toHaveLength(1);
    expect(() => JSON.parse(lines[0]!.line)).toThrow();
    expect(lines[0]!.line).toMatch(/INFO.*hello there/);
    expect(lines[0]!.line).toContain('s1');
    expect(lines[0]!.line).not.toContain('MARKERpretty');
  });

  it('loses no line when the process exits right after logging (stdout a pipe)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'logging/exit.child.ts')], {
      env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json', TRUSTED_SITES_ROLE: 'dispatcher' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(3);
    const lines = out.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(lines).toHaveLength(5000);
    expect(lines.at(-1)).toMatchObject({ msg: 'line 4999', role: 'dispatcher' });
    expect(JSON.parse(err.trim())).toMatchObject({ level: 'error', msg: 'exiting now' });
  });
});

describe('request ids over HTTP', () => {
  let app: TestApp;
  let tokenServer: http.Server;
  let tokenUrl: string;
  const logged: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };

  beforeAll(async () => {
    // A token endpoint refusing every client: testSite then logs "token request failed" from inside the resolver.
    tokenServer = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' })));
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
    const into = ((chunk: unknown) => {
      logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = into;
    process.stderr.write = into;
    app = await startTestApp({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json', TRUSTED_SITES_ROLE: 'api' });
  });

  afterAll(async () => {
    await app?.stop();
    process.stdout.write = original.out;
    process.stderr.write = original.err;
    configureLog({ level: 'error', format: 'json', role: 'all' });
    await new Promise((resolve) => tokenServer?.close(resolve));
  });

  async function post(query: string, variables: Record<string, unknown>, requestId?: string | string[]) {
    const headers = new Headers({ 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
    for (const id of [requestId ?? []].flat()) headers.append('x-request-id', id);
    const response = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { id: response.headers.get('x-request-id'), body: (await response.json()) as any };
  }

  const lines = () =>
    logged
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('keeps a sane incoming x-request-id, answers it, and every line of the request carries it (a resolver\'s too) with the API token id', async () => {
    const site = ok(
      await app.gql(`mutation ($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name: 'refused client', url: 'https://receiver.example.com/hook', auth: { oauth2ClientCredentials: { tokenUrl, clientId: 'nobody', clientSecret: 'never-logged-1' } } },
      }),
    ).createSite;
    const requestId = 'workflow-7.step_3-A';
    const { id, body } = await post('mutation ($id: ID!) { testSite(id: $id) { ok error } }', { id: site.id }, requestId);
    expect(id).toBe(requestId);
    expect(body.data.testSite.ok).toBe(false);
    const principal = await app.services.accessTokens.authenticate(`Bearer ${TEST_ADMIN_TOKEN}`);
    const ofRequest = lines().filter((line) => line.requestId === requestId);
    const failure = ofRequest.find((line) => line.msg === 'token request failed');
    expect(failure).toMatchObject({ level: 'info', role: 'api', siteId: site.id, tokenId: principal!.tokenId, providerError: 'invalid_client' });
    // The request's own line (debug) closes it, with the path and status only.
    expect(ofRequest.find((line) => line.msg === 'http request')).toMatchObject({ method: 'POST', path: '/graphql', status: 200 });
    expect(logged.join('')).not.toContain('never-logged-1');
  });

  it('replaces an x-request-id that is too long, has other characters or is repeated, with a new one', async () => {
    const seen = new Set<string>();
    for (const bad of ['x'.repeat(129), 'has space', 'quote"s', 'new\\nline', 'ünï', ['a', 'b']]) {
      const { id } = await post('{ __typename }', {}, bad);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      seen.add(id!);
    }
    expect(seen.size).toBe(6);
    expect((await post('{ __typename }', {}, 'x'.repeat(128))).id).toBe('x'.repeat(128));
    const { id } = await post('{ __typename }', {});
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines().some((line) => line.requestId === id && line.msg === 'http request')).toBe(true);
  });

  it('puts the request id on the edge\'s refusal line for a malformed body too (the parser\'s callback comes from the socket\'s stream)', async () => {
    const requestId = 'malformed-1';
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'x-request-id': requestId },
      body: '{"query": "{ __typename',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const ofRequest = lines().filter((line) => line.requestId === requestId);
    expect(ofRequest.map((line) => line.msg)).toEqual(expect.arrayContaining(['http request']));
    // The first malformed body of the process is logged (later ones once a minute): it is this one.
    expect(ofRequest.some((line) => String(line.msg).startsWith('refused request: malformed JSON'))).toBe(true);
  });
});
