/**
 * A Slack incoming webhook on loopback. The notify Lambda posts only to
 * https://hooks.slack.com/services/… (port 443), so the Slack secret holds such
 * a URL and, while the notify function runs, the harness routes requests for
 * that host to this plain-HTTP server on 127.0.0.1 (standing in for DNS and
 * TLS): nothing leaves loopback, and the URL the function read is the one posted to.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const SLACK_HOST = 'https://hooks.slack.com';

export interface SlackWebhook {
  /** The webhook URL as Slack issues it, stored in the Slack secret. */
  url: string;
  /** Message bodies received (parsed JSON) at `url`'s path, in order. */
  posts: unknown[];
  /** Runs `work` with requests to hooks.slack.com sent to this server. */
  routed<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startSlackWebhook(): Promise<SlackWebhook> {
  const path = '/services/T0000E2E/B0000E2E/e2eWebhookToken0000000';
  const posts: unknown[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== path) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
        return;
      }
      try {
        posts.push(JSON.parse(body));
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } catch {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const loopback = `http://127.0.0.1:${port}`;
  return {
    url: `${SLACK_HOST}${path}`,
    posts,
    async routed(work) {
      const realFetch = globalThis.fetch;
      globalThis.fetch = (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (!url.startsWith(`${SLACK_HOST}/`)) throw new Error(`the notify function fetched ${url}, which is not the Slack webhook`);
        return realFetch(`${loopback}${url.slice(SLACK_HOST.length)}`, init);
      };
      try {
        return await work();
      } finally {
        globalThis.fetch = realFetch;
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
