import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001Sites } from './Migration0001Sites.js';

/** Every migration, in order. Listed here rather than globbed so they run the same under tsx, vitest and node. */
export const migrationsList: MigrationObject[] = [{ name: 'Migration0001Sites', class: Migration0001Sites }];
