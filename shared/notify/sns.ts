import type { MessageAttributeValue, PublishCommandInput } from '@aws-sdk/client-sns';
import type { IncidentDetail } from '../bot/incident-event';
import { chatbotNotification } from './chatbot';
import { clip, plainText } from './safe-text';
import { alertSubject, alertText } from './text';

/** SNS rejects a message (body and attributes together) above 256 KiB. */
export const SNS_MAX_BYTES = 262_144;

export function stringAttribute(value: string | undefined): MessageAttributeValue | undefined {
  // SNS rejects an attribute whose value is empty; absent ones are left out.
  const safe = value === undefined ? '' : clip(plainText(value).trim(), 256);
  return safe ? { DataType: 'String', StringValue: safe } : undefined;
}

/**
 * Attributes subscriptions can filter on (a filter policy such as
 * `{"severity": ["critical"], "state": ["opened"]}`).
 */
export function messageAttributes(detail: IncidentDetail): Record<string, MessageAttributeValue> {
  const { finding } = detail;
  const candidates = {
    rule: finding.rule,
    severity: finding.severity,
    state: detail.state,
    cluster: finding.resource.cluster,
    service: finding.resource.service,
  };
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(candidates)) {
    const attribute = stringAttribute(value);
    if (attribute) attributes[name] = attribute;
  }
  return attributes;
}

/**
 * One Publish for every protocol (`MessageStructure: 'json'`): `default` and
 * `email` the readable text, `https` the AWS Chatbot custom notification
 * (Chatbot subscribes to the topic over HTTPS). Other HTTPS subscribers get
 * the Chatbot JSON too; SQS and Lambda subscribers get `default`.
 */
export function publishInput(detail: IncidentDetail, eventId: string, topicArn: string, fallbackRegion?: string): PublishCommandInput {
  const text = alertText(detail, fallbackRegion);
  return {
    TopicArn: topicArn,
    Subject: alertSubject(detail),
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: text,
      email: text,
      https: JSON.stringify(chatbotNotification(detail, eventId, fallbackRegion)),
    }),
    MessageAttributes: messageAttributes(detail),
  };
}
