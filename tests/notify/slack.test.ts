import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseWebhookSecret, postToSlack, type SlackMessage, webhookUrlFromSecret } from '../../shared/notify/slack';

const URL_ = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:ecs-medic/slack-AbCdEf';
const message: SlackMessage = {
  text: 'CRITICAL: x',
  blocks: [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'x' }] }] }],
  unfurl_links: false,
  unfurl_media: false,
};
const fast = { timeoutMs: 1000, maxRetryAfterMs: 50 };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('postToSlack', () => {
  it('POSTs the Block Kit JSON with a timeout', async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => new Response('ok', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    await postToSlack(URL_, message);
    expect(fetchMock).toHaveBeenCalledOnce();
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(URL_);
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(init.body as string)).toEqual(message);
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('throws with Slack’s reason on an error status, without retrying', async () => {
    const fetchMock = vi.fn(async () => new Response('invalid_payload', { status: 400 }));
    vi.stubGlobal('fetch', fetchMock);
    await expect(postToSlack(URL_, message, fast)).rejects.toThrow('Slack webhook answered 400: invalid_payload');
    vi.stubGlobal('fetch', vi.fn(async () => new Response('rollup_error', { status: 500 })));
    await expect(postToSlack(URL_, message, fast)).rejects.toThrow('Slack webhook answered 500: rollup_error');
    expect(fetchMock).toHaveBeenCalledOnce();
  });

  it('retries a 429 once after Retry-After (Slack did not post it)', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(new Response('rate_limited', { status: 429, headers: { 'retry-after': '0.01' } }))
      .mockResolvedValueOnce(new Response('ok', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    await postToSlack(URL_, message, fast);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('gives up on a 429 whose Retry-After is too long, or a second 429', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 429, headers: { 'retry-after': '30' } })));
    await expect(postToSlack(URL_, message, fast)).rejects.toThrow('Slack rate-limited the webhook (429, Retry-After 30 s)');
    const twice = vi.fn(async () => new Response('rate_limited', { status: 429, headers: { 'retry-after': '0' } }));
    vi.stubGlobal('fetch', twice);
    await expect(postToSlack(URL_, message, fast)).rejects.toThrow('Slack webhook answered 429: rate_limited');
    expect(twice).toHaveBeenCalledTimes(2);
  });

  it('never sends to, nor names, a webhook URL it would not accept from the secret', async () => {
    const fetchMock = vi.fn(async () => new Response('ok', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const withCredentials = URL_.replace('https://', 'https://user:pass@');
    const error = await postToSlack(withCredentials, message, fast).catch((e: unknown) => e);
    expect(String(error)).toBe('SlackDeliveryError: not posted: the Slack webhook URL carries credentials before its host');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('names neither the URL nor the address when the request fails', async () => {
    // What fetch throws: the URL in the message, the address in the cause.
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error(`connect ECONNREFUSED 10.0.0.1:443 ${URL_}`), { code: 'ECONNREFUSED' }),
    });
    for (const thrown of [refused, new TypeError(`Failed to parse URL from ${URL_}`)]) {
      vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(thrown)));
      const error = (await postToSlack(URL_, message, fast).catch((e: unknown) => e)) as Error;
      expect(error.name).toBe('SlackDeliveryError');
      expect(JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) })).not.toMatch(/hooks\.slack\.com|XXXXXXXX|10\.0\.0\.1/);
    }
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(refused)));
    await expect(postToSlack(URL_, message, fast)).rejects.toThrow('the Slack webhook request failed: TypeError (ECONNREFUSED)');
  });

  it('masks a secret in Slack’s answer', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(`no_service for ${URL_}`, { status: 404 })));
    await expect(postToSlack(URL_, message, fast)).rejects.toThrow('Slack webhook answered 404: no_service for https://hooks.slack.com/services/[masked]');
  });

  it('times out a webhook that does not answer', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        (_url: string, init: RequestInit) =>
          new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason))),
      ),
    );
    await expect(postToSlack(URL_, message, { timeoutMs: 20, maxRetryAfterMs: 0 })).rejects.toThrow('the Slack webhook request failed: timed out after 20 ms');
  });
});

describe('the webhook secret', () => {
  it.each([
    [URL_, URL_],
    [`  ${URL_}\n`, URL_],
    [JSON.stringify({ webhookUrl: URL_ }), URL_],
  ])('reads %j', (secret, url) => {
    expect(parseWebhookSecret(secret)).toBe(url);
  });

  it('reads the default port and an upper-case host as the same URL', () => {
    expect(parseWebhookSecret(URL_.replace('hooks.slack.com', 'HOOKS.slack.com:443'))).toBe(URL_);
  });

  const PATH = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
  it.each([
    [undefined, /holds no webhook URL/],
    ['', /holds no webhook URL/],
    ['{"url": "https://hooks.slack.com/services/T/B/X"}', /holds no webhook URL/],
    ['{"webhookUrl": ', /does not parse/],
    ['hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', /is not a URL/],
    [`http://hooks.slack.com${PATH}`, /is not https/],
    [`https://user:pass@hooks.slack.com${PATH}`, /carries credentials/],
    [`https://token@hooks.slack.com${PATH}`, /carries credentials/],
    [`https://hooks.slack.com.evil.example${PATH}`, /is not on hooks.slack.com/],
    [`https://evil.example/${PATH}`, /is not on hooks.slack.com/],
    [`https://hooks.slack.com:8443${PATH}`, /port other than 443/],
    [`https://hooks.slack.com${PATH}?redirect=x`, /query or fragment/],
    [`https://hooks.slack.com${PATH}#x`, /query or fragment/],
    ['https://hooks.slack.com/workflows/T00000000/A00000000/123/abc', /incoming-webhook path/],
    ['https://hooks.slack.com/services/T00000000/B00000000/../../x', /incoming-webhook path/],
  ])('rejects %j without echoing it', (secret, problem) => {
    expect(() => parseWebhookSecret(secret)).toThrow(problem);
    try {
      parseWebhookSecret(secret);
    } catch (error) {
      expect(String(error)).not.toMatch(/user|pass|token@|XXXXXXXX|T00000000|evil/);
    }
  });

  describe('read from Secrets Manager', () => {
    const secrets = mockClient(SecretsManagerClient);
    beforeEach(() => secrets.reset());

    it('is read once and cached', async () => {
      secrets.on(GetSecretValueCommand).resolves({ SecretString: URL_ });
      const read = webhookUrlFromSecret(SECRET_ARN);
      expect(await read()).toBe(URL_);
      expect(await read()).toBe(URL_);
      expect(secrets).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
    });

    it('is read again after a failed read', async () => {
      secrets
        .on(GetSecretValueCommand)
        .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
        .resolves({ SecretString: JSON.stringify({ webhookUrl: URL_ }) });
      const read = webhookUrlFromSecret(SECRET_ARN);
      await expect(read()).rejects.toThrow('Rate exceeded');
      expect(await read()).toBe(URL_);
      expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    });
  });
});
