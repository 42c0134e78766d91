import { Field, ObjectType } from 'type-graphql';

@ObjectType('PageInfo')
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

/** Relay-style connection (docs/specification.md §8 conventions): `edges { cursor node }`, `pageInfo`, `totalCount`. */
export function connectionOf<T>(nodes: T[], cursorOf: (node: T) => string, hasNextPage: boolean, totalCount: number) {
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
