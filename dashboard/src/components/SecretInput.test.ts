import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import SecretInput from './SecretInput.vue';

describe('SecretInput', () => {
  it('hides what is typed until the eye button is pressed, and hides it again', async () => {
    const wrapper = mount(SecretInput, { props: { id: 'pw', label: 'Password', modelValue: 'hunter2' } });
    const input = wrapper.get('input');
    const eye = wrapper.get('button.eye');
    expect(input.attributes('type')).toBe('password');
    expect(eye.attributes('aria-label')).toBe('Show Password');
    expect(eye.attributes('aria-pressed')).toBe('false');
    expect(eye.attributes('type')).toBe('button');
    await eye.trigger('click');
    expect(input.attributes('type')).toBe('text');
    expect(eye.attributes('aria-label')).toBe('Hide Password');
    expect(eye.attributes('aria-pressed')).toBe('true');
    await eye.trigger('click');
    expect(input.attributes('type')).toBe('password');
  });

  it('says a stored secret is set without ever showing it', () => {
    const wrapper = mount(SecretInput, { props: { id: 'pw', label: 'Password', modelValue: '', stored: true } });
    expect((wrapper.get('input').element as HTMLInputElement).value).toBe('');
    expect(wrapper.get('input').attributes('placeholder')).toBe('set — leave blank to keep');
    expect(wrapper.get('.secret-set').text()).toBe('set');
  });

  it('masks a multi-line key with the same toggle', async () => {
    const wrapper = mount(SecretInput, { props: { id: 'pem', label: 'Private key', modelValue: '', multiline: true } });
    expect(wrapper.get('textarea').classes()).toContain('masked');
    await wrapper.get('button.eye').trigger('click');
    expect(wrapper.get('textarea').classes()).not.toContain('masked');
  });

  it('emits what is typed', async () => {
    const wrapper = mount(SecretInput, { props: { id: 'pw', label: 'Password', modelValue: '' } });
    await wrapper.get('input').setValue('s3cret');
    expect(wrapper.emitted('update:modelValue')?.[0]).toEqual(['s3cret']);
  });
});
