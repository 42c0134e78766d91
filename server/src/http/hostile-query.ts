/**
 * The request of issue 10 item 1, laid out as a person writes it: `aliases` copies of
 * deliveries(first: N) with each delivery's attempts (5,000 aliases: a 669 KB query, 702 KiB as a JSON body; the issue measured its own layout at 524 KB). For tests and bench.
 */
export function hostileQuery(aliases: number, first = 100): string {
  const field = (i: number) => `  a${i}: deliveries(first: ${first}) {\n    edges {\n      node {\n        id\n        attempts {\n          number\n        }\n      }\n    }\n  }\n`;
  return `{\n${Array.from({ length: aliases }, (_, i) => field(i)).join('')}}\n`;
}
