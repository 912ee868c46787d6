import type { Signal, SignalOf } from '../../events/signals';
import type { Detection } from '../rule';
import { anyOf, firstMatch, matchesAny, type Patterns, quoted, shellArg } from '../text';
import { architectureFix, taskArchitecture, taskOf } from '../../facts/task';

/** Every pattern below contains one of these: one test spares the rest on texts that name no pull failure. */
const mentionsPull =
  /CannotPull\w*Error|registry auth|pull rate limit|toomanyrequests|descriptor (for|matching) platform|no matching manifest|manifest for|pull access denied|GetImageBlob|failed to register layer|pull the image|requested access to the resource|Error: image|for pull after error|pull image|while pulling/i;

export type PullCause = 'not-found' | 'network' | 'rate-limit' | 'wrong-platform' | 'disk-full' | 'registry-auth';

export interface Registry {
  /** The image as the text or event names it. */
  image?: string | undefined;
  ecr: boolean;
  region?: string | undefined;
  account?: string | undefined;
  repository?: string | undefined;
  tag?: string | undefined;
}

export function ecrEndpointCommands(region: string | undefined, vpc?: string, subnet?: string, routeTable?: string): string[] {
  const r = shellArg(region, 'region');
  const vpcArg = shellArg(vpc, 'vpc-id');
  return [
    ...['ecr.api', 'ecr.dkr'].map(
      (service) =>
        `aws ec2 create-vpc-endpoint --vpc-id ${vpcArg} --vpc-endpoint-type Interface --service-name com.amazonaws.${r}.${service} --subnet-ids ${shellArg(subnet, 'task-subnet-id')} --security-group-ids <endpoint-sg-allowing-443-from-tasks> --private-dns-enabled --region ${r}`,
    ),
    `aws ec2 create-vpc-endpoint --vpc-id ${vpcArg} --vpc-endpoint-type Gateway --service-name com.amazonaws.${r}.s3 --route-table-ids ${shellArg(routeTable, 'route-table-id')} --region ${r}`,
  ];
}

/** Checked in order: a rate-limit or platform text may also say "failed to resolve ref". */
const causePatterns: readonly { cause: PullCause; patterns: Patterns }[] = [
  {
    cause: 'wrong-platform',
    patterns: anyOf([
      /failed to find a descriptor for platform/i,
      /no matching manifest for \S+ in the manifest list entries/i,
      /does not contain descriptor matching platform/i,
    ]),
  },
  {
    cause: 'rate-limit',
    patterns: anyOf([/toomanyrequests/i, /You have reached your pull rate limit/i, /CannotPullContainerError.*\b429 Too Many Requests/i]),
  },
  {
    cause: 'disk-full',
    patterns: anyOf([/(CannotPullContainerError|GetImageBlob|failed to register layer).*no space left on device/i]),
  },
  {
    cause: 'network',
    patterns: anyOf([
      // Reported under the secrets prefix, but it is the ECR auth call that cannot get out.
      /cannot pull registry auth from Amazon ECR:?\s*There is a connection issue/i,
      /unable to retrieve ecr registry auth:.*(RequestError|send request failed|i\/o timeout|context deadline exceeded)/i,
      /CannotPullContainerError.*(request canceled while waiting for connection|Client\.Timeout exceeded)/i,
      /CannotPullContainerError.*\bdial tcp\b.*(i\/o timeout|connection refused|no route to host)/i,
      /CannotPullContainerError.*context (canceled|deadline exceeded)/i,
      // The agent's own wording (agent/api/errormessages/error_messages.go:228) and the Docker daemon's.
      /The task can.t pull the image\. Check your network configuration/i,
      /CannotPullContainerError.*net\/http: (request canceled|TLS handshake timeout)/i,
    ]),
  },
  {
    cause: 'not-found',
    patterns: anyOf([
      /CannotPullContainerError.*API error \(404\)/i,
      /CannotPullContainerError.*(manifest unknown|: not found\b|Tag \S+ not found in repository)/i,
      /manifest for \S+ not found/i,
      // agent/api/errormessages/error_messages.go:98,218: how the agent tells a missing image from a denied pull.
      /The task can.t pull the image\. Check whether the image exists/i,
      // Docker Hub adds "unauthorized: authentication required" when it is the credentials instead.
      /denied: requested access to the resource is denied(?![\s\S]*\bunauthorized\b)/i,
      // ECR authenticates with the execution role itself: its "pull access denied" means no such repository.
      /pull access denied for [^\s.]+\.dkr\.ecr\.[^,\s]+,? (the )?repository does not exist/i,
      /Error response from daemon: repository (\S+ )?(does not exist|not found)/i,
      // Agents before 1.16 reported a missing tag as "Error: image <name> not found".
      /\bError: image \S+ not found/i,
    ]),
  },
  {
    cause: 'registry-auth',
    patterns: anyOf([
      /pull access denied for \S+,? (the )?repository does not exist or may require '?docker login/i,
      /CannotPullContainerError.*(401 Unauthorized|unauthorized: authentication required|no basic auth credentials)/i,
      // A registry answering 401 is always a credentials problem (repositoryCredentials outside ECR).
      /\b401 Unauthorized\b|\bunauthorized: (authentication required|incorrect username or password)/i,
      // 403 from ECR is the execution role's (deniedByIam); from any other registry, its credentials'.
      /CannotPull\w*Error.*\b403 Forbidden\b/i,
      /unable to get registry auth from asm/i,
      /CannotPullContainerAuthError/i,
    ]),
  },
];

/** IAM and KMS denials are other rules' findings, whatever else the text says. */
const deniedByIam = anyOf([
  /AccessDeniedException/i,
  /is not authorized to perform/i,
  /\bKMS\b/i,
  /dkr\.ecr\..*\b403 Forbidden\b/i,
  /The task can.t pull the image\. Check that the role has the permissions/i,
]);

/** The agent's pull error names (agent/dockerclient/dockerapi/errors.go:141-204): Container, ECRContainer, ImageManifest, ContainerAuth. */
const anyPullFailure = /CannotPull\w*Error/i;

export interface PullDetection extends Detection {
  registry: Registry;
}

/** Pull errors that name the image (group 1). */
const namedImage = anyOf([
  /failed to resolve ref(?:erence)?\s+"?([^\s"]+?)"?:\s/i,
  /API error \(404\): repository\s+(\S+)\s+not found/i,
  /pull access denied for ([^\s,]+)/i,
  /manifest for (\S+) not found/i,
]);

/** The image reference a pull error names, in the forms Docker and containerd print. */
function imageInText(text: string): string | undefined {
  const manifestUrl = /https:\/\/([^/\s"]+)\/v2\/(.+?)\/manifests\/([^\s"]+)/i.exec(text);
  const tagInRepo = /Tag (\S+) not found in repository (\S+?)[,.]?(\s|$)/i.exec(text);
  if (tagInRepo) return `${tagInRepo[2]}:${tagInRepo[1]}`;
  const direct = firstMatch(text, namedImage);
  if (direct?.[1]) return direct[1];
  if (manifestUrl && !/\/v2\/$/.test(manifestUrl[0])) {
    // A manifest is asked for by tag or by digest: a digest joins the repository with "@", a tag with ":".
    const reference = (manifestUrl[3] ?? '').replace(/[:.,;]+$/, '');
    return `${manifestUrl[1]}/${manifestUrl[2]}${/^sha256:/i.test(reference) ? '@' : ':'}${reference}`;
  }
  return undefined;
}

export function registryOf(text: string, signal: Signal): Registry {
  const containerImage = 'container' in signal ? signal.container.image : undefined;
  const image = imageInText(text) ?? containerImage;
  // Pasted texts often mask the registry id (FOO, ****, 123456789): any host label before .dkr.ecr. is ECR.
  const ecrImage = /([^\s/"'.]+)\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\/([^\s:@"',]+))?(?::([^\s@"',]+))?/i.exec(image ?? text);
  if (ecrImage) {
    return { image, ecr: true, account: /^\d{12}$/.test(ecrImage[1] ?? '') ? ecrImage[1] : undefined, region: ecrImage[2], repository: ecrImage[3], tag: ecrImage[4] };
  }
  const ecrApi = /api\.ecr\.([a-z0-9-]+)\.amazonaws\.com/i.exec(text);
  if (ecrApi || /Amazon ECR|ecr registry auth/i.test(text)) return { image, ecr: true, region: ecrApi?.[1] ?? signal.resource.region };
  return { image, ecr: false };
}

function classify(text: string): PullCause | null | undefined {
  if (!mentionsPull.test(text)) return undefined;
  if (matchesAny(text, deniedByIam)) return undefined;
  for (const { cause, patterns } of causePatterns) if (firstMatch(text, patterns)) return cause;
  return anyPullFailure.test(text) ? null : undefined;
}

function platformIn(text: string): string | undefined {
  return /(linux\/(?:amd64|arm64|arm)(?:\/v\d)?)/i.exec(text)?.[1]?.toLowerCase();
}

const dockerHubHost = /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//i;

/** The image through an ECR pull-through cache of Docker Hub: no upstream host, official images under library/. */
export function cachedImageUri(image: string | undefined, account: string | undefined, region: string | undefined): string {
  const path = image?.replace(dockerHubHost, '');
  const repository = path && !path.split(/[:@]/)[0]?.includes('/') ? `library/${path}` : (path ?? '<image>');
  return `${account ?? '<account-id>'}.dkr.ecr.${region ?? '<region>'}.amazonaws.com/docker-hub/${repository}`;
}

function describe(cause: PullCause | null, registry: Registry, text: string, signal: Signal): Pick<Detection, 'explanation' | 'fix'> {
  const image = registry.image;
  const region = registry.region ?? signal.resource.region;
  switch (cause) {
    case 'not-found': {
      const explanation = `The registry answered that the image ${image ?? 'named in the task definition'} does not exist: the repository name, tag or digest is wrong, or the tag was never pushed (or was deleted by a lifecycle policy). A tag that exists locally but was never pushed fails the same way.${
        registry.ecr ? ' For ECR, also check the account and region in the URI, and that the task execution role may pull from that repository.' : ''
      }`;
      const fix =
        registry.ecr && registry.repository
          ? [
              `aws ecr describe-images --repository-name ${shellArg(registry.repository, 'repository')} --image-ids imageTag=${shellArg(registry.tag ?? 'latest', 'tag')} --region ${shellArg(region, 'region')}`,
              'If it is missing, push the image, or point the container definition\'s "image" at a tag or digest that exists and register a new task definition revision.',
            ].join('\n')
          : [
              `docker manifest inspect ${shellArg(image, 'image')}`,
              'If that fails, fix the container definition\'s "image" (repository, tag or digest) and register a new task definition revision.',
            ].join('\n');
      return { explanation, fix };
    }
    case 'network': {
      const explanation = registry.ecr
        ? 'The task could not reach Amazon ECR to get its registry credentials or the image: its subnet has no route to ECR. A Fargate task pulls through its own network interface, so it needs either a public IP in a subnet routed to an internet gateway, a NAT gateway route, or VPC endpoints for ecr.api, ecr.dkr and an S3 gateway endpoint (image layers come from S3). A security group or network ACL that blocks outbound 443 has the same effect.'
        : `The task could not reach the registry${image ? ` serving ${image}` : ''} (the connection timed out or was cancelled). A registry outside AWS is only reachable through a public IP with an internet gateway or a NAT gateway; VPC endpoints do not help. A security group or network ACL that blocks outbound 443 has the same effect.`;
      const fix = registry.ecr
        ? [
            'Give the task subnet a way to ECR. Private subnets without NAT need these endpoints:',
            ...ecrEndpointCommands(region),
            'or add a NAT gateway route (0.0.0.0/0) to the subnet\'s route table, or, in a public subnet, run the task with assignPublicIp=ENABLED.',
          ].join('\n')
        : [
            'aws ec2 create-route --route-table-id <task-subnet-route-table> --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>',
            'or, in a public subnet, run the task with assignPublicIp=ENABLED; or copy the image into ECR (an ECR pull-through cache rule) and reach it through VPC endpoints.',
          ].join('\n');
      return { explanation, fix };
    }
    case 'rate-limit':
      return {
        explanation:
          'Docker Hub refused the pull because the pull rate limit was reached. Anonymous pulls are counted per source IP, and every task behind the same NAT gateway shares that IP, so a deployment or a scale-out can exhaust it.',
        fix: [
          `aws ecr create-pull-through-cache-rule --ecr-repository-prefix docker-hub --upstream-registry-url registry-1.docker.io --credential-arn <secret-arn-for-docker-hub-credentials> --region ${shellArg(region, 'region')}`,
          `then use ${cachedImageUri(image, signal.resource.account, region)} as the image;`,
          'or authenticate the pulls: "repositoryCredentials": {"credentialsParameter": "<secret-arn>"} in the container definition (the secret holds a Docker Hub username and access token).',
        ].join('\n'),
      };
    case 'wrong-platform': {
      const platform = platformIn(text);
      const taskCpu = taskArchitecture(taskOf(signal));
      return {
        explanation: `The image ${image ?? ''} has no variant for the platform the task runs on${platform ? ` (${platform})` : ''}${
          taskCpu ? `; the task runs on ${taskCpu}` : ''
        }. It was built for another CPU architecture (an arm64 laptop build on x86 Fargate, or the reverse), or published in a format whose manifest lists no platform.`,
        fix: architectureFix(image),
      };
    }
    case 'disk-full':
      return {
        explanation:
          'The image could not be written to disk: the host ran out of space while pulling. On EC2 the Docker data volume is full of old images, stopped containers or json-file logs; on Fargate the image (unpacked) is larger than the task\'s ephemeral storage.',
        fix: [
          'EC2: free space on the container instance (docker system prune -af), lower ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION and keep ECS_DISABLE_IMAGE_CLEANUP=false in /etc/ecs/ecs.config, or launch instances with a larger data volume.',
          'Fargate: raise the task definition\'s "ephemeralStorage": {"sizeInGiB": 50} (up to 200), or make the image smaller.',
        ].join('\n'),
      };
    case 'registry-auth':
      return {
        explanation: `The registry refused the pull for ${image ?? 'the image'}: it is private and ECS sent no valid credentials, or the repository name is wrong (Docker Hub gives the same answer for both). Images outside ECR need "repositoryCredentials" pointing to a Secrets Manager secret with the registry username and password, and the task execution role must be able to read that secret.`,
        fix: [
          `docker manifest inspect ${shellArg(image, 'image')}   # from a logged-in machine: does the name exist?`,
          'In the container definition: "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:<region>:<account>:secret:<name>"}, the secret holding {"username": "…", "password": "…"}; grant the task execution role secretsmanager:GetSecretValue on it.',
        ].join('\n'),
      };
    case null:
      return {
        explanation:
          'The image could not be pulled, and the text does not say why. The usual causes are a wrong image URI or tag, no network route to the registry (no NAT, public IP or VPC endpoints), missing registry credentials or ECR permissions on the task execution role, a Docker Hub rate limit, or an image built for another CPU architecture.',
        fix: [
          `aws ecs describe-tasks --cluster ${shellArg(signal.resource.cluster, 'cluster')} --tasks ${shellArg(signal.resource.task, 'task-id')} --query 'tasks[0].containers[].[name,image,reason]'`,
          'Read the full container reason (stoppedReason is truncated), then check the image exists and the task subnet can reach the registry.',
        ].join('\n'),
      };
  }
}

/** Called only for a signal `applies` (index.ts) lets through. */
export default function detect(signal: SignalOf<'text' | 'task-stopped' | 'container-stopped' | 'service-action'>): PullDetection | null {
  const cause = classify(signal.text);
  if (cause === undefined) return null;
  const registry = registryOf(signal.text, signal);
  return {
    cause,
    // A bare CannotPullContainerError is the catch-all of this family.
    specificity: cause === null ? 'fallback' : 'root-cause',
    ...describe(cause, registry, signal.text, signal),
    evidence: [quoted(signal.source, signal.text)],
    registry,
  };
}

