import { describe, expect, it } from 'vitest';
import { explainText } from '../../shared/diagnose';
import { MASK, maskSecrets } from '../../shared/redact';

describe('maskSecrets', () => {
  it.each([
    [
      'the Slack webhook path',
      'post https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX failed',
      `post https://hooks.slack.com/services/${MASK} failed`,
    ],
    ['a password in a URL', 'dial postgres://app:s3cr3t!@db.internal:5432/app refused', `dial postgres://app:${MASK}@db.internal:5432/app refused`],
    ['a webhook URL with credentials', 'https://user:pass@hooks.slack.com/services/T0/B0/x', `https://user:${MASK}@hooks.slack.com/services/${MASK}`],
    ['a token as the whole userinfo', 'git clone https://ghp_abc@github.com/org/repo', `git clone https://${MASK}@github.com/org/repo`],
    [
      'an environment line',
      'env: AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY DB_PASSWORD="hunter2" PORT=8080',
      `env: AWS_ACCESS_KEY_ID=${MASK} AWS_SECRET_ACCESS_KEY=${MASK} DB_PASSWORD="${MASK}" PORT=8080`,
    ],
    [
      'a presigned URL',
      'GET https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/sha256/abc?X-Amz-Security-Token=IQoJb3JpZ2luX2Vj&X-Amz-Date=20250506T110308Z&X-Amz-Credential=ASIAEXAMPLE%2F20250506%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=9f1c2a',
      `GET https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/sha256/abc?X-Amz-Security-Token=${MASK}&X-Amz-Date=20250506T110308Z&X-Amz-Credential=${MASK}&X-Amz-Signature=${MASK}`,
    ],
    ['a JSON secret', '{"username": "app", "password": "hunter2", "api_key": "k-123"}', `{"username": "app", "password": "${MASK}", "api_key": "${MASK}"}`],
    ['a bearer token', 'Authorization: Bearer abcdefghijklmnop.qrs', `Authorization: Bearer ${MASK}`],
    ['a Slack bot token', 'invalid_auth for xoxb-1234567890-abcdefghij', `invalid_auth for ${MASK}`],
    ['a GitHub token', 'token ghp_0123456789abcdefghijABCDEFGHIJ012345 expired', `token ${MASK} expired`],
    ['a JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', `jwt ${MASK}`],
    ['a private key', 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY----- done', `key: -----BEGIN RSA PRIVATE KEY----- ${MASK} done`],
  ])('masks %s', (_label, text, masked) => {
    expect(maskSecrets(text)).toBe(masked);
  });

  it.each([
    'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:0123abcd: not found',
    'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf',
    'User: arn:aws:sts::123456789012:assumed-role/web-task/abc is not authorized to perform: secretsmanager:GetSecretValue',
    'aws ecs update-service --cluster prod --service web --health-check-grace-period-seconds 90',
    'aws logs create-log-group --log-group-name /ecs/web --region us-east-1',
    'in the container definition\'s logConfiguration.options, set "awslogs-create-group": "true"',
    'Basic authentication failed',
  ])('leaves ordinary AWS text and fixes alone: %s', (text) => {
    expect(maskSecrets(text)).toBe(text);
  });
});

describe('findings', () => {
  it('never carry a secret an AWS text quotes: evidence, explanation and fix are masked where the finding is built', async () => {
    const reason =
      'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist (env AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX)';
    const [finding] = await explainText(reason);
    expect(finding?.rule).toBe('log-group-missing');
    const json = JSON.stringify(finding);
    expect(json).not.toContain('wJalrXUtnFEMI');
    expect(json).not.toContain('XXXXXXXXXXXXXXXXXXXXXXXX');
    expect(json).toContain(`AWS_SECRET_ACCESS_KEY=${MASK}`);
  });
});
