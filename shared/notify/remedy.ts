import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { INCIDENT_SOURCE } from '../bot/incident-event';
import { isObject, optional, required, type Schema, validate } from '../events/schema';
import { REMEDY_ACTIONS } from '../remedy/config';
import { REMEDY_DETAIL_TYPE, type RemedyDetail, type RemedyStatus } from '../remedy/outcome';
import { describeResource } from '../render/text';
import { type ChatbotNotification, notificationId, threadId } from './chatbot';
import { clip, codeBlock, defangUrls, inertMrkdwn, oneLine, plainText, snsSubject } from './safe-text';
import type { SlackMessage } from './slack';
import { stringAttribute } from './sns';

/**
 * A remedy outcome (shared/remedy/outcome.ts) as notify sends it: what was
 * (or would be) changed, before and after, why it was skipped or failed, the
 * template line for a stack-managed service, and the exact undo commands.
 * Every AWS-originated string goes through safe-text as the incident alert's do.
 */
export type RemedyEventParse = { status: 'valid'; id: string; detail: RemedyDetail } | { status: 'invalid'; field: string; problem: string };

const texts = (fields?: Schema) => required('array', fields ? { fields } : { items: 'string' });
const detailSchema: Schema = {
  schemaVersion: required('number'),
  fingerprint: required('string'),
  firstSeen: required('string'),
  outcome: required('object', {
    fields: {
      action: required('string'),
      rule: required('string'),
      status: required('string'),
      summary: required('string'),
      reason: optional('string'),
      values: texts({ target: required('string'), before: required('string'), after: required('string') }),
      done: texts(),
      undo: texts(),
      managedBy: optional('object', { fields: { stack: required('string'), templateLines: texts() } }),
      resource: required('object'),
    },
  }),
};

const statuses: readonly RemedyStatus[] = ['applied', 'dry-run', 'skipped', 'failed'];

export function isRemedyEvent(raw: unknown): boolean {
  return isObject(raw) && raw['detail-type'] === REMEDY_DETAIL_TYPE;
}

export function parseRemedyEvent(raw: unknown): RemedyEventParse {
  if (!isObject(raw)) return { status: 'invalid', field: '(event)', problem: 'should be object' };
  if (typeof raw.id !== 'string') return { status: 'invalid', field: 'id', problem: 'should be string' };
  if (raw.source !== INCIDENT_SOURCE) return { status: 'invalid', field: 'source', problem: `should be "${INCIDENT_SOURCE}"` };
  if (!isObject(raw.detail)) return { status: 'invalid', field: 'detail', problem: 'should be object' };
  const problem = validate(raw.detail, detailSchema, 'detail');
  if (problem) return { status: 'invalid', ...problem };
  const detail = raw.detail as unknown as RemedyDetail;
  if (!statuses.includes(detail.outcome.status)) return { status: 'invalid', field: 'detail.outcome.status', problem: `should be one of ${statuses.join(', ')}` };
  if (!REMEDY_ACTIONS.includes(detail.outcome.action)) return { status: 'invalid', field: 'detail.outcome.action', problem: `should be one of ${REMEDY_ACTIONS.join(', ')}` };
  for (const [key, value] of Object.entries(detail.outcome.resource)) {
    if (typeof value !== 'string') return { status: 'invalid', field: `detail.outcome.resource.${key}`, problem: 'should be string' };
  }
  return { status: 'valid', id: raw.id, detail };
}

const heading: Record<RemedyStatus, string> = { applied: 'AUTO-FIX APPLIED', 'dry-run': 'AUTO-FIX DRY RUN', skipped: 'AUTO-FIX SKIPPED', failed: 'AUTO-FIX FAILED' };
const icon: Record<RemedyStatus, string> = { applied: ':wrench:', 'dry-run': ':mag:', skipped: ':no_entry_sign:', failed: ':x:' };

/** The one key notify sends a remedy outcome under: one per incident and action, whatever its status. */
export function remedyAlertKey(detail: RemedyDetail): string {
  return `remedy|${detail.fingerprint}|${detail.firstSeen}|${detail.outcome.action}`;
}

/** The outcome's lines, label and text, for every channel: display text, made safe by each renderer. */
function lines(detail: RemedyDetail): [label: string, text: string][] {
  const { outcome } = detail;
  const managed = outcome.managedBy;
  return [
    ['rule', `${outcome.rule} (auto-fix ${outcome.action})`],
    ['where', describeResource(outcome.resource)],
    ...outcome.values.map((v): [string, string] => ['change', `${v.target}: ${v.before} → ${v.after}`]),
    ...(outcome.reason ? [['why', outcome.reason] as [string, string]] : []),
    ...outcome.done.map((step): [string, string] => ['done', step]),
    ...(managed
      ? [
          ['managed', `by CloudFormation stack ${managed.stack}: the next deploy may set it back; make the same change in the template`] as [string, string],
          ...managed.templateLines.map((line): [string, string] => ['template', line]),
        ]
      : []),
    ['incident', `${detail.fingerprint} (opened ${detail.firstSeen})`],
  ];
}

export function remedyText(detail: RemedyDetail): string {
  const label = (name: string) => `  ${`${name}:`.padEnd(11)}`;
  return [
    `${heading[detail.outcome.status]}  ${oneLine(defangUrls(plainText(detail.outcome.summary)))}`,
    ...lines(detail).map(([name, text]) => `${label(name)}${oneLine(defangUrls(plainText(text)))}`),
    // Commands stay exactly as they are to be pasted, one per line.
    ...detail.outcome.undo.map((command, i) => `${label(i === 0 ? 'undo' : '')}${plainText(oneLine(command))}`),
  ].join('\n');
}

export function remedySubject(detail: RemedyDetail): string {
  return snsSubject(`[ecs-medic] ${heading[detail.outcome.status]} ${clip(detail.outcome.resource.service ?? '', 40)}: ${detail.outcome.summary}`);
}

function chatbotRemedy(detail: RemedyDetail, eventId: string): ChatbotNotification {
  const inert = (text: string) => inertMrkdwn(oneLine(text));
  const undo = detail.outcome.undo.map(codeBlock).filter((block): block is string => block !== null);
  return {
    version: '1.0',
    source: 'custom',
    id: notificationId(eventId),
    content: {
      textType: 'client-markdown',
      title: `${icon[detail.outcome.status]} ${heading[detail.outcome.status]}: ${inert(detail.outcome.summary)}`,
      description: [...lines(detail).map(([name, text]) => `*${name}:* ${inert(text)}`), ...(undo.length > 0 ? ['*Undo:*', ...undo] : [])].join('\n'),
    },
    // The incident's thread: the outcome lands under its alert.
    metadata: { threadId: threadId(detail.fingerprint), eventType: `ecs-medic-remedy-${detail.outcome.status}` },
  };
}

export function remedyPublishInput(detail: RemedyDetail, eventId: string, topicArn: string): PublishCommandInput {
  const text = remedyText(detail);
  const attributes = { rule: detail.outcome.rule, remedy: detail.outcome.status, cluster: detail.outcome.resource.cluster, service: detail.outcome.resource.service };
  return {
    TopicArn: topicArn,
    Subject: remedySubject(detail),
    MessageStructure: 'json',
    Message: JSON.stringify({ default: text, email: text, https: JSON.stringify(chatbotRemedy(detail, eventId)) }),
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).flatMap(([name, value]) => {
        const attribute = stringAttribute(value);
        return attribute ? [[name, attribute]] : [];
      }),
    ),
  };
}

export function remedySlackMessage(detail: RemedyDetail): SlackMessage {
  const status = detail.outcome.status;
  const text = (value: string) => ({ type: 'text' as const, text: value === '' ? ' ' : clip(oneLine(plainText(value)), 2900) });
  const bold = (value: string) => ({ type: 'text' as const, text: value, style: { bold: true } });
  return {
    text: clip(inertMrkdwn(`${heading[status]}: ${oneLine(detail.outcome.summary)}`), 300),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(`${icon[status]} ${heading[status]}: ${defangUrls(oneLine(detail.outcome.summary))}`, 150), emoji: true } },
      {
        type: 'rich_text',
        elements: [{ type: 'rich_text_section', elements: lines(detail).flatMap(([name, value], i) => [bold(`${i > 0 ? '\n' : ''}${name}: `), text(defangUrls(value))]) }],
      },
      ...(detail.outcome.undo.length > 0
        ? [
            {
              type: 'rich_text' as const,
              elements: [
                { type: 'rich_text_section' as const, elements: [bold('Undo')] },
                { type: 'rich_text_preformatted' as const, elements: [{ type: 'text' as const, text: clip(plainText(detail.outcome.undo.join('\n')), 2900) }] },
              ],
            },
          ]
        : []),
    ],
    unfurl_links: false,
    unfurl_media: false,
  };
}
