import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE } from './print-schema.js';
import { buildAppSchema, printAppSchema } from './schema.js';

describe('schema.graphql', () => {
  it('is what the code-first schema prints (run `npm run schema` after changing the API)', async () => {
    const fresh = printAppSchema(await buildAppSchema());
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed).toBe(fresh);
  });

  it('keeps the names of the docs/specification.md §8 contract', async () => {
    const sdl = printAppSchema(await buildAppSchema());
    for (const name of ['enum SiteStatus', 'enum AuthMethod', 'type Site ', 'union AuthConfig', 'input SiteInput', 'input AuthConfigInput', 'input SiteUpdateInput']) {
      expect(sdl).toContain(name);
    }
    for (const field of ['sites(', 'site(id: ID!)', 'activeSites:', 'createSite(input: SiteInput!)', 'updateSite(id: ID!, input: SiteUpdateInput!)', 'deleteSite(id: ID!)', 'setSiteStatus(id: ID!, status: SiteStatus!)']) {
      expect(sdl).toContain(field);
    }
  });
});
