import rule from '../../shared/rules/container-start-failure';
import { stoppedTaskEvent } from '../fixtures/events';
import { ruleTester } from '../rule-tester';

const FARGATE_NOT_FOUND =
  'CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "019552fb-18b7-72c3-8935-313f6668bb0b": executable file not found in $PATH: unknown';
const FARGATE_NOT_FOUND_SOURCE = 'https://github.com/saebyn/glowing-telegram/issues/398';

ruleTester(rule, {
  invalid: [
    {
      name: 'Fargate (containerd): command is not a program in the image',
      text: FARGATE_NOT_FOUND,
      source: FARGATE_NOT_FOUND_SOURCE,
      cause: 'entrypoint-not-found',
      explanationIncludes: ['"019552fb-18b7-72c3-8935-313f6668bb0b"'],
    },
    {
      name: 'EC2 (Docker, OCI runtime): python not on PATH',
      text: 'CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "python": executable file not found in $PATH: unknown',
      source: 'https://github.com/aws/amazon-ecs-cli/issues/1136',
      cause: 'entrypoint-not-found',
      fixIncludes: ["command -v python"],
    },
    {
      name: 'Docker 1.x: whole command line in one string',
      text: 'CannotStartContainerError: API error (500): Cannot start container 54b6caa1f3d8476a7b3538827d4d5017596d696b0877925d1d28a9de735b2433: [8] System error: exec: "node index.js -t sockets_transport -i 0": executable file not found in $PATH',
      source: 'https://github.com/aws/amazon-ecs-cli/issues/78',
      cause: 'entrypoint-not-found',
      fixIncludes: ['"command": ["node","index.js","-t","sockets_transport","-i","0"]'],
    },
    {
      name: 'exec format error (image built on an arm64 laptop)',
      text: 'exec /usr/local/bin/streamlit: exec format error',
      source: 'https://github.com/aws-samples/amazon-bedrock-serverless-prompt-chaining/issues/213',
      cause: 'exec-format',
      fixIncludes: ['docker buildx build --platform linux/amd64,linux/arm64', '"cpuArchitecture": "ARM64"'],
      explanationIncludes: ['/usr/local/bin/streamlit'],
    },
    {
      name: 'exec format error, runc standard_init form',
      text: 'standard_init_linux.go:228: exec user process caused: exec format error',
      source: 'https://github.com/runatlantis/atlantis/issues/2001',
      cause: 'exec-format',
    },
    {
      name: 'entrypoint not executable (Docker 1.x)',
      text: 'API error (500): Cannot start container 0e7230dc3eef9e344270005404c6e82b50c1fd0d2c4d79535ec1e104fcdcf81d: [8] System error: exec: "/entrypoint.sh": permission denied',
      source: 'https://github.com/DataDog/docker-dd-agent/issues/102',
      cause: 'permission-denied',
      fixIncludes: ['chmod +x /entrypoint.sh'],
    },
    {
      name: 'entrypoint not executable (old ECS DockerStateError)',
      text: 'DockerStateError: [8] System error: exec: "./stocks.rb": permission denied',
      source: 'https://github.com/amazon-archives/service-discovery-ecs-consul/pull/1',
      cause: 'permission-denied',
    },
    {
      name: 'entrypoint not executable (runc, escaped quotes)',
      text: 'Error response from daemon: OCI runtime create failed: container_linux.go:349: starting container process caused "exec: \\"/usr/bin/docker-entrypoint.sh\\": permission denied": unknown',
      source: 'https://github.com/OCSInventory-NG/OCSInventory-Docker-Image/issues/40',
      cause: 'permission-denied',
      fixIncludes: ['/usr/bin/docker-entrypoint.sh'],
    },
    {
      name: 'devmapper thin pool full',
      text: 'CannotCreateContainerError: API error (500): devmapper: Thin Pool has 4350 free data blocks which is less than minimum required 4454 free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior',
      source: 'awsdocs/amazon-ecs-developer-guide doc_source/CannotCreateContainerError.md',
      cause: 'disk-full',
      fixIncludes: ['docker system prune'],
    },
    {
      name: 'Docker timeout at create (EC2 / Batch)',
      text: 'DockerTimeoutError: Could not transition to created; timed out after waiting 4m0s',
      source: 'https://github.com/aws/amazon-ecs-agent/issues/1440',
      cause: 'timeout',
      explanationIncludes: ['4m0s'],
    },
    {
      name: 'Docker timeout at start (Fargate PV 1.3, networking)',
      text: 'DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s.',
      source: 'https://repost.aws/knowledge-center/ecs-fargate-docker-timeout-error',
      cause: 'timeout',
      fixIncludes: ['ecr.api, ecr.dkr, s3 (gateway), logs'],
    },
    {
      name: 'containerd runtime timeout (PV 1.4 prefix, doc example)',
      text: 'ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting 1m: <reason>',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html',
      cause: 'timeout',
    },
    {
      name: 'an unrecognised CannotStartContainerError is the catch-all',
      text: 'CannotStartContainerError: ResourceInitializationError: unable to create new container: mount callback failed on /tmp/containerd-mount916692511: open /tmp/containerd-mount916692511/etc/passwd: no such file or directory',
      source: 'https://github.com/aws-samples/net-modernization/issues/13',
      cause: null,
    },
    {
      name: 'container reason in a stopped task event',
      event: stoppedTaskEvent({
        stoppedReason: 'Essential container in task exited',
        stopCode: 'TaskFailedToStart',
        containers: [{ reason: FARGATE_NOT_FOUND }],
      }),
      source: FARGATE_NOT_FOUND_SOURCE,
      cause: 'entrypoint-not-found',
      fixIncludes: ['--task-definition webserver'],
    },
  ],
  valid: [
    {
      name: 'logging driver failure (log-group-missing)',
      text: 'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist',
      source: 'https://github.com/cn-terraform/terraform-aws-nexus/issues/35',
    },
    {
      name: 'container init OOM-killed (container-oom-killed)',
      text: 'CannotStartContainerError: Error response from daemon: OCI runtime create failed: … container init was OOM-killed (memory limit too low?): unknown',
      source: '../shared/reference/ecs-events.md §8.5 (aws/amazon-ecs-agent#3021)',
    },
    {
      name: 'EFS mount failure (efs-mount-failure)',
      text: "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: Connection timed out' : unsuccessful EFS utils command execution; code: 32",
      source: 'https://github.com/andreav/my-aws-cdk-typescript-constructs/blob/c2cde69b7398597d5a84216ee5507bbb2d08b8bc/Notes.md',
    },
    {
      name: 'a stop timeout is not a start failure',
      text: "2017-07-13T18:14:45Z [INFO] DockerTimeoutError for 'docker stop' of container; ignoring state change;  task: rcx-director-task-dev-us-west-2:422 arn:aws:ecs:us-west-2:969204706979:task/0878e08e-c28c-4337-bc94-d13eeda5abf3, Status: (RUNNING->STOPPED) Containers: [rcx-director-task-dev-us-west-2 (RUNNING->STOPPED),], container: rcx-director-task-dev-us-west-2(304872096477.dkr.ecr.us-west-2.amazonaws.com/krp/rcx-director:3.2467) (RUNNING->STOPPED), error: Could not transition to stopped; timed out after waiting 1m0s",
      source: 'https://github.com/aws/amazon-ecs-agent/issues/731 (agent log line)',
    },
    {
      name: 'no space left while pulling (image-pull-failure)',
      text: 'CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob111111111: no space left on device',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html',
    },
    {
      name: 'no platform in the image manifest (image-pull-failure)',
      text: 'CannotPullContainerError: failed to find a descriptor for platform {linux/amd64}',
      source: 'https://github.com/aws/containers-roadmap/issues/1120',
    },
  ],
});
