import { at, isUnresolved, type Report, type StaticCheck, seen, type TaskDefinitionSubject } from '../../static/check';
import { containersOf, familyLabel } from '../../static/task-definition';
import { awslogsTargets } from './detect';

/**
 * Seed footgun 7, before the first task: an awslogs-group that does not
 * exist, without awslogs-create-group, stops every task at start.
 */

function checkLogGroups({ taskDefinition: td, around }: TaskDefinitionSubject, report: Report): void {
  const family = familyLabel(td.value);
  for (const { container, path } of containersOf(td.value)) {
    const [target] = awslogsTargets([container]);
    if (!target || target.createGroup) continue;
    const groupPath = `${path}/logConfiguration/options/awslogs-group`;
    const exists = around.logGroupExists(target.group);
    if (exists === true) continue;
    if (exists === undefined) {
      report.unchecked(td.origin, `whether log group ${target.group} (container ${target.container}) exists`, isUnresolved(target.group) ? 'its name is not known until deployment' : (around.accountFacts ?? 'not described'));
      continue;
    }
    report.issue({
      cause: null,
      severity: 'critical',
      title: `Log group ${target.group} of task definition ${family} does not exist`,
      explanation: `Container ${target.container} logs with awslogs to ${target.group}, which does not exist, and awslogs-create-group is not set: every task of this definition fails to start ("The specified log group does not exist").`,
      fix: `aws logs create-log-group --log-group-name ${target.group}${target.region ? ` --region ${target.region}` : ''}\nor set "awslogs-create-group": "true" in ${target.container}'s logConfiguration.options and grant the execution role logs:CreateLogGroup.`,
      at: at(td, groupPath),
      evidence: [seen(td, groupPath, `awslogs-group ${target.group}, no awslogs-create-group`)],
    });
  }
}

const logGroupMissingCheck: StaticCheck = {
  rule: 'log-group-missing',
  causes: [],
  summary:
    'task definitions: each awslogs-group without awslogs-create-group "true" exists (audit: logs:DescribeLogGroups; lint and CDK: created by the same template)',
  taskDefinition: checkLogGroups,
};

export default logGroupMissingCheck;
