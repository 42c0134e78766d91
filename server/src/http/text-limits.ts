import { badInput } from '../graphql/errors.js';

/** Longer than any site name or URL fragment worth searching for (names are at most 120). */
export const MAX_SEARCH_LENGTH = 200;
/** Cursors this API hands out are at most ~550 characters (a site's 120-character name, encoded). */
export const MAX_CURSOR_LENGTH = 1_000;

/**
 * Free-text arguments reach SQL (ILIKE patterns, decoding): a megabyte of search text must be
 * refused at the door, with the argument named, not scanned for. Checks `[path, value, max]`.
 */
export function checkTextLengths(...checks: Array<[path: string, value: string | null | undefined, max: number]>): void {
  const fieldErrors = checks
    .filter(([, value, max]) => typeof value === 'string' && value.length > max)
    .map(([path, , max]) => ({ path, message: `Must be at most ${max} characters` }));
  if (fieldErrors.length) throw badInput(fieldErrors);
}
