/**
 * EventBridge events from source `aws.ecs`, typed as AWS documents them
 * (ECS Developer Guide, "Amazon ECS events"). Every object is open: AWS adds
 * fields every year, and the parser must not reject what it does not know.
 */

type Open = { [key: string]: unknown };

export interface EventEnvelope<DetailType extends string, Detail> extends Open {
  version: string;
  id: string;
  'detail-type': DetailType;
  source: string;
  account: string;
  /** Absent from some AWS samples (the Fargate Spot one), so optional. */
  time?: string;
  region?: string;
  resources?: string[];
  detail: Detail;
}

export interface NameValue extends Open {
  name: string;
  value?: string;
}

export interface ContainerDetail extends Open {
  name: string;
  containerArn?: string;
  lastStatus?: string;
  image?: string;
  imageDigest?: string;
  exitCode?: number;
  reason?: string;
  cpu?: string;
  memory?: string;
  healthStatus?: string;
}

export interface TaskAttachment extends Open {
  id?: string;
  type?: string;
  status?: string;
  details?: NameValue[];
}

export interface TaskDetail extends Open {
  taskArn: string;
  clusterArn: string;
  lastStatus: string;
  desiredStatus?: string;
  taskDefinitionArn?: string;
  group?: string;
  startedBy?: string;
  launchType?: string;
  capacityProviderName?: string;
  platformVersion?: string;
  containerInstanceArn?: string;
  availabilityZone?: string;
  cpu?: string;
  memory?: string;
  stopCode?: string;
  stoppedReason?: string;
  createdAt?: string;
  startedAt?: string;
  stoppingAt?: string;
  stoppedAt?: string;
  updatedAt?: string;
  enableExecuteCommand?: boolean;
  attachments?: TaskAttachment[];
  containers?: ContainerDetail[];
  version?: number;
}

export interface ServiceActionDetail extends Open {
  eventType: string;
  eventName: string;
  clusterArn: string;
  createdAt?: string;
  reason?: string;
  capacityProviderArns?: string[];
  containerInstanceArns?: string[];
}

export interface DeploymentDetail extends Open {
  eventType: string;
  eventName: string;
  deploymentId?: string;
  updatedAt?: string;
  reason?: string;
}

export interface ResourceAmount extends Open {
  name: string;
  type?: string;
  integerValue?: number;
  stringSetValue?: string[];
}

export interface ContainerInstanceDetail extends Open {
  clusterArn: string;
  containerInstanceArn: string;
  ec2InstanceId?: string;
  agentConnected?: boolean;
  status?: string;
  attributes?: NameValue[];
  registeredResources?: ResourceAmount[];
  remainingResources?: ResourceAmount[];
  versionInfo?: { agentHash?: string; agentVersion?: string; dockerVersion?: string };
  version?: number;
  updatedAt?: string;
}

export interface CloudTrailDetail extends Open {
  eventSource: string;
  eventName: string;
  eventTime?: string;
  awsRegion?: string;
  userIdentity?: Open & { type?: string; arn?: string };
  requestParameters?: Open | null;
  responseElements?: Open | null;
  errorCode?: string;
  errorMessage?: string;
  eventID?: string;
}

export type TaskStateChangeEvent = EventEnvelope<'ECS Task State Change', TaskDetail>;
export type ServiceActionEvent = EventEnvelope<'ECS Service Action', ServiceActionDetail>;
export type DeploymentStateChangeEvent = EventEnvelope<'ECS Deployment State Change', DeploymentDetail>;
export type ContainerInstanceStateChangeEvent = EventEnvelope<
  'ECS Container Instance State Change',
  ContainerInstanceDetail
>;
export type EcsApiCallEvent = EventEnvelope<'AWS API Call via CloudTrail', CloudTrailDetail>;

export type EcsEvent =
  | TaskStateChangeEvent
  | ServiceActionEvent
  | DeploymentStateChangeEvent
  | ContainerInstanceStateChangeEvent
  | EcsApiCallEvent;

export type EcsDetailType = EcsEvent['detail-type'];
