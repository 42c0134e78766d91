import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../../server/test/support.js';
import { pageErrorsOf, screenshot, signedInPage, useAppAndBrowser } from './support.js';

/**
 * Issue 12 item 2 in Chromium: an apiKey site with a secret static header, made in the form (the
 * method's fields come from the server's metadata), then "Test connection" against a receiver on
 * 127.0.0.1 that echoes what it got. The receiver must get the key and the header; the page must
 * show neither.
 */
const e2e = useAppAndBrowser();

const API_KEY = 'e2e-api-key-4f9d2c71';
const HEADER_SECRET = 'e2e-header-secret-8b31aa07';

let receiver: http.Server;
let receiverUrl: string;
const received: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ echoed: req.headers }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/partner-hooks`;
});

afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

async function fill(page: Page, label: string, value: string) {
  await page.getByLabel(label, { exact: true }).fill(value);
}

describe('static headers and the apiKey method', () => {
  it('creates an apiKey site with a secret static header, and Test connection sends both, masked on the page', async () => {
    const { context, page } = await signedInPage(e2e.browser);
    await page.goto(`${e2e.app.url}/sites/new`);
    await page.getByRole('heading', { name: 'New site' }).waitFor();
    await fill(page, 'Name', 'Partner API (key)');
    await fill(page, 'URL', receiverUrl);
    await page.getByLabel('Authentication method', { exact: true }).selectOption('API_KEY');
    await page.getByLabel('Send the key as', { exact: true }).selectOption('HEADER');
    await fill(page, 'Header or parameter name', 'X-Partner-Key');
    await fill(page, 'API key', API_KEY);

    await page.getByRole('button', { name: '+ Add header' }).click();
    await fill(page, 'Header 1 name', 'X-Tenant');
    await fill(page, 'Header 1 value', 'acme');
    await page.getByRole('button', { name: '+ Add header' }).click();
    await fill(page, 'Header 2 name', 'X-Partner-Token');
    await page.getByLabel('Secret', { exact: true }).nth(1).check();
    await fill(page, 'Header 2 value', HEADER_SECRET);
    expect(await page.getByLabel('Header 2 value', { exact: true }).getAttribute('type')).toBe('password');

    // A reserved name is refused at its row, and nothing is created.
    await page.getByRole('button', { name: '+ Add header' }).click();
    await fill(page, 'Header 3 name', 'Authorization');
    await fill(page, 'Header 3 value', 'Bearer nope');
    await page.getByRole('button', { name: 'Create site' }).click();
    const row3 = page.getByTestId('header-row').nth(2);
    await row3.getByText("The site's authentication sets authorization").waitFor();
    expect(await page.getByLabel('Header 3 name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(ok(await e2e.app.gql('{ sites { totalCount } }')).sites.totalCount).toBe(0);
    await screenshot(page, 'headers-01-reserved-refused');
    await page.getByRole('button', { name: 'Remove header 3' }).click();

    await page.getByRole('button', { name: 'Create site' }).click();
    await page.getByRole('heading', { level: 1, name: 'Partner API (key)' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const site = ok(await e2e.app.gql(`query($id: ID!) { site(id: $id) { authMethod auth { ... on ApiKeyAuth { placement name keySet } } headers { name value secret valueSet } } }`, { id })).site;
    expect(site).toEqual({
      authMethod: 'API_KEY',
      auth: { placement: 'HEADER', name: 'x-partner-key', keySet: true },
      headers: [
        { name: 'x-tenant', value: 'acme', secret: false, valueSet: true },
        { name: 'x-partner-token', value: null, secret: true, valueSet: true },
      ],
    });

    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await result.getByText('Success').waitFor();
    expect(received.at(-1)!['x-partner-key']).toBe(API_KEY);
    expect(received.at(-1)!['x-partner-token']).toBe(HEADER_SECRET);
    expect(received.at(-1)!['x-tenant']).toBe('acme');
    const shown = await result.innerText();
    expect(shown).toContain('x-partner-key');
    expect(shown).toContain('x-partner-token');
    expect(shown).toContain('acme');
    const html = await page.content();
    expect(html).not.toContain(API_KEY);
    expect(html).not.toContain(HEADER_SECRET);
    await screenshot(page, 'headers-02-test-connection');

    // The stored secret header reads back blank, "leave blank to keep".
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Partner API (key)' }).waitFor();
    const editValue = page.getByLabel('Header 2 value', { exact: true });
    expect(await editValue.inputValue()).toBe('');
    expect(await editValue.getAttribute('placeholder')).toBe('set — leave blank to keep');
    expect(await page.getByLabel('Header 1 value', { exact: true }).inputValue()).toBe('acme');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
