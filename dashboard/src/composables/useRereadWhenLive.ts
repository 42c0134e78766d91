import { onUnmounted } from 'vue';
import { onLiveConnected } from '../graphql/provider';

/**
 * For a view that shows a query's answer kept up to date by a subscription: the query answers
 * before the subscription is in place on the server, and a reconnect misses what happened while
 * the socket was down — events in those gaps reach nobody. So `reread` (the query, from the
 * network) runs again shortly after the view opens, once its subscription has surely started, and
 * after every (re)connection of the live socket.
 */
export function useRereadWhenLive(reread: () => void, afterMs = 400): void {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  function soon() {
    const timer = setTimeout(() => {
      timers.delete(timer);
      reread();
    }, afterMs);
    timers.add(timer);
  }
  soon();
  const stop = onLiveConnected(soon);
  onUnmounted(() => {
    stop();
    for (const timer of timers) clearTimeout(timer);
  });
}
