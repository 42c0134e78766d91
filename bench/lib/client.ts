/**
 * The benchmarks' GraphQL client: what a workflow engine does. No server code is imported here, so
 * `client-process.ts` starts quickly and carries nothing else.
 */
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export async function gql<T = any>(baseUrl: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 1000)}`);
  return body.data;
}

/** sendWebhooks in batches of 1,000 (its limit), a few calls at once. */
export async function sendMany(apiUrl: string, siteId: string, count: number, payloadOf: (i: number) => unknown, parallel = 4): Promise<string[]> {
  const ids: string[] = new Array(count);
  const batches: Array<[number, number]> = [];
  for (let i = 0; i < count; i += 1000) batches.push([i, Math.min(count, i + 1000)]);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < batches.length) {
        const [from, to] = batches[next++]!;
        const inputs = [];
        for (let i = from; i < to; i++) inputs.push({ siteId, payload: payloadOf(i) });
        const { sendWebhooks } = await gql(apiUrl, `mutation($inputs: [WebhookInput!]!) { sendWebhooks(inputs: $inputs) { id } }`, { inputs });
        sendWebhooks.forEach((d: { id: string }, k: number) => (ids[from + k] = d.id));
      }
    }),
  );
  return ids;
}

/** The throughput benchmark's webhook: about 1 KB of JSON. */
export const throughputPayload = (i: number) => ({ id: i, kind: 'bench.event', data: 'x'.repeat(960) });
