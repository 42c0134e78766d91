import { createClient } from 'graphql-ws';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { SECRET_VALUES } from '../../test/fixtures.js';
import { TEST_ADMIN_TOKEN, type TestApp, ok, startTestApp } from '../../test/support.js';
import type { Site } from './site.entity.js';
import { SiteLoader } from './site.loader.js';

describe('SiteLoader', () => {
  const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const fakeSites = (missing: string[] = []) => {
    const getMany = vi.fn(async (ids: readonly string[]) => ids.filter((id) => !missing.includes(id)).map((id) => ({ id, name: `site ${id}` }) as Site));
    return { getMany };
  };

  it('loads the ids asked for in one turn with one call, each id once', async () => {
    const sites = fakeSites([idOf(3)]);
    const loader = new SiteLoader(sites);
    const asked = [idOf(1), idOf(2), idOf(1), idOf(3), idOf(2).toUpperCase()];
    // Reached through different numbers of awaits, as field resolvers of one list are.
    const found = await Promise.all(asked.map(async (id, i) => {
      for (let n = 0; n < i * 3; n++) await Promise.resolve();
      return loader.load(id);
    }));
    expect(found.map((site) => site?.id ?? null)).toEqual([idOf(1), idOf(2), idOf(1), null, idOf(2)]);
    expect(sites.getMany).toHaveBeenCalledTimes(1);
    expect([...sites.getMany.mock.calls[0]![0]].sort()).toEqual([idOf(1), idOf(2), idOf(3)]);
  });

  it('remembers what it loaded until cleared; a later turn only fetches what is new', async () => {
    const sites = fakeSites();
    const loader = new SiteLoader(sites);
    await loader.load(idOf(1));
    await Promise.all([loader.load(idOf(1)), loader.load(idOf(2))]);
    expect(sites.getMany.mock.calls.map(([ids]) => [...ids])).toEqual([[idOf(1)], [idOf(2)]]);
    loader.clear();
    await loader.load(idOf(1));
    expect(sites.getMany).toHaveBeenCalledTimes(3);
  });

  it('answers null without a query for what is not an id', async () => {
    const sites = fakeSites();
    expect(await new SiteLoader(sites).load('not-a-uuid')).toBeNull();
    expect(sites.getMany).not.toHaveBeenCalled();
  });

  it('does not remember a failed query', async () => {
    const getMany = vi.fn().mockRejectedValueOnce(new Error('connection lost')).mockResolvedValue([{ id: idOf(1) } as Site]);
    const loader = new SiteLoader({ getMany });
    await expect(loader.load(idOf(1))).rejects.toThrow('connection lost');
    expect((await loader.load(idOf(1)))?.id).toBe(idOf(1));
    expect(getMany).toHaveBeenCalledTimes(2);
  });
});

describe('Delivery.site over GraphQL (real PostgreSQL)', () => {
  let app: TestApp;
  let raw: pg.Client;
  let counter = 0;

  beforeAll(async () => {
    // API only: no dispatcher, so deliveries stay PENDING and nothing is sent anywhere.
    app = await startTestApp({ TRUSTED_SITES_ROLE: 'api' });
    raw = new pg.Client({ connectionString: app.databaseUrl });
    await raw.connect();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await raw?.end();
    await app?.stop();
  });

  async function activeSite(): Promise<{ id: string; name: string }> {
    counter += 1;
    const name = `Loader ${counter}`;
    const { id } = ok(
      await app.gql(`mutation($input: SiteInput!) { createSite(input: $input) { id } }`, {
        input: { name, url: 'https://receiver.example.com/hooks', auth: { basic: { username: 'alice', password: SECRET_VALUES.password } } },
      }),
    ).createSite as { id: string };
    ok(await app.gql(`mutation($id: ID!) { setSiteStatus(id: $id, status: ACTIVE) { id } }`, { id }));
    return { id, name };
  }

  async function sendTo(siteId: string, count: number): Promise<string[]> {
    const inputs = Array.from({ length: count }, (_, n) => ({ siteId, payload: { n } }));
    const sent = ok(await app.gql(`mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs })).sendWebhooks as Array<{ id: string }>;
    return sent.map((d) => d.id);
  }

  const PAGE = `query($siteId: ID) { deliveries(first: 50, siteId: $siteId) { edges { node { id siteId site { id name } } } } }`;
  type Node = { id: string; siteId: string; site: { id: string; name: string } | null };

  async function page(): Promise<Node[]> {
    return (ok(await app.gql(PAGE)).deliveries.edges as Array<{ node: Node }>).map((edge) => edge.node);
  }

  it('a page of deliveries across several sites looks its sites up in one query', async () => {
    const sites = [await activeSite(), await activeSite(), await activeSite(), await activeSite()];
    for (const site of sites) await sendTo(site.id, 4);
    const getMany = vi.spyOn(app.services.sites, 'getMany');
    const get = vi.spyOn(app.services.sites, 'get');

    const nodes = await page();

    const names = new Map(sites.map((s) => [s.id, s.name]));
    const ours = nodes.filter((node) => names.has(node.siteId));
    expect(ours).toHaveLength(16);
    for (const node of ours) expect(node.site).toEqual({ id: node.siteId, name: names.get(node.siteId) });
    expect(get).not.toHaveBeenCalled();
    expect(getMany).toHaveBeenCalledTimes(1);
    const asked = [...getMany.mock.calls[0]![0]].sort();
    expect(asked).toEqual([...new Set(nodes.map((node) => node.siteId))].sort());
  });

  it('a site deleted while the page is being answered gives null, the others their site, still one query', async () => {
    const kept = await activeSite();
    const gone = await activeSite();
    await sendTo(kept.id, 2);
    await sendTo(gone.id, 2);
    const deliveries = app.services.deliveries;
    const list = deliveries.list.bind(deliveries);
    // The deliveries are read, then the site goes (its deliveries with it) before `site` resolves.
    vi.spyOn(deliveries, 'list').mockImplementation(async (args) => {
      const result = await list(args);
      await raw.query('DELETE FROM site WHERE id = $1', [gone.id]);
      return result;
    });
    const getMany = vi.spyOn(app.services.sites, 'getMany');

    const nodes = await page();

    const ofGone = nodes.filter((node) => node.siteId === gone.id);
    const ofKept = nodes.filter((node) => node.siteId === kept.id);
    expect(ofGone).toHaveLength(2);
    expect(ofGone.every((node) => node.site === null)).toBe(true);
    expect(ofKept).toHaveLength(2);
    expect(ofKept.every((node) => node.site?.name === kept.name)).toBe(true);
    expect(getMany).toHaveBeenCalledTimes(1);
  });

  it('deliveryUpdated: one site and one attempts query per event however many deliveries it carries', async () => {
    const site = await activeSite();
    const client = createClient({ url: app.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const seen: Array<{ id: string; attempts: unknown[]; site: { name: string } | null }> = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client.on('connected', () => setTimeout(resolve, 200));
        client.on('error', reject);
        client.subscribe(
          { query: `subscription($siteId: ID) { deliveryUpdated(siteId: $siteId) { id attempts { number } site { name } } }`, variables: { siteId: site.id } },
          { next: (message) => seen.push((message.data as { deliveryUpdated: (typeof seen)[number] }).deliveryUpdated), error: reject, complete: () => undefined },
        );
      });
      const attemptsOf = vi.spyOn(app.services.deliveries, 'attemptsOf');
      const getMany = vi.spyOn(app.services.sites, 'getMany');
      // One sendWebhooks call: its 12 deliveries arrive as one event (this process sends nothing).
      const sent = await sendTo(site.id, 12);
      await vi.waitFor(() => expect(seen.filter((d) => sent.includes(d.id))).toHaveLength(12), { timeout: 10_000 });
      expect(seen.every((d) => d.site?.name === site.name && Array.isArray(d.attempts) && d.attempts.length === 0)).toBe(true);
      expect(attemptsOf).toHaveBeenCalledTimes(1);
      expect([...attemptsOf.mock.calls[0]![0]].sort()).toEqual([...sent].sort());
      expect(getMany).toHaveBeenCalledTimes(1);
    } finally {
      await client.dispose();
    }
  });

  it('deliveryUpdated: one site query per event, and each event shows the site as it is now', async () => {
    const site = await activeSite();
    const client = createClient({ url: app.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const seen: Array<{ id: string; site: { name: string } | null }> = [];
    const failed: unknown[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client.on('connected', () => setTimeout(resolve, 200));
        client.on('error', reject);
        client.subscribe(
          { query: `subscription($siteId: ID) { deliveryUpdated(siteId: $siteId) { id site { name } } }`, variables: { siteId: site.id } },
          { next: (message) => seen.push((message.data as { deliveryUpdated: (typeof seen)[number] }).deliveryUpdated), error: (e) => failed.push(e), complete: () => undefined },
        );
      });
      const getMany = vi.spyOn(app.services.sites, 'getMany');

      const first = await sendTo(site.id, 5);
      await vi.waitFor(() => expect(seen.filter((d) => first.includes(d.id))).toHaveLength(5), { timeout: 10_000 });
      expect(seen.every((d) => d.site?.name === site.name)).toBe(true);
      expect(getMany).toHaveBeenCalledTimes(1);

      const renamed = `${site.name} renamed`;
      ok(await app.gql(`mutation($id: ID!, $input: SiteUpdateInput!) { updateSite(id: $id, input: $input) { id } }`, { id: site.id, input: { name: renamed } }));
      const second = await sendTo(site.id, 5);
      await vi.waitFor(() => expect(seen.filter((d) => second.includes(d.id))).toHaveLength(5), { timeout: 10_000 });
      expect(seen.filter((d) => second.includes(d.id)).every((d) => d.site?.name === renamed)).toBe(true);
      expect(getMany).toHaveBeenCalledTimes(2);
      expect(failed).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});
