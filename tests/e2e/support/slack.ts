/**
 * A Slack incoming webhook on loopback. The notify Lambda accepts only https
 * webhook URLs, so this one serves TLS with a self-signed certificate for
 * 127.0.0.1 (tests/e2e/fixtures), which the notify runs trust through
 * NODE_TLS_REJECT_UNAUTHORIZED=0 — for this process only, while they run.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SlackWebhook {
  url: string;
  /** Message bodies received (parsed JSON), in order. */
  posts: unknown[];
  close(): Promise<void>;
}

export async function startSlackWebhook(): Promise<SlackWebhook> {
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
  const posts: unknown[] = [];
  const server = createServer({ key: fixture('slack-loopback.key'), cert: fixture('slack-loopback.crt') }, (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
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
  return {
    url: `https://127.0.0.1:${port}/services/T000/B000/e2e`,
    posts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
