import type { IncidentDetail } from '../bot/incident-event';

export type Channel = 'sns' | 'slack';

/** Sends one incident to one channel; rejects when the channel did not take it. */
export type Deliver = (detail: IncidentDetail, eventId: string) => Promise<void>;

export interface DeliveryReport {
  delivered: Channel[];
  failed: { channel: Channel; error: unknown }[];
}

/**
 * Every configured channel is attempted, at the same time and independently:
 * one failing (Slack down, SNS throttled) never keeps the other from sending.
 */
export async function deliverToAll(
  detail: IncidentDetail,
  eventId: string,
  channels: Partial<Record<Channel, Deliver>>,
): Promise<DeliveryReport> {
  const entries = Object.entries(channels) as [Channel, Deliver][];
  const results = await Promise.allSettled(entries.map(([, deliver]) => deliver(detail, eventId)));
  const report: DeliveryReport = { delivered: [], failed: [] };
  results.forEach((result, i) => {
    const channel = (entries[i] as [Channel, Deliver])[0];
    if (result.status === 'fulfilled') report.delivered.push(channel);
    else report.failed.push({ channel, error: result.reason });
  });
  return report;
}
