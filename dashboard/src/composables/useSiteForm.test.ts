import { provideClient } from '@urql/vue';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { type MockAnswer, mockClient } from '../test/mockClient';
import { useSiteForm } from './useSiteForm';

function withForm(answer: () => MockAnswer = () => ({ data: null })) {
  let form!: ReturnType<typeof useSiteForm>;
  const { client, operations } = mockClient(answer);
  mount(
    defineComponent({
      setup() {
        provideClient(client);
        form = useSiteForm();
        return () => h('div');
      },
    }),
  );
  return { form, operations };
}

describe('useSiteForm client rules', () => {
  it('reports every rule by its server path', () => {
    const { form } = withForm();
    form.base.url = 'ftp://example.com';
    form.base.maxRps = '0';
    form.selectMethod('JWT');
    form.auth.timeToLive = '5 parsecs';
    expect(form.validate()).toBe(false);
    expect(Object.keys(form.errors.value).sort()).toEqual(['auth.jwt.secret', 'auth.jwt.timeToLive', 'name', 'performance.maxRps', 'url']);
  });
});
