import { describe, expect, it } from 'vitest';
import { clip, clipMrkdwn, codeBlock, escapeCode, escapeMrkdwn, plainText, snsSubject } from '../../shared/notify/safe-text';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel> the task died', '&lt;!channel&gt; the task died'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['<@U024BE7LH> look', '&lt;@U024BE7LH&gt; look'],
    ['<https://evil.example|click here>', '&lt;https://evil.example|click here&gt;'],
    ['AT&T &amp; co', 'AT&amp;T &amp;amp; co'],
  ])('makes %j inert', (hostile, inert) => {
    expect(escapeMrkdwn(hostile)).toBe(inert);
  });

  it('drops control and bidi characters but keeps line breaks', () => {
    expect(escapeMrkdwn('a\u0007b\u202Ecd\r\ne\tf\u0000')).toBe('abcd\ne\tf');
  });
});

describe('code', () => {
  it('cannot be closed early by backticks in AWS strings', () => {
    const block = codeBlock('echo ```; <!channel> `id`');
    expect(block.match(/```/g)).toHaveLength(2);
    expect(block).toBe('```\necho ˋˋˋ; &lt;!channel&gt; ˋidˋ\n```');
    expect(escapeCode('`x`')).not.toContain('`');
  });
});

describe('plainText', () => {
  it('keeps the text readable and removes what could hide or reorder it', () => {
    expect(plainText('stopped\u202E by\u0008 <!channel>\r\nnext')).toBe('stopped by <!channel>\nnext');
  });
});

describe('clip', () => {
  it('leaves short text alone and marks a cut', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcdef', 4)).toBe('abc…');
  });

  it('never splits a surrogate pair', () => {
    const clipped = clip('ab😀cd', 4);
    expect(clipped).toBe('ab…');
  });

  it('never leaves half an entity in escaped mrkdwn', () => {
    expect(clipMrkdwn('abc &lt;!channel&gt;', 7)).toBe('abc …');
  });
});

describe('snsSubject', () => {
  it('is printable ASCII, one line, under 100 characters', () => {
    const subject = snsSubject(`[ecs-medic] CRITICAL café\u202E\nservice: ${'très long '.repeat(20)}`);
    expect(subject).toMatch(/^[\x20-\x7E]+$/);
    expect(subject.length).toBeLessThan(100);
    expect(subject.startsWith('[ecs-medic] CRITICAL cafe service: tres long')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('starts with a letter, number or punctuation mark', () => {
    expect(snsSubject('  ~~ ^^ 😀 hello')).toBe('hello');
  });
});
