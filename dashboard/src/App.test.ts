import urql from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import App from './App.vue';
import { sessionToken } from './session';
import { mockClient } from './test/mockClient';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  sessionToken.value = null;
});

async function mountApp(role: string | null, path = '/') {
  sessionToken.value = 'a-token';
  const { client, operations } = mockClient(() =>
    role ? { data: { viewer: { name: 'someone', role, tokenId: 't-1' } } } : { errors: [{ message: 'no', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
  );
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'sites', component: { render: () => null } },
      { path: '/sites/new', name: 'new-site', component: { render: () => null } },
      { path: '/deliveries', name: 'deliveries', component: { render: () => null } },
      { path: '/tokens', name: 'api-tokens', component: { render: () => null } },
      { path: '/audit', name: 'audit', component: { render: () => null } },
      { path: '/settings', name: 'settings', component: { render: () => null } },
      { path: '/sign-in', name: 'sign-in', component: { render: () => null }, meta: { public: true } },
    ],
  });
  await router.push(path);
  wrapper = mount(App, { global: { plugins: [router, [urql, client]] } });
  await flushPromises();
  return { wrapper, operations };
}

const navTexts = (w: VueWrapper) => w.findAll('nav[aria-label="Main"] a').map((a) => a.text());

describe('App navigation', () => {
  it('shows "API tokens" to an ADMIN token', async () => {
    const { wrapper } = await mountApp('ADMIN', '/tokens');
    expect(navTexts(wrapper)).toContain('API tokens');
    expect(wrapper.get('a[href="/tokens"]').classes()).toContain('active');
    // The audit trail is ADMIN only too; the other roles' list below has neither.
    expect(navTexts(wrapper)).toContain('Audit');
    // So is choosing where site events are sent (the settings page).
    expect(navTexts(wrapper)).toContain('Settings');
  });

  it.each(['EDITOR', 'VIEWER'])('hides it from an %s token', async (role) => {
    const { wrapper } = await mountApp(role);
    expect(navTexts(wrapper)).toEqual(['+ New site', 'Sites', 'Deliveries']);
  });

  it('hides it while the role is unknown', async () => {
    const { wrapper } = await mountApp(null);
    expect(navTexts(wrapper)).not.toContain('API tokens');
  });

  it('asks nothing on the sign-in page', async () => {
    const { operations } = await mountApp('ADMIN', '/sign-in');
    expect(operations).toHaveLength(0);
  });
});
