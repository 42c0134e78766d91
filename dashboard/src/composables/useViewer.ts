import { useQuery } from '@urql/vue';
import { type MaybeRefOrGetter, computed, toValue } from 'vue';
import { ViewerQuery } from '../graphql/apiTokens';

/** Who the session's token is (name, role, token id), asked of the server once per client; paused while `paused` is true. */
export function useViewer(paused: MaybeRefOrGetter<boolean> = false) {
  const result = useQuery({ query: ViewerQuery, pause: computed(() => toValue(paused)), requestPolicy: 'cache-first' });
  const viewer = computed(() => result.data.value?.viewer ?? null);
  return { viewer, isAdmin: computed(() => viewer.value?.role === 'ADMIN'), result };
}
