import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fingerprint } from '../../shared/incidents/fingerprint';
import { exampleIncident, incidentEvent } from '../../shared/notify/example';
import { REMEDY_DETAIL_TYPE, type RemedyDetail } from '../../shared/remedy/outcome';
import { notifyContext, notifyTable } from '../support/notify-table';
import { service } from './support';

vi.hoisted(() => {
  Object.assign(process.env, {
    ECS_MEDIC_DLQ_URL: 'https://sqs.us-west-2.amazonaws.com/111111111111/ecs-medic-remediate-dlq',
    ECS_MEDIC_REMEDIATION: JSON.stringify({ modes: { 'grace-period': 'on', 'log-group': 'on' } }),
  });
});

// The same table set-up as notify's: the handler reads it at cold start.
const local = await notifyTable();
afterAll(() => local.stop());
const { handler } = await import('../../functions/remediate/handler');

const ecs = mockClient(ECSClient);
const events = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const context = notifyContext();
let incidents = 0;

beforeEach(() => {
  ecs.reset();
  events.reset();
  sqs.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => ({ services: [service({ serviceName: input.services[0] })], failures: [] }));
  ecs.on(UpdateServiceCommand).resolves({ service: service({ healthCheckGracePeriodSeconds: 90 }) });
  local.resetRequests();
});

/** An opened incident of the example, on a service of its own (the ledger's cool-down is per service). */
async function openedEvent(name = 'webserver') {
  incidents += 1;
  const example = await exampleIncident('health-check-grace-period');
  const finding = { ...example.finding, resource: { ...example.finding.resource, service: name } };
  return incidentEvent({ ...example, finding, fingerprint: fingerprint(finding), firstSeen: new Date(Date.UTC(2025, 4, 6, 11, incidents)).toISOString() }, `evt-${incidents}`);
}

describe('remediate handler', () => {
  it('raises the grace period of a tagged looping service and publishes the outcome on the bus: the calls of one change', async () => {
    const result = await handler(await openedEvent(), context);
    expect(result).toMatchObject({ status: 'published', outcome: { status: 'applied' } });
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'example-cluster', services: ['webserver'], include: ['TAGS'] }]);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'example-cluster', service: 'webserver', healthCheckGracePeriodSeconds: 90 }]);
    const [entry] = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entry).toMatchObject({ Source: 'ecs-medic', DetailType: REMEDY_DETAIL_TYPE });
    const detail = JSON.parse(entry?.Detail as string) as RemedyDetail;
    expect(detail.outcome).toMatchObject({ status: 'applied', summary: 'raised the grace period of service webserver from 0 s to 90 s', values: [{ before: '0', after: '90' }] });
    // One grace-period change: 2 ECS calls (DescribeServices, UpdateService), 1 PutEvents, 4 ledger requests.
    expect(ecs.calls()).toHaveLength(2);
    expect(events.calls()).toHaveLength(1);
    expect(local.requestCounts()).toEqual({ GetItem: 1, UpdateItem: 3 });
  });

  it('a second delivery of the event changes nothing again and republishes the recorded outcome', async () => {
    const event = await openedEvent('checkout');
    await handler(event, context);
    await handler(event, context);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    const outcomes = events.commandCalls(PutEventsCommand).map((c) => JSON.parse(c.args[0].input.Entries?.[0]?.Detail as string) as RemedyDetail);
    expect(outcomes.map((d) => d.outcome.status)).toEqual(['applied', 'applied']);
    expect(outcomes[1]).toEqual(outcomes[0]);
    // The redelivery reads the service and the ledger, and plans nothing: no account read beyond DescribeServices.
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(2);
  });

  it('dead-letters a malformed event, reading and changing nothing', async () => {
    expect(await handler({ source: 'ecs-medic', 'detail-type': 'ECS Medic Incident', id: 'x', detail: {} }, context)).toEqual({ status: 'malformed' });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(ecs.calls()).toHaveLength(0);
  });
});
