import urql from '@urql/vue';
import type { Operation } from '@urql/vue';
import { type VueWrapper, flushPromises, mount } from '@vue/test-utils';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { type MockAnswer, mockClient } from '../test/mockClient';
import ClientCertificatePanel from './ClientCertificatePanel.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  document.body.innerHTML = '';
});

const SITE_ID = '22222222-2222-4222-8222-222222222222';
const DAY = 86_400_000;
const CHAIN = '-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIBintermediate\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKEYBODYnotreal\n-----END PRIVATE KEY-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';

function stored(daysLeft: number) {
  return {
    subject: 'CN=partner-client',
    issuer: 'CN=Partner Intermediate',
    fingerprint: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
    notBefore: new Date(Date.now() - DAY).toISOString(),
    notAfter: new Date(Date.now() + daysLeft * DAY + 3_600_000).toISOString(),
    expiresSoon: daysLeft <= 30,
    expired: daysLeft < 0,
    certificates: 2,
    caCertificates: 1,
    setAt: new Date().toISOString(),
  };
}

function nameOf(operation: Operation): string {
  const definition = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.name?.value ?? '';
}

type Handlers = Partial<Record<string, (operation: Operation) => MockAnswer>>;

async function mountPanel(clientCertificate: unknown, handlers: Handlers = {}) {
  const answers: Handlers = { SiteClientCertificate: () => ({ data: { site: { id: SITE_ID, clientCertificate } } }), ...handlers };
  const { client, operations } = mockClient((operation) => {
    const answer = answers[nameOf(operation)];
    if (!answer) throw new Error(`unexpected operation ${nameOf(operation)}`);
    return answer(operation);
  });
  wrapper = mount(ClientCertificatePanel, { props: { siteId: SITE_ID, siteName: 'Partner API' }, global: { plugins: [[urql, client]] }, attachTo: document.body });
  await flushPromises();
  const named = (name: string) => operations.filter((o) => nameOf(o) === name);
  return { wrapper, named };
}

const button = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text);
const answer = (clientCertificate: unknown, name = 'setClientCertificate') => ({ data: { [name]: { id: SITE_ID, updatedAt: new Date().toISOString(), clientCertificate } } });

describe('ClientCertificatePanel', () => {
  it('saves a pasted chain, key and CA; shows subject, issuer, expiry and fingerprint, never the key, and empties the key field', async () => {
    const saved = stored(90);
    const { wrapper, named } = await mountPanel(null, { SetClientCertificate: () => answer(saved) });
    expect(wrapper.get('[data-testid="client-certificate-state"]').text()).toBe('None');
    expect(wrapper.text()).toContain('No client certificate');
    // Every textarea is labelled (the key's through SecretInput).
    for (const field of wrapper.findAll('textarea')) expect(wrapper.find(`label[for="${field.attributes('id')}"]`).exists(), field.html()).toBe(true);

    await wrapper.get('#client-certificate-chain').setValue(CHAIN);
    await wrapper.get('#client-certificate-key').setValue(KEY);
    await wrapper.get('#client-certificate-ca').setValue(CA);
    await button(wrapper, 'Save certificate')!.trigger('click');
    await flushPromises();
    expect(named('SetClientCertificate')[0]!.variables).toEqual({ siteId: SITE_ID, clientCertificate: { certificate: CHAIN, privateKey: KEY, ca: CA } });

    expect(wrapper.get('[data-testid="client-certificate-state"]').text()).toBe('Valid');
    expect(wrapper.get('[data-testid="client-certificate-subject"]').text()).toBe('CN=partner-client');
    expect(wrapper.get('[data-testid="client-certificate-issuer"]').text()).toBe('CN=Partner Intermediate');
    expect(wrapper.get('[data-testid="client-certificate-fingerprint"]').text()).toBe(saved.fingerprint);
    expect(wrapper.get('[data-testid="client-certificate-expiry"]').text()).not.toBe('');
    expect(wrapper.text()).toContain('2 certificates');
    expect(wrapper.find('[data-testid="client-certificate-expiring"]').exists()).toBe(false);
    expect((wrapper.get('#client-certificate-key').element as HTMLTextAreaElement).value).toBe('');
    expect(wrapper.html()).not.toContain('MIGHAgEAMBMGByqGSM49');
    expect(button(wrapper, 'Replace certificate')).toBeDefined();
  });

  it('warns within 30 days of expiry, and says expired once it is', async () => {
    const { wrapper } = await mountPanel(stored(12));
    expect(wrapper.get('[data-testid="client-certificate-state"]').text()).toBe('Expires in 12 days');
    expect(wrapper.get('[data-testid="client-certificate-state"]').classes()).toContain('status-inactive');
    expect(wrapper.get('[data-testid="client-certificate-expiring"]').text()).toMatch(/expires on/);
    wrapper.unmount();
    const expired = await mountPanel(stored(-3));
    expect(expired.wrapper.get('[data-testid="client-certificate-state"]').text()).toBe('Expired');
    expect(expired.wrapper.get('[role="alert"]').text()).toMatch(/expired on/);
  });

  it('checks before sending, then shows the server’s field errors at their fields; a stored key may be kept', async () => {
    const { wrapper, named } = await mountPanel(stored(90), {
      SetClientCertificate: () => ({
        errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ path: 'clientCertificate.privateKey', message: 'The stored private key does not match this certificate' }] } }],
      }),
    });
    await wrapper.get('#client-certificate-chain').setValue('not a certificate');
    await wrapper.get('#client-certificate-ca').setValue('junk');
    await button(wrapper, 'Replace certificate')!.trigger('click');
    await flushPromises();
    expect(named('SetClientCertificate')).toHaveLength(0);
    expect(wrapper.get('#client-certificate-chain-error').text()).toMatch(/PEM/);
    expect(wrapper.get('#client-certificate-ca-error').text()).toMatch(/PEM/);
    expect(wrapper.get('#client-certificate-chain').attributes('aria-invalid')).toBe('true');
    // With a key stored, leaving it blank is allowed (sent as null: keep it).
    expect(wrapper.find('#client-certificate-key-error').exists()).toBe(false);

    await wrapper.get('#client-certificate-chain').setValue(CHAIN);
    await wrapper.get('#client-certificate-ca').setValue('');
    await button(wrapper, 'Replace certificate')!.trigger('click');
    await flushPromises();
    expect(named('SetClientCertificate')[0]!.variables).toEqual({ siteId: SITE_ID, clientCertificate: { certificate: CHAIN, privateKey: null, ca: null } });
    expect(wrapper.get('#client-certificate-key-error').text()).toBe('The stored private key does not match this certificate');
    expect(wrapper.find('#client-certificate-chain-error').exists()).toBe(false);
    // Refused: what was typed stays, to be corrected.
    expect((wrapper.get('#client-certificate-chain').element as HTMLTextAreaElement).value).toBe(CHAIN);
  });

  it('requires a key when none is stored', async () => {
    const { wrapper, named } = await mountPanel(null);
    await wrapper.get('#client-certificate-chain').setValue(CHAIN);
    await button(wrapper, 'Save certificate')!.trigger('click');
    await flushPromises();
    expect(named('SetClientCertificate')).toHaveLength(0);
    expect(wrapper.get('#client-certificate-key-error').text()).toBe('The private key is required');
  });

  it('removes the certificate only after confirming', async () => {
    const { wrapper, named } = await mountPanel(stored(90), { RemoveClientCertificate: () => answer(null, 'removeClientCertificate') });
    await button(wrapper, 'Remove certificate')!.trigger('click');
    await flushPromises();
    const dialog = document.querySelector('[role="dialog"], [role="alertdialog"]') as HTMLElement;
    expect(dialog.textContent).toContain('Remove the client certificate of Partner API?');
    // Cancel sends nothing.
    const cancel = [...dialog.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Cancel')!;
    cancel.click();
    await flushPromises();
    expect(named('RemoveClientCertificate')).toHaveLength(0);
    expect(wrapper.get('[data-testid="client-certificate-state"]').text()).toBe('Valid');

    await button(wrapper, 'Remove certificate')!.trigger('click');
    await flushPromises();
    const confirm = [...document.querySelectorAll('[role="dialog"] button, [role="alertdialog"] button')].find((b) => b.textContent?.trim() === 'Remove certificate') as HTMLElement;
    confirm.click();
    await flushPromises();
    expect(named('RemoveClientCertificate')[0]!.variables).toEqual({ siteId: SITE_ID });
    expect(wrapper.get('[data-testid="client-certificate-state"]').text()).toBe('None');
    expect(wrapper.text()).toContain('No client certificate');
  });
});
