import urql from '@urql/vue';
import { createApp } from 'vue';
import App from './App.vue';
import { apiClient, resetApiClient, setUnauthenticatedHandler } from './graphql/provider';
import { toast } from './composables/useToasts';
import { router } from './router';
import { sessionToken, signOut } from './session';
import './styles.css';

setUnauthenticatedHandler(() => {
  // Several requests can fail together; send the user back to sign-in once.
  if (!sessionToken.value) return;
  signOut();
  toast('Your session has ended. Sign in again.', 'info');
  const here = router.currentRoute.value;
  void router.replace({ name: 'sign-in', query: here.meta.public ? {} : { redirect: here.fullPath } });
});
resetApiClient();

createApp(App).use(router).use(urql, apiClient).mount('#app');
