import { describe, expect, it } from 'vitest';
import { DEFAULT_FILENAME_FORMAT, extensionFor, parseFilenameFormat, renderObjectKey } from './filename.js';

const values = {
  now: new Date('2026-12-31T23:59:58.007Z'),
  uuid: '123e4567-e89b-42d3-a456-426614174000',
  siteId: 'site-1',
  deliveryId: 'delivery-9',
  contentType: 'application/json',
};

describe('filename format', () => {
  it('expands every placeholder in UTC, zero-padded', () => {
    expect(renderObjectKey('{yyyy}{MM}{dd}T{HH}{mm}{ss}.{SSS}-{epoch}/{siteId}/{deliveryId}/{uuid}.{ext}', values)).toBe(
      `20261231T235958.007-${values.now.getTime()}/site-1/delivery-9/${values.uuid}.json`,
    );
    expect(renderObjectKey(DEFAULT_FILENAME_FORMAT, values)).toBe('2026/12/31/delivery-9.json');
  });

  it.each([
    ['application/json; charset=utf-8', 'json'],
    ['application/cloudevents+json', 'json'],
    ['text/xml', 'xml'],
    ['text/csv', 'csv'],
    ['text/plain', 'txt'],
    ['application/octet-stream', 'bin'],
  ])('{ext} for %s is %s', (contentType, ext) => {
    expect(extensionFor(contentType)).toBe(ext);
  });

  it.each([
    ['{yyyy}/{MM}/out.json', 'Must contain {uuid} or {deliveryId}'],
    ['/{uuid}', 'Must not start with "/"'],
    ['a//{uuid}', '"//"'],
    ['a/../{uuid}', '".."'],
    ['{uuid}/', 'Must not end with "/"'],
    ['{uuid} {ext}', '" " is not allowed'],
    ['{uuid}?.json', '"?" is not allowed'],
    ['{nope}-{uuid}', 'Unknown placeholder {nope}'],
    ['{uuid', 'without its "}"'],
    ['uuid}', 'without its "{"'],
    [`${'a'.repeat(1000)}{uuid}`, 'longer than'],
  ])('refuses %s at save time', (format, message) => {
    const parsed = parseFilenameFormat(format);
    expect('error' in parsed && parsed.error).toContain(message);
  });
});
