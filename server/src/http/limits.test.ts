import { formatDocument, stringifyDocument } from '@urql/core';
import { type DocumentNode, type GraphQLSchema, Kind, TokenKind, Lexer, Source, parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import * as generated from '../../../dashboard/src/graphql/generated/graphql.js';
import { buildAppSchema } from '../graphql/schema.js';
import { hostileQuery } from './hostile-query.js';
import { LIMITS, type Limits, type Protection, checkOperation, queryProtection } from './limits.js';

/** Every document the dashboard sends, as urql sends it (with the __typename its cache adds). */
function dashboardDocuments(): Array<{ name: string; query: string }> {
  const documents = Object.entries(generated)
    .filter(([name, value]) => name.endsWith('Document') && (value as DocumentNode)?.kind === Kind.DOCUMENT)
    .map(([name, value]) => ({ name, query: stringifyDocument(formatDocument(value as DocumentNode)) }));
  // The sign-in page checks a token with its own fetch, outside urql.
  documents.push({ name: 'SignInPage', query: '{ sites(first: 1) { totalCount } }' });
  return documents;
}

function manyAliases(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `v${i}: viewer { name }`).join(' ')} }`;
}

function tokenCount(query: string): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count++;
  return count;
}

let schema: GraphQLSchema;
let protection: Protection;
beforeAll(async () => {
  schema = await buildAppSchema();
  protection = queryProtection({ maxAttempts: 8 });
});

function errorsOf(query: string, options = protection): string[] {
  const checked = checkOperation(schema, query, options);
  return 'errors' in checked ? checked.errors.map((e) => e.message) : [];
}

describe('query limits', () => {
  it('pass every document the dashboard sends, with room (half of each limit would still pass)', () => {
    const documents = dashboardDocuments();
    // The generated module holds every query, mutation, subscription and fragment of the dashboard.
    expect(documents.length).toBeGreaterThan(15);
    const operations = documents.filter((d) => parse(d.query).definitions.some((def) => def.kind === Kind.OPERATION_DEFINITION));
    expect(operations.map((d) => d.name)).toEqual(expect.arrayContaining(['DeliveriesDocument', 'SiteDocument', 'DeliveryUpdatedDocument', 'SitesDocument']));
    // Halved limits: a dashboard query that uses more than half of a limit fails here first.
    const tight = queryProtectionAt(0.5);
    for (const { name, query } of operations) {
      expect({ name, errors: errorsOf(query) }).toEqual({ name, errors: [] });
      expect({ name, errors: errorsOf(query, tight) }).toEqual({ name, errors: [] });
      expect(tokenCount(query), name).toBeLessThan(LIMITS.maxTokens / 2);
    }
  });

  it('refuse the 5,000-alias deliveries request (a ~524 KB body) before reading most of it', () => {
    const query = hostileQuery(5_000);
    expect(query.length).toBeGreaterThan(500_000);
    const errors = errorsOf(query);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Document contains more tha. 1000 tokens/);
  });

  it('refuse too many aliases, too deep, too many directives', () => {
    expect(errorsOf(manyAliases(LIMITS.maxAliases))).toEqual([]);
    expect(errorsOf(manyAliases(LIMITS.maxAliases + 1))).toEqual([expect.stringMatching(/Aliases limit of 40 exceeded, found 41/)]);
    const directives = Array.from({ length: LIMITS.maxDirectives + 1 }, () => '@include(if: true)').join(' ');
    expect(errorsOf(`{ viewer ${directives} { name } }`)).toEqual(expect.arrayContaining([expect.stringMatching(/Directives limit of 20 exceeded/)]));
    // Without introspection (which armor leaves alone) this schema nests 7 deep at most: a lower limit shows the rule acts.
    const shallow = queryProtection({ maxAttempts: 8 }, { ...LIMITS, maxDepth: 4 });
    expect(errorsOf('{ deliveries { edges { node { attempts { number } } } } }', shallow)).toEqual([expect.stringMatching(/depth limit of 4 exceeded, found 5/)]);
  });

  it('count `first` given as a variable as the largest page: 15 aliases of deliveries(first: $n) are refused, as with first: 100', () => {
    const fields = (first: string) => Array.from({ length: 15 }, (_, i) => `a${i}: deliveries(first: ${first}) { edges { node { id status attempts { number startedAt statusCode outcome error } } } }`).join(' ');
    const asVariable = errorsOf(`query ($n: Int) { ${fields('$n')} }`);
    expect(asVariable).toEqual([expect.stringMatching(/could hold [\d,]+ values; the limit is 60,000/)]);
    expect(errorsOf(`{ ${fields('100')} }`)).not.toEqual([]);
    // Small literal pages of the same shape pass.
    expect(errorsOf(`{ ${fields('5')} }`)).toEqual([]);
  });

  it('answer with the codes Apollo gives: GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED', () => {
    const parseFailed = checkOperation(schema, hostileQuery(5_000), protection);
    expect('errors' in parseFailed && parseFailed.errors[0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = checkOperation(schema, manyAliases(41), protection);
    expect('errors' in invalid && invalid.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

/** The same rules with every limit scaled, to check the dashboard's margin. */
function queryProtectionAt(scale: number): Protection {
  const scaled = Object.fromEntries(Object.entries(LIMITS).map(([key, value]) => [key, Math.floor(value * scale)])) as Limits;
  return queryProtection({ maxAttempts: 8 }, scaled);
}
