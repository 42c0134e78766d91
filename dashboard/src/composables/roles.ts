import type { Role } from '../graphql/generated/graphql';
import { hiddenCharacterProblem } from './siteRules';

export interface RoleDef {
  role: Role;
  label: string;
  /** One line: what a token with this role may do (the server's Role enum says the same). */
  description: string;
}

/** From least to most: each role may do everything the ones before it may. */
export const ROLES: readonly RoleDef[] = [
  { role: 'VIEWER', label: 'Viewer', description: 'Reads sites, token states and deliveries; changes nothing.' },
  { role: 'EDITOR', label: 'Editor', description: 'Also creates, changes, tests and deletes sites, and sends webhooks.' },
  { role: 'ADMIN', label: 'Admin', description: 'Also creates and revokes API tokens, and chooses where site events are sent.' },
];

export function roleDef(role: Role): RoleDef {
  return ROLES.find((r) => r.role === role)!;
}

export const TOKEN_NAME_MAX = 100;

/** The client's copy of the server's name rule; the server checks again (and alone knows the names taken). */
export function checkTokenName(value: string): string | undefined {
  const name = value.trim();
  if (!name) return 'Name is required';
  if (name.length > TOKEN_NAME_MAX) return `Must be at most ${TOKEN_NAME_MAX} characters`;
  return hiddenCharacterProblem(value);
}
