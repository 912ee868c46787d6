import { describe, expect, it } from 'vitest';
import { recordedEntries } from './moto';

describe("moto's request recording", () => {
  const entry = (url: string, body: string) => JSON.stringify({ headers: {}, method: 'POST', url, body, body_encoded: false });

  it('reads every entry, also two that concurrent requests left on one line', () => {
    const tricky = '{"a": "} { \\" }"}';
    const text = `${entry('http://localhost/1', tricky)}\n${entry('http://localhost/2', '')}${entry('http://localhost/3', '{}')}\n\n`;
    expect(recordedEntries(text).map((e) => [e.url, e.body])).toEqual([
      ['http://localhost/1', tricky],
      ['http://localhost/2', ''],
      ['http://localhost/3', '{}'],
    ]);
  });

  it('leaves out an entry still being written', () => {
    expect(recordedEntries(`${entry('http://localhost/1', '')}\n{"headers": {"a"`)).toHaveLength(1);
  });
});
