import { describe, expect, it } from 'vitest';
import { clip, clipMrkdwn, codeBlock, defangUrls, escapeMrkdwn, inertMrkdwn, oneLine, plainText, snsSubject } from '../../shared/notify/safe-text';

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

describe('codeBlock', () => {
  it('keeps a command as it is pasted: backticks stay, & < > become the entities Slack shows as themselves', () => {
    expect(codeBlock("--query 'services[?status==`ACTIVE`]' && x <!channel>")).toBe(
      "```\n--query 'services[?status==`ACTIVE`]' &amp;&amp; x &lt;!channel&gt;\n```",
    );
  });

  it('gives no block for a command holding ```, which would close it early', () => {
    expect(codeBlock('echo ```; `id`')).toBeNull();
  });
});

describe('inertMrkdwn', () => {
  it('shows formatting, quotes and URLs as text', () => {
    expect(inertMrkdwn('*Fix* _now_ ~x~ `id`\n> https://evil.example <!here>')).toBe(
      '\u2217Fix\u2217 \u02CDnow\u02CD \u223Cx\u223C \u02CBid\u02CB\n\u203A https[:]//evil.example &lt;!here&gt;',
    );
  });

  it('leaves underscores inside words alone', () => {
    expect(inertMrkdwn('AWS_SECRET_ACCESS_KEY my_service')).toBe('AWS_SECRET_ACCESS_KEY my_service');
  });

  it('defangs every scheme', () => {
    expect(defangUrls('HTTPS://a http://b s3://c ftp://d')).toBe('HTTPS[:]//a http[:]//b s3[:]//c ftp[:]//d');
  });
});

describe('oneLine', () => {
  it('joins lines with a visible mark', () => {
    expect(oneLine('a\n  fix: b\n\nc')).toBe('a ⏎ fix: b ⏎ c');
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
