import { ruleTester } from '../rule-tester';
import rule from '../../shared/rules/task-retirement';
import { stoppedTaskEvent } from '../fixtures/events';

const MAINTENANCE = 'ECS is performing maintenance on the underlying infrastructure hosting the task';
const MAINTENANCE_SOURCE = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-maintenance.html (../shared/reference/ecs-events.md §8.1)';

ruleTester(rule, {
  invalid: [
    {
      name: 'the documented stoppedReason',
      text: MAINTENANCE,
      source: MAINTENANCE_SOURCE,
      cause: null,
      fixIncludes: ['aws ecs put-account-setting-default --name fargateTaskRetirementWaitPeriod --value 14', 'aws health describe-events'],
    },
    { name: 'cut short', text: MAINTENANCE.slice(0, 62), source: MAINTENANCE_SOURCE, cause: null },
    { name: 'lower-cased', text: MAINTENANCE.toLowerCase(), source: MAINTENANCE_SOURCE, cause: null },
    {
      name: 'a service task is replaced on its own',
      event: stoppedTaskEvent({ stoppedReason: MAINTENANCE, group: 'service:webserver' }),
      source: MAINTENANCE_SOURCE,
      cause: null,
      explanationIncludes: ['starts a replacement'],
    },
    {
      name: 'a standalone task is not restarted',
      event: stoppedTaskEvent({ stoppedReason: MAINTENANCE, group: 'family:webserver' }),
      source: MAINTENANCE_SOURCE,
      cause: 'standalone-task',
      fixIncludes: ['aws ecs run-task --cluster example-cluster --task-definition webserver'],
    },
    {
      name: 'stopCode InfrastructureHealth with the maintenance text',
      event: stoppedTaskEvent({ stoppedReason: MAINTENANCE, stopCode: 'InfrastructureHealth', group: 'service:webserver' }),
      source: 'Python SDK v4 TaskStopCode enum (../shared/reference/ecs-events.md §2.3) with the task-maintenance text',
      cause: null,
    },
  ],
  valid: [
    {
      name: 'a Spot interruption',
      event: stoppedTaskEvent({ stoppedReason: 'Your Spot Task was interrupted.', stopCode: 'TerminationNotice' }),
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html',
    },
    {
      name: 'a user stop',
      event: stoppedTaskEvent({ stoppedReason: 'Task stopped by user', stopCode: 'UserInitiated' }),
      source: 'https://repost.aws/knowledge-center/ecs-task-stopped',
    },
    {
      name: 'an EC2 host going away is not Fargate maintenance',
      text: 'Host EC2 (instance id) stopped/terminated',
      source: 'awsdocs stopped-task-errors-classic-console.md (../shared/reference/ecs-events.md §8.1)',
    },
  ],
});
