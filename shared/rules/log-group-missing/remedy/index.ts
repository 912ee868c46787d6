import type { Service } from '@aws-sdk/client-ecs';
import { cut } from '../../../bot/incident-event';
import { defineRemedy, type RemedyCase } from '../../remedy';
import { shellArg } from '../../text';
import { type AwslogsTarget, awslogsTargets } from '../detect';

/**
 * Creates each missing awslogs-group of the service's task definition in its
 * awslogs-region, under the allowed name prefixes only, with a retention
 * policy, the KMS key where configured, and tags saying who created it and
 * why. A group that exists by then (created meanwhile) is left as it is.
 */

export interface LogGroupFacts {
  taskDefinition: string;
  targets: AwslogsTarget[];
  /** Groups read as existing (only those in the service's own Region are read; the others are created if missing). */
  existing: string[];
}

export interface LogGroupChange {
  groups: { name: string; region: string }[];
  retentionDays: number;
  kmsKeyId: string | undefined;
  account: string;
  tags: Record<string, string>;
}

/** CloudWatch Logs tag values allow letters, digits, spaces and _.:/=+-@ only, up to 256 characters. */
const tagValue = (text: string) => cut(text.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '/'), 256);

export function deleteCommand(group: { name: string; region: string }): string {
  return `aws logs delete-log-group --log-group-name ${shellArg(group.name, 'log-group')} --region ${shellArg(group.region, 'region')}`;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : '');

export default defineRemedy<LogGroupFacts, LogGroupChange>({
  action: 'log-group',
  rule: 'log-group-missing',
  needs: ['ecs:DescribeTaskDefinition', 'logs:DescribeLogGroups'],
  writes: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],

  async gather(incident: RemedyCase, service: Service, reader) {
    const taskDefinition = service.taskDefinition;
    if (!taskDefinition) return "the service's task definition (DescribeServices names none)";
    try {
      const described = await reader.read('ecs:DescribeTaskDefinition', { taskDefinition });
      const targets = awslogsTargets(described.taskDefinition?.containerDefinitions);
      const existing: string[] = [];
      for (const target of targets) {
        if ((target.region ?? incident.region) !== incident.region) continue;
        const groups = await reader.read('logs:DescribeLogGroups', { logGroupNamePrefix: target.group });
        if (groups.logGroups?.some((g) => g.logGroupName === target.group)) existing.push(target.group);
      }
      return { taskDefinition, targets, existing };
    } catch (error) {
      return `the task definition's log groups: ${errorName(error)}: ${(error as Error).message}`;
    }
  },

  plan(incident, { taskDefinition, targets, existing }, bounds) {
    const seen = new Set<string>();
    const missing: { name: string; region: string }[] = [];
    for (const target of targets) {
      const group = { name: target.group, region: target.region ?? incident.region };
      const key = `${group.region} ${group.name}`;
      if (existing.includes(group.name) || seen.has(key)) continue;
      seen.add(key);
      missing.push(group);
    }
    if (missing.length === 0) return { kind: 'nothing', reason: `every awslogs-group of ${taskDefinition} exists` };
    const outside = missing.filter((g) => !bounds.logGroupPrefixes.some((prefix) => g.name.startsWith(prefix)));
    if (outside.length > 0) {
      return {
        kind: 'refusal',
        reason: `log group ${outside.map((g) => g.name).join(', ')} is outside the prefixes ecs-medic may create under (${bounds.logGroupPrefixes.join(', ') || 'none'})`,
      };
    }
    const names = missing.map((g) => g.name).join(', ');
    const settings = `retention ${bounds.retentionDays} days${bounds.kmsKeyId ? ', encrypted with the configured KMS key' : ''}`;
    return {
      kind: 'change',
      change: {
        groups: missing,
        retentionDays: bounds.retentionDays,
        kmsKeyId: bounds.kmsKeyId,
        account: incident.account,
        tags: { 'created-by': 'ecs-medic', why: tagValue(`rule log-group-missing incident ${incident.fingerprint} opened ${incident.firstSeen}`) },
      },
      summary: `create log group ${names} (${settings})`,
      did: `created log group ${names} (${settings})`,
      values: missing.map((g) => ({ target: `log group ${g.name} (${g.region})`, before: 'does not exist', after: `exists, retention ${bounds.retentionDays} days` })),
      undo: missing.map(deleteCommand),
      templateLines: missing.flatMap((g) => [
        `CloudFormation: an AWS::Logs::LogGroup with LogGroupName: ${g.name} (or, being created now, import it: the stack cannot create a group that exists)`,
        `CDK: new logs.LogGroup(this, 'Logs', { logGroupName: '${g.name}' }) (or logs.LogGroup.fromLogGroupName for the one created now)`,
        `Terraform: resource "aws_cloudwatch_log_group" with name = "${g.name}" (terraform import it)`,
      ]),
    };
  },

  async apply(change, writer, done) {
    for (const group of change.groups) {
      try {
        await writer.write(
          'logs:CreateLogGroup',
          { logGroupName: group.name, ...(change.kmsKeyId ? { kmsKeyId: change.kmsKeyId } : {}) },
          group.region,
        );
      } catch (error) {
        // Created meanwhile (by ECS with awslogs-create-group, a deploy, a person): what was wanted exists; it is not ecs-medic's to change.
        if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
        done.push(`log group ${group.name} (${group.region}): already existed, left as it is`);
        continue;
      }
      await writer.write('logs:PutRetentionPolicy', { logGroupName: group.name, retentionInDays: change.retentionDays }, group.region);
      await writer.write('logs:TagResource', { resourceArn: `arn:aws:logs:${group.region}:${change.account}:log-group:${group.name}`, tags: change.tags }, group.region);
      done.push(`log group ${group.name} (${group.region}): created, retention ${change.retentionDays} days, tagged`);
    }
  },
});
