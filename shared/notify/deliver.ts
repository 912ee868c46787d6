import type { IncidentDetail } from '../bot/incident-event';
import type { RemedyDetail } from '../remedy/outcome';

export type Channel = 'sns' | 'slack';

/** What notify sends: an incident (opened or resolved), or what a remedy did about one. */
export type Alert = { kind: 'incident'; detail: IncidentDetail } | { kind: 'remedy'; detail: RemedyDetail };

/** Sends one alert to one channel; rejects when the channel did not take it. */
export type Deliver = (alert: Alert, eventId: string) => Promise<void>;

export interface DeliveryReport {
  delivered: Channel[];
  failed: { channel: Channel; error: unknown }[];
}

/**
 * Every configured channel is attempted, at the same time and independently:
 * one failing (Slack down, SNS throttled) never keeps the other from sending.
 */
export async function deliverToAll(
  alert: Alert,
  eventId: string,
  channels: Partial<Record<Channel, Deliver>>,
): Promise<DeliveryReport> {
  const entries = Object.entries(channels) as [Channel, Deliver][];
  const results = await Promise.allSettled(entries.map(([, deliver]) => deliver(alert, eventId)));
  const report: DeliveryReport = { delivered: [], failed: [] };
  results.forEach((result, i) => {
    const channel = (entries[i] as [Channel, Deliver])[0];
    if (result.status === 'fulfilled') report.delivered.push(channel);
    else report.failed.push({ channel, error: result.reason });
  });
  return report;
}
