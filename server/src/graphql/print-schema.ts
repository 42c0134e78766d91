import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// schema.js first: it loads reflect-metadata, which the auth config classes' decorators need.
import { buildAppSchema, printAppSchema } from './schema.js';
import { DASHBOARD_METADATA_FILE, renderDashboardMetadata } from '../auth/metadata.js';

/**
 * `npm run schema`: writes schema.graphql at the top of the repository from the code-first schema,
 * and the auth methods' metadata for the dashboard (auth/metadata.ts) beside its documents.
 */
export const SCHEMA_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schema.graphql');

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const sdl = printAppSchema(await buildAppSchema());
  fs.writeFileSync(SCHEMA_FILE, sdl);
  console.log(`wrote ${SCHEMA_FILE}`);
  fs.writeFileSync(DASHBOARD_METADATA_FILE, renderDashboardMetadata());
  console.log(`wrote ${DASHBOARD_METADATA_FILE}`);
}
