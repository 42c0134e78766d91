import { describe, expect, it } from 'vitest';
import { checkTokenName } from './roles';

describe('checkTokenName mirrors the server', () => {
  it.each([
    ['CI \u202Edeploy', 'U+202E'],
    ['a\u2066b', 'U+2066'],
    ['zero\u200Dwidth', 'U+200D'],
    ['\u2060x', 'U+2060'],
    ['tab\there', 'U+0009'],
  ])('refuses %j, naming the character', (name, code) => {
    expect(checkTokenName(name)).toBe(`Must not contain invisible, control or text-direction characters (found ${code})`);
  });

  it('accepts names in any script', () => {
    expect(checkTokenName('Déploiement 日本 😀')).toBeUndefined();
  });
});
