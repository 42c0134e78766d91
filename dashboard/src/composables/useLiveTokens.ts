import { useSubscription } from '@urql/vue';
import { type MaybeRefOrGetter, reactive, toValue } from 'vue';
import type { TokenStateFieldsFragment } from '../graphql/generated/graphql';
import { TokenStateChangedSubscription } from '../graphql/tokens';

/**
 * Token states pushed by `tokenStateChanged`, by site id. Screens show these over what their
 * query returned, so a badge changes the moment any process changes the token.
 */
export function useLiveTokens(siteId?: MaybeRefOrGetter<string | undefined>, onChange?: (state: TokenStateFieldsFragment) => void) {
  const states = reactive(new Map<string, TokenStateFieldsFragment>());
  useSubscription(
    { query: TokenStateChangedSubscription, variables: () => ({ siteId: toValue(siteId) ?? null }) },
    (_previous, data) => {
      const state = data.tokenStateChanged;
      states.set(state.siteId, state);
      onChange?.(state);
      return data;
    },
  );
  return {
    states,
    /** The newest of what the query returned and what was pushed since. */
    latest(id: string, fromQuery: TokenStateFieldsFragment | null | undefined): TokenStateFieldsFragment | null {
      const pushed = states.get(id);
      if (!pushed) return fromQuery ?? null;
      if (!fromQuery) return pushed;
      return Date.parse(pushed.updatedAt) >= Date.parse(fromQuery.updatedAt) ? pushed : fromQuery;
    },
  };
}
