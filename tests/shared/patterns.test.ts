import { describe, expect, it } from 'vitest';
import { anyOf, firstMatch, matchesAny } from '../../shared/rules/text';

describe('anyOf: patterns behind one combined pattern', () => {
  const list = [/RESOURCE:CPU\b/i, /insufficient (CPU|memory) units? available/i, /^\s*AGENT\s*$/i];
  const patterns = anyOf(list);

  it('combines patterns of the same flags, and agrees with trying each in turn on every text', () => {
    expect(patterns.any?.source).toBe(list.map((p) => `(?:${p.source})`).join('|'));
    const texts = ['', 'resource:cpu', 'RESOURCE:CPUS', 'insufficient memory units available', '  AGENT  ', 'no AGENT here', 'x'.repeat(2000)];
    for (const text of texts) {
      const oneByOne = list.map((p) => p.exec(text)).find((m) => m !== null) ?? null;
      expect(firstMatch(text, patterns)?.[0]).toBe(oneByOne?.[0]);
      expect(matchesAny(text, patterns)).toBe(oneByOne !== null);
    }
  });

  it("returns the first pattern's match in list order, groups and all, not the leftmost in the text", () => {
    const ordered = anyOf([/memory (\w+)/i, /insufficient (\w+)/i]);
    expect(firstMatch('insufficient memory available', ordered)?.[1]).toBe('available');
  });

  it('leaves uncombined, and tries one by one, what one pattern cannot express exactly', () => {
    expect(anyOf([/a/]).any).toBeUndefined();
    expect(anyOf([/a/i, /b/]).any).toBeUndefined();
    expect(anyOf([/a/g, /b/g]).any).toBeUndefined();
    const backreference = anyOf([/(x)\1/, /(y)y/]);
    expect(backreference.any).toBeUndefined();
    expect(matchesAny('yy', backreference)).toBe(true);
    expect(firstMatch('xx', backreference)?.[0]).toBe('xx');
    // Older runtimes refuse two groups of one name in one pattern: then they are tried one by one.
    const sameGroupNames = anyOf([/(?<id>a+)/, /(?<id>b+)/]);
    expect(firstMatch('bb', sameGroupNames)?.groups?.id).toBe('bb');
  });
});
