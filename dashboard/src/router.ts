import { createRouter, createWebHistory } from 'vue-router';
import { sessionToken } from './session';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/sign-in', name: 'sign-in', component: () => import('./pages/SignInPage.vue'), meta: { public: true, title: 'Sign in' } },
    { path: '/', name: 'sites', component: () => import('./pages/SiteListPage.vue'), meta: { title: 'Sites' } },
    { path: '/sites/new', name: 'new-site', component: () => import('./pages/NewSitePage.vue'), meta: { title: 'New site' } },
    { path: '/sites/:id', name: 'site', component: () => import('./pages/SitePage.vue'), props: true, meta: { title: 'Site' } },
    { path: '/sites/:id/deliveries', name: 'site-deliveries', component: () => import('./pages/DeliveriesPage.vue'), props: (r) => ({ siteId: r.params.id }), meta: { title: 'Deliveries' } },
    { path: '/deliveries', name: 'deliveries', component: () => import('./pages/DeliveriesPage.vue'), meta: { title: 'Deliveries' } },
    { path: '/tokens', name: 'api-tokens', component: () => import('./pages/ApiTokensPage.vue'), meta: { title: 'API tokens' } },
    { path: '/settings', name: 'settings', component: () => import('./pages/SettingsPage.vue'), meta: { title: 'Settings' } },
    { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { title: 'Audit' } },
    { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'Not found' } },
  ],
});

router.beforeEach((to) => {
  if (!to.meta.public && !sessionToken.value) {
    return { name: 'sign-in', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  }
  return true;
});

router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? '')} · Trusted Sites`;
});
