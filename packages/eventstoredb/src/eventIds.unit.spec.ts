import { describe, expect, it } from 'vitest';
import { esdbEventId, uuidV5 } from './eventIds.js';

describe('UUID v5 event ids', () => {
  it('gives the RFC 9562 example: "www.example.com" in the DNS namespace', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('hashes UTF-8 names', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_URL, '返点') == '2d0ee2e9-434d-57f9-8cfa-d1b18abf9d70'
    expect(uuidV5('返点', '6ba7b811-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2d0ee2e9-434d-57f9-8cfa-d1b18abf9d70',
    );
  });

  it('maps an eventId to the same id every time, and to another id in another namespace', () => {
    const id = esdbEventId('chanperf', 'sale-1');
    expect(id).toBe(esdbEventId('chanperf', 'sale-1'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(esdbEventId('chanperf', 'sale-2')).not.toBe(id);
    expect(esdbEventId('other', 'sale-1')).not.toBe(id);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(TypeError);
  });
});
