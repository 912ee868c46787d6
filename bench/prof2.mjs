// shared/events/schema.ts
var field = (optional2) => (kind, extra = {}) => ({
  kind,
  optional: optional2,
  ...extra
});
var required = field(false);
var optional = field(true);
function kindOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function validate(value, schema, path) {
  for (const key in schema) {
    const spec = schema[key];
    const here = path ? `${path}.${key}` : key;
    const problem = validateField(value[key], spec, here);
    if (problem) return problem;
  }
  return null;
}
function validateField(value, spec, path) {
  if (value === void 0 || value === null && spec.nullable) {
    return spec.optional ? null : { field: path, problem: "is missing" };
  }
  const actual = kindOf(value);
  if (actual !== spec.kind) return { field: path, problem: `should be ${spec.kind}, is ${actual}` };
  if (spec.kind === "object" && spec.fields) {
    return validate(value, spec.fields, path);
  }
  if (spec.kind === "array") {
    const items = value;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const itemPath = `${path}[${i}]`;
      if (spec.fields) {
        if (!isObject(item)) return { field: itemPath, problem: `should be object, is ${kindOf(item)}` };
        const problem = validate(item, spec.fields, itemPath);
        if (problem) return problem;
      } else if (spec.items && kindOf(item) !== spec.items) {
        return { field: itemPath, problem: `should be ${spec.items}, is ${kindOf(item)}` };
      }
    }
  }
  return null;
}

// shared/events/parse.ts
var nameValue = { name: required("string"), value: optional("string") };
var envelope = {
  id: required("string"),
  "detail-type": required("string"),
  source: required("string"),
  account: required("string"),
  time: optional("string"),
  region: optional("string"),
  resources: optional("array", { items: "string" }),
  detail: required("object")
};
var serviceResources = {
  resources: required("array", { items: "string" })
};
var detailSchemas = {
  "ECS Task State Change": {
    taskArn: required("string"),
    clusterArn: required("string"),
    lastStatus: required("string"),
    desiredStatus: optional("string"),
    taskDefinitionArn: optional("string"),
    group: optional("string"),
    startedBy: optional("string"),
    launchType: optional("string"),
    capacityProviderName: optional("string"),
    platformVersion: optional("string"),
    containerInstanceArn: optional("string"),
    cpu: optional("string"),
    memory: optional("string"),
    stopCode: optional("string"),
    stoppedReason: optional("string"),
    createdAt: optional("string"),
    startedAt: optional("string"),
    stoppedAt: optional("string"),
    enableExecuteCommand: optional("boolean"),
    version: optional("number"),
    attachments: optional("array", {
      fields: { type: optional("string"), details: optional("array", { fields: nameValue }) }
    }),
    containers: optional("array", {
      fields: {
        name: required("string"),
        lastStatus: optional("string"),
        image: optional("string"),
        exitCode: optional("number"),
        reason: optional("string")
      }
    })
  },
  "ECS Service Action": {
    eventType: required("string"),
    eventName: required("string"),
    clusterArn: required("string"),
    reason: optional("string"),
    capacityProviderArns: optional("array", { items: "string" }),
    containerInstanceArns: optional("array", { items: "string" })
  },
  "ECS Deployment State Change": {
    eventType: required("string"),
    eventName: required("string"),
    deploymentId: optional("string"),
    reason: optional("string")
  },
  "ECS Container Instance State Change": {
    clusterArn: required("string"),
    containerInstanceArn: required("string"),
    ec2InstanceId: optional("string"),
    agentConnected: optional("boolean"),
    status: optional("string"),
    attributes: optional("array", { fields: nameValue }),
    versionInfo: optional("object", {
      fields: { agentVersion: optional("string"), dockerVersion: optional("string") }
    }),
    version: optional("number")
  },
  "AWS API Call via CloudTrail": {
    eventSource: required("string"),
    eventName: required("string"),
    awsRegion: optional("string"),
    requestParameters: optional("object", { nullable: true }),
    responseElements: optional("object", { nullable: true }),
    errorCode: optional("string"),
    errorMessage: optional("string")
  }
};
var needsServiceArn = /* @__PURE__ */ new Set(["ECS Service Action", "ECS Deployment State Change"]);
function invalid(field2, problem) {
  return { status: "invalid", field: field2, problem, message: `invalid event: ${field2} ${problem}` };
}
function parseEvent(raw) {
  if (!isObject(raw)) return invalid("(event)", `should be object, is ${raw === null ? "null" : Array.isArray(raw) ? "array" : typeof raw}`);
  const envelopeProblem = validate(raw, envelope, "");
  if (envelopeProblem) return invalid(envelopeProblem.field, envelopeProblem.problem);
  if (raw.source !== "aws.ecs") return invalid("source", `should be "aws.ecs", is "${String(raw.source)}"`);
  const detailType = raw["detail-type"];
  const schema = detailSchemas[detailType];
  if (!schema) return { status: "unsupported", detailType, id: raw.id };
  if (needsServiceArn.has(detailType)) {
    const problem = validate(raw, serviceResources, "");
    if (problem) return invalid(problem.field, problem.problem);
    if (raw.resources.length === 0) return invalid("resources[0]", "is missing (the service ARN)");
  }
  const detailProblem = validate(raw.detail, schema, "detail");
  if (detailProblem) return invalid(detailProblem.field, detailProblem.problem);
  return { status: "valid", event: raw };
}

// shared/arn.ts
function parseArn(arn) {
  if (!arn?.startsWith("arn:")) return void 0;
  const parts = arn.split(":");
  if (parts.length < 6) return void 0;
  const [, partition = "", service = "", region = "", account = ""] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(":") };
}
function arnName(arn) {
  const parsed = parseArn(arn);
  if (!parsed) return void 0;
  const segments = parsed.resource.split("/");
  return segments[segments.length - 1] || void 0;
}
function serviceFromArn(arn) {
  const parsed = parseArn(arn);
  if (!parsed?.resource.startsWith("service/")) return {};
  const segments = parsed.resource.split("/");
  return segments.length >= 3 ? { cluster: segments[1], service: segments[2] } : { service: segments[1] };
}
function familyFromTaskDefinitionArn(arn) {
  const parsed = parseArn(arn);
  if (!parsed?.resource.startsWith("task-definition/")) return void 0;
  return parsed.resource.slice("task-definition/".length).split(":")[0];
}

// shared/events/signals.ts
function envelopeResource(event2) {
  const resource = { account: event2.account };
  if (event2.region) resource.region = event2.region;
  return resource;
}
function taskResource(event2) {
  const task = event2.detail;
  const resource = envelopeResource(event2);
  const cluster = arnName(task.clusterArn);
  if (cluster) resource.cluster = cluster;
  if (task.group?.startsWith("service:")) resource.service = task.group.slice("service:".length);
  const family = familyFromTaskDefinitionArn(task.taskDefinitionArn) ?? (task.group?.startsWith("family:") ? task.group.slice("family:".length) : void 0);
  if (family) resource.taskFamily = family;
  const id = arnName(task.taskArn);
  if (id) resource.task = id;
  return resource;
}
function serviceResource(event2) {
  const resource = envelopeResource(event2);
  const { cluster, service } = serviceFromArn(event2.resources?.[0]);
  const clusterArn = event2["detail-type"] === "ECS Service Action" ? event2.detail.clusterArn : void 0;
  const clusterName = cluster ?? arnName(clusterArn);
  if (clusterName) resource.cluster = clusterName;
  if (service) resource.service = service;
  return resource;
}
function serviceReason(event2) {
  return { text: event2.detail.reason ?? "", source: "detail.reason", resource: serviceResource(event2) };
}
function isStopping(task) {
  return task.lastStatus === "STOPPED" || task.desiredStatus === "STOPPED" || task.stoppedReason !== void 0;
}
function taskSignals(event2) {
  const task = event2.detail;
  const resource = taskResource(event2);
  if (!isStopping(task)) return [{ kind: "task-state", text: "", source: "detail.lastStatus", resource, task, event: event2 }];
  const signals2 = [
    { kind: "task-stopped", text: task.stoppedReason ?? "", source: "detail.stoppedReason", resource, task, event: event2 }
  ];
  for (const container of task.containers ?? []) {
    if (container.reason === void 0 && container.exitCode === void 0) continue;
    signals2.push({
      kind: "container-stopped",
      text: container.reason ?? "",
      source: `detail.containers[${container.name}].reason`,
      resource: { ...resource, container: container.name },
      task,
      container,
      event: event2
    });
  }
  return signals2;
}
function signalsOf(event2) {
  switch (event2["detail-type"]) {
    case "ECS Task State Change":
      return taskSignals(event2);
    case "ECS Service Action":
      return [{ kind: "service-action", ...serviceReason(event2), detail: event2.detail, event: event2 }];
    case "ECS Deployment State Change":
      return [{ kind: "deployment", ...serviceReason(event2), detail: event2.detail, event: event2 }];
    case "ECS Container Instance State Change": {
      const resource = envelopeResource(event2);
      const cluster = arnName(event2.detail.clusterArn);
      if (cluster) resource.cluster = cluster;
      const instance = event2.detail.ec2InstanceId ?? arnName(event2.detail.containerInstanceArn);
      if (instance) resource.containerInstance = instance;
      return [
        { kind: "container-instance", text: "", source: "detail", resource, detail: event2.detail, event: event2 }
      ];
    }
    case "AWS API Call via CloudTrail":
      return [
        {
          kind: "api-call",
          text: event2.detail.errorMessage ?? "",
          source: "detail.errorMessage",
          resource: envelopeResource(event2),
          detail: event2.detail,
          event: event2
        }
      ];
  }
}

// shared/findings.ts
var severityOrder = { critical: 0, warning: 1, info: 2 };

// shared/rules/rule.ts
function defineRule(rule) {
  return rule;
}

// shared/rules/text.ts
function firstMatch(text, patterns) {
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match) return match;
  }
  return null;
}
var MAX_QUOTE = 600;
function quoted(source, text) {
  const observed = text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}\u2026` : text;
  return { source, observed };
}
function arnsIn(text, service) {
  const pattern = new RegExp(`arn:aws[a-z-]*:${service}:[^\\s"',)]+`, "gi");
  return [...new Set(text.match(pattern) ?? [])].map((arn) => arn.replace(/[.:]+$/, ""));
}
function deniedPrincipal(text) {
  const match = /User:\s*(arn:[^\s]+)\s+is not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(text);
  if (!match) return {};
  return { principal: match[1], action: match[2] };
}
function shellArg(value, placeholder) {
  if (!value) return `<${placeholder}>`;
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

// shared/rules/task-execution-role-confusion/iam.ts
function roleNameOf(arn) {
  const resource = parseArn(arn)?.resource;
  if (!resource) return void 0;
  if (resource.startsWith("assumed-role/")) return resource.split("/")[1] || void 0;
  if (resource.startsWith("role/")) return resource.split("/").pop() || void 0;
  return void 0;
}
function sessionKind(principal) {
  const resource = parseArn(principal)?.resource;
  if (!resource?.startsWith("assumed-role/")) return "other";
  const session = resource.split("/")[2] ?? "";
  if (/^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.test(session)) return "ecs-task";
  if (/^i-[0-9a-f]{8,17}$/i.test(session)) return "ec2-instance";
  return "other";
}
function deniedResource(text) {
  const match = /not authorized to perform:?\s*[a-z0-9-]+:[A-Za-z0-9*]+\s+on resource:?\s*([^\s"']+)/i.exec(text);
  return match?.[1]?.replace(/[.,;:]+$/, "");
}
var ecsTasksTrustPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }]
});
function putRolePolicy(role, rolePlaceholder, policyName, actions, resources) {
  const document = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: actions.length === 1 ? actions[0] : actions,
        Resource: resources.length === 1 ? resources[0] : resources
      }
    ]
  });
  return `aws iam put-role-policy --role-name ${shellArg(role, rolePlaceholder)} --policy-name ${policyName} --policy-document ${shellArg(document, "policy")}`;
}
function taskDefinitionArnOf(signal) {
  return "task" in signal ? signal.task.taskDefinitionArn : void 0;
}

// shared/rules/secrets-pull-failure/secrets.ts
var secretsFetch = [
  /unable to retrieve secrets? from (asm|ssm)\b/i,
  /Fetching secret data from (SSM Parameter Store|AWS Secrets Manager)/i,
  /The task can'?t (pull|retrieve) the secret/i,
  /The task cannot pull secrets from AWS Systems Manager/i,
  /connection issue between the task and AWS (Secrets Manager|Systems Manager)/i
];
function isSecretsFetch(text) {
  return secretsFetch.some((pattern) => pattern.test(text));
}
function secretRefs(containers) {
  const refs = [];
  for (const container of containers ?? []) {
    for (const secret of container.secrets ?? []) {
      if (!secret.valueFrom) continue;
      const arn = parseArn(secret.valueFrom);
      refs.push({
        container: container.name ?? "(unnamed)",
        name: secret.name ?? "(unnamed)",
        valueFrom: secret.valueFrom,
        store: arn?.service === "secretsmanager" ? "asm" : "ssm",
        region: arn?.region || void 0
      });
    }
  }
  return refs;
}
function secretIdOf(valueFrom) {
  const arn = parseArn(valueFrom);
  if (arn?.service !== "secretsmanager") return valueFrom;
  return valueFrom.split(":").slice(0, 7).join(":");
}
function policyResource(valueFrom) {
  const arn = parseArn(valueFrom);
  if (!arn) return valueFrom;
  if (arn.service !== "secretsmanager") return valueFrom;
  const id = secretIdOf(valueFrom);
  return /-[A-Za-z0-9]{6}$/.test(id) ? id : `${id}-??????`;
}
function usableArns(arns) {
  return arns.filter((arn) => {
    const parsed = parseArn(arn);
    return parsed !== void 0 && parsed.resource !== "" && /^\d{12}$/.test(parsed.account) && !/[<>*]/.test(arn);
  });
}

// shared/rules/secrets-pull-failure/index.ts
var causePatterns = [
  ["kms", [/Access to KMS is not allowed/i, /kms:Decrypt/i, /KMS\w*Exception/i, /ciphertext refers to a customer master key/i]],
  ["permission", [/AccessDenied/i, /not authorized to perform/i]],
  [
    "not-found",
    [/ResourceNotFound/i, /can'?t find the specified secret/i, /ParameterNotFound/i, /invalid parameters?:/i, /can'?t retrieve the secret with ARN/i]
  ],
  ["invalid-json", [/did not contain json key/i, /looking for beginning of value/i, /unable to unmarshal/i]],
  [
    "network",
    [
      /context deadline exceeded/i,
      /RequestCanceled/i,
      /connection issue between the task/i,
      /network (configuration|connection)/i,
      /i\/o timeout/i,
      /dial tcp/i,
      /no such host/i,
      /send request failed/i
    ]
  ]
];
function storeOf(text) {
  if (/from ssm\b|SSM Parameter Store|Systems Manager/i.test(text)) return "ssm";
  if (/from asm\b|Secrets Manager/i.test(text)) return "asm";
  return void 0;
}
var isRegion = /^[a-z]{2}(-[a-z]+)+-\d$/;
function regionOf(text, resources, signal) {
  const named = /\bin (?:region )?([a-z]{2}(?:-[a-z]+)+-\d)\b/i.exec(text)?.[1];
  const inArn = resources.map((arn) => arn.split(":")[3]).find((region) => region && isRegion.test(region));
  return named ?? inArn ?? signal.resource.region;
}
function subnetsOf(signal) {
  if (!("task" in signal)) return [];
  const details = (signal.task.attachments ?? []).flatMap((attachment) => attachment.details ?? []);
  return details.filter((d) => d.name === "subnetId" && d.value).map((d) => d.value);
}
var storeNames = { asm: "Secrets Manager", ssm: "SSM Parameter Store" };
function placeholderFor(store) {
  return store === "ssm" ? "<parameter-arn>" : "<secret-arn>";
}
function fixFor(cause, f) {
  const target = f.resources[0];
  const region = shellArg(f.region, "region");
  switch (cause) {
    case "permission":
      return [
        putRolePolicy(
          f.role,
          "task-execution-role",
          "ecs-read-secrets",
          [f.store === "ssm" ? "ssm:GetParameters" : "secretsmanager:GetSecretValue"],
          f.resources.length > 0 ? f.resources.map(policyResource) : [placeholderFor(f.store)]
        ),
        'Grant it on the exact ARNs the task definition uses (a secret ARN needs its random 6-character suffix, or "-??????"). If the secret is encrypted with a customer managed KMS key, the role also needs kms:Decrypt on that key.'
      ].join("\n");
    case "kms":
      return [
        f.store === "ssm" ? `aws ssm describe-parameters --parameter-filters Key=Name,Values=${shellArg(target && parseArn(target)?.resource.replace(/^parameter/, ""), "parameter-name")} --query 'Parameters[0].KeyId' --region ${region}` : `aws secretsmanager describe-secret --secret-id ${shellArg(target && secretIdOf(target), "secret-arn")} --query KmsKeyId --output text --region ${region}`,
        putRolePolicy(f.role, "task-execution-role", "ecs-decrypt-secrets", ["kms:Decrypt"], ["<kms-key-arn>"]),
        "and check that the key policy allows the account (or the role) to use the key: aws kms get-key-policy --key-id <kms-key-arn> --policy-name default"
      ].join("\n");
    case "network": {
      const service = f.store === "ssm" ? "ssm" : "secretsmanager";
      const subnets = f.subnets.length > 0 ? f.subnets.join(" ") : "<task-subnet-ids>";
      return [
        `aws ec2 create-vpc-endpoint --vpc-id ${shellArg(f.vpc, "vpc-id")} --vpc-endpoint-type Interface --service-name com.amazonaws.${f.region ?? "<region>"}.${service} --subnet-ids ${subnets} --security-group-ids <sg-allowing-443-from-tasks> --private-dns-enabled`,
        "or give the task a route to the internet: a NAT gateway for a private subnet, or assignPublicIp=ENABLED in a public subnet. Either way the task's security group must allow outbound HTTPS (443)."
      ].join("\n");
    }
    case "not-found":
      return [
        f.store === "ssm" ? `aws ssm get-parameters --names ${shellArg(target, "parameter-name-or-arn")} --region ${region}` : `aws secretsmanager describe-secret --secret-id ${shellArg(target && secretIdOf(target), "secret-arn")} --region ${region}`,
        'If it is not there, create it (with a value: a secret without an AWSCURRENT version is "not found" too), or point valueFrom in the task definition at the right full ARN and register a new revision.'
      ].join("\n");
    case "invalid-json":
      return [
        `aws secretsmanager get-secret-value --secret-id ${shellArg(target && secretIdOf(target), "secret-arn")} --query SecretString --output text --region ${region}`,
        "The secret must be a valid JSON object containing the key that valueFrom selects (arn:\u2026:secret:name-AbCdEf:<json-key>::). Add the key to the secret, or fix the key in valueFrom and register a new revision."
      ].join("\n");
    case null:
      return [
        "Check, in this order:",
        `1. ${putRolePolicy(f.role, "task-execution-role", "ecs-read-secrets", [f.store === "ssm" ? "ssm:GetParameters" : "secretsmanager:GetSecretValue"], f.resources.length > 0 ? f.resources.map(policyResource) : [placeholderFor(f.store)])}`,
        "2. if the secret uses a customer managed KMS key, kms:Decrypt on that key for the same role;",
        `3. a route from the task's subnets to ${f.store === "ssm" ? "SSM" : "Secrets Manager"}: a VPC endpoint (com.amazonaws.${f.region ?? "<region>"}.${f.store === "ssm" ? "ssm" : "secretsmanager"}), a NAT gateway or a public IP, with outbound 443 allowed;`,
        `4. that the secret exists in ${f.region ?? "the task's Region"} under the ARN in valueFrom.`
      ].join("\n");
  }
}
function explanationFor(cause, f) {
  const store = f.store ? storeNames[f.store] : "Secrets Manager or SSM Parameter Store";
  const role = f.role ? `the task execution role ${f.role}` : "the task execution role";
  const what = f.resources.length > 0 ? f.resources.join(", ") : `a secret in ${store}`;
  const lead = `Before any container starts, ECS fetches the task definition's secrets with ${role} (not the task role your application uses). `;
  switch (cause) {
    case "permission":
      return `${lead}${store} refused: the role is not allowed to read ${what}, so the task never started. Its policy must allow ${f.store === "ssm" ? "ssm:GetParameters" : "secretsmanager:GetSecretValue"} on that exact ARN; permissions put on the task role do not count here.`;
    case "kms":
      return `${lead}The role may read ${what}, but the value is encrypted with a customer managed KMS key that the role may not use ("Access to KMS is not allowed"), so the task never started. It needs kms:Decrypt on that key, and the key policy must not shut the role out.`;
    case "network":
      return `${lead}The request to ${store} timed out: the task's subnets have no route to it (no VPC endpoint, no NAT gateway, no public IP) or its security group blocks outbound HTTPS. On Fargate 1.4+ this traffic leaves through the task's own network interface, inside your VPC.`;
    case "not-found":
      return `${lead}${store} has no ${what}${f.region ? ` in ${f.region}` : ""}: the ARN in valueFrom is wrong, the secret was deleted, it lives in another Region or account, or it has no current value yet.`;
    case "invalid-json":
      return `${lead}The secret was read, but valueFrom asks for a JSON key and the secret's value is not valid JSON or does not contain that key, so the environment variable could not be filled.`;
    case null:
      return `${lead}The text does not say why the fetch failed (it is often truncated). The usual causes, most common first: the role lacks ${f.store === "ssm" ? "ssm:GetParameters" : "secretsmanager:GetSecretValue"} on the exact ARN, it lacks kms:Decrypt on a customer managed key, the task's subnets cannot reach ${store}, or the secret does not exist in that Region.`;
  }
}
var secrets_pull_failure_default = defineRule({
  meta: {
    id: "secrets-pull-failure",
    title: "A task could not fetch its secrets at start",
    seed: 11,
    severity: "critical",
    signals: ["text", "task-stopped", "container-stopped", "service-action"],
    triggers: `"unable to retrieve secret(s) from asm|ssm" (ResourceInitializationError, Fargate 1.4+), "Fetching secret data from AWS Secrets Manager | SSM Parameter Store" (EC2 agent) or "The task can't retrieve the secret with ARN \u2026", split by AccessDenied, KMS, timeout, not found or bad JSON key`,
    checks: [
      "every secrets[].valueFrom of every container and the task's execution role (ecs:DescribeTaskDefinition)",
      "secrets whose ARN is in another Region than the task",
      "for a network failure: the VPC of the task subnet and whether it has the secretsmanager/ssm interface endpoint"
    ],
    needs: ["ecs:DescribeTaskDefinition", "ec2:DescribeSubnets", "ec2:DescribeVpcEndpoints"],
    causes: ["permission", "kms", "network", "not-found", "invalid-json"],
    autoFix: null
  },
  detect(signal) {
    const { text } = signal;
    if (!isSecretsFetch(text)) return null;
    const cause = causePatterns.find(([, patterns]) => firstMatch(text, patterns))?.[0] ?? null;
    const store = storeOf(text);
    const named = [...arnsIn(text, "secretsmanager"), ...arnsIn(text, "ssm")];
    const facts = {
      store,
      resources: usableArns(named),
      role: roleNameOf(deniedPrincipal(text).principal),
      // A redacted ARN still tells the Region.
      region: regionOf(text, named, signal),
      subnets: subnetsOf(signal),
      vpc: void 0
    };
    return {
      cause,
      specificity: cause ? "root-cause" : "symptom",
      explanation: explanationFor(cause, facts),
      fix: fixFor(cause, facts),
      evidence: [quoted(signal.source, text)],
      facts
    };
  },
  async investigate(detection2, signal, context) {
    const cause = detection2.cause;
    if (cause === "permission" || cause === "kms" || cause === null) {
      context.unchecked(
        "whether the execution role's policies allow the read (iam:SimulatePrincipalPolicy) and the KMS key policy (kms:GetKeyPolicy)",
        "the reader has no IAM or KMS operations yet"
      );
    }
    const taskDefinition = taskDefinitionArnOf(signal);
    if (!taskDefinition) {
      context.unchecked("the task definition's secrets and execution role", "the signal names no task definition");
      return void 0;
    }
    const described = await context.read("ecs:DescribeTaskDefinition", { taskDefinition }, "the task definition's secrets and execution role");
    if (!described) return void 0;
    const executionRole = described.taskDefinition?.executionRoleArn;
    const refs = secretRefs(described.taskDefinition?.containerDefinitions);
    const taskRegion = signal.resource.region ?? parseArn(taskDefinition)?.region;
    const facts = { ...detection2.facts, role: detection2.facts.role ?? roleNameOf(executionRole) };
    const evidence = [
      { source: "ecs:DescribeTaskDefinition", observed: `executionRoleArn: ${executionRole ?? "none"}` },
      ...refs.map((r2) => ({ source: "ecs:DescribeTaskDefinition", observed: `container ${r2.container}: ${r2.name} \u2190 ${r2.valueFrom}` }))
    ];
    const notes = [];
    if (facts.resources.length === 0) {
      const ofStore = refs.filter((r2) => !facts.store || r2.store === facts.store);
      facts.resources = [...new Set(ofStore.map((r2) => r2.valueFrom))];
    }
    const elsewhere = refs.filter((r2) => !!r2.region && !!taskRegion && r2.region !== taskRegion);
    for (const r2 of elsewhere) {
      evidence.push({ source: "ecs:DescribeTaskDefinition", observed: `${r2.valueFrom} is in ${r2.region}; the task runs in ${taskRegion}` });
    }
    if (elsewhere.length > 0) {
      notes.push(
        `${elsewhere.map((r2) => r2.name).join(", ")} ${elsewhere.length === 1 ? "comes" : "come"} from another Region than the task (${taskRegion}): that needs the full ARN, and a VPC endpoint in the task's Region does not reach it.`
      );
    }
    if (!executionRole) {
      notes.push("The task definition has no execution role at all, so ECS has no identity to fetch secrets with: set executionRoleArn and register a new revision.");
    }
    if (cause === "network") Object.assign(facts, await endpointFacts(facts, context, evidence, notes));
    return {
      evidence,
      explanation: [explanationFor(cause, facts), ...notes].join(" "),
      fix: fixFor(cause, facts)
    };
  }
});
async function endpointFacts(facts, context, evidence, notes) {
  const subnet = facts.subnets[0];
  if (!subnet || !facts.region) {
    context.unchecked("whether the VPC has a Secrets Manager/SSM endpoint", "the signal names no task subnet or Region");
    return {};
  }
  const subnets = await context.read("ec2:DescribeSubnets", { SubnetIds: [subnet] }, `the VPC of task subnet ${subnet}`);
  const vpc = subnets?.Subnets?.[0]?.VpcId;
  if (!vpc) return {};
  const serviceName = `com.amazonaws.${facts.region}.${facts.store === "ssm" ? "ssm" : "secretsmanager"}`;
  const endpoints = await context.read(
    "ec2:DescribeVpcEndpoints",
    { Filters: [{ Name: "vpc-id", Values: [vpc] }, { Name: "service-name", Values: [serviceName] }] },
    `whether ${vpc} has a ${serviceName} endpoint`
  );
  if (endpoints) {
    const found = endpoints.VpcEndpoints?.[0];
    evidence.push({
      source: "ec2:DescribeVpcEndpoints",
      observed: found ? `${vpc} has ${serviceName} endpoint ${found.VpcEndpointId} (${found.State}, private DNS ${found.PrivateDnsEnabled ? "on" : "off"})` : `${vpc} has no ${serviceName} endpoint`
    });
    if (found) notes.push(`${vpc} already has the ${serviceName} endpoint ${found.VpcEndpointId}: check that its security group allows 443 from the task, that private DNS is on, and that the task's security group allows outbound 443.`);
  }
  return { vpc };
}

// shared/rules/task-execution-role-confusion/index.ts
var executionManagedPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
var twoRoles = "ECS uses two roles: the task execution role (executionRoleArn) is the ECS agent's identity, used before your code runs to pull the image from ECR, fetch secrets and write awslogs; the task role (taskRoleArn) is your application's identity for its own AWS calls (S3, DynamoDB, SQS\u2026).";
var agentContext = /CannotPull\w*ContainerError|ResourceInitializationError|registry auth|pull image manifest/i;
var ecrDenied = /not authorized to perform:?\s*(ecr:(?:GetAuthorizationToken|BatchGetImage|GetDownloadUrlForLayer|BatchCheckLayerAvailability))/i;
var loggingDriver = /logger args|logging driver|Cloudwatch log (stream|group)/i;
var logsAction = /logs:(CreateLogStream|CreateLogGroup|PutLogEvents)/i;
var noExecutionRole = /requires task definition to have execution role ARN to support ([^.]+)/i;
var unableToAssume = /ECS was unable to assume the role '([^']*)'/i;
var ecrForbidden = /CannotPullContainerError[\s\S]*?(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^\s:@"]+)[\s\S]*403 Forbidden/i;
var noFacts = {
  role: void 0,
  action: void 0,
  resource: void 0,
  instanceFallback: false,
  missingExecutionRole: void 0,
  repository: void 0,
  family: void 0
};
function createTaskRole(f) {
  const name = f.family && `${f.family}-task-role`;
  return [
    `aws iam create-role --role-name ${shellArg(name, "app-task-role")} --assume-role-policy-document ${shellArg(ecsTasksTrustPolicy, "trust-policy")}`,
    putRolePolicy(name, "app-task-role", "app-access", [f.action ?? "<actions-your-app-calls>"], [f.resource ?? "<resource-arns>"])
  ];
}
function fixFor2(cause, f) {
  const role = shellArg(f.role, cause === "task-role-permissions" ? "task-role" : "task-execution-role");
  switch (cause) {
    case "execution-role-permissions": {
      if (f.missingExecutionRole) {
        return [
          `aws iam create-role --role-name ecsTaskExecutionRole --assume-role-policy-document ${shellArg(ecsTasksTrustPolicy, "trust-policy")}`,
          `aws iam attach-role-policy --role-name ecsTaskExecutionRole --policy-arn ${executionManagedPolicy}`,
          'then set "executionRoleArn": "arn:aws:iam::<account-id>:role/ecsTaskExecutionRole" in the task definition and register it again.'
        ].join("\n");
      }
      if (f.action?.toLowerCase() === "logs:createloggroup") {
        return [
          putRolePolicy(f.role, "task-execution-role", "ecs-create-log-group", ["logs:CreateLogGroup"], [f.resource ?? "arn:aws:logs:<region>:<account-id>:log-group:<awslogs-group>:*"]),
          `(awslogs-create-group needs logs:CreateLogGroup, which ${executionManagedPolicy} does not include; or create the group once and drop awslogs-create-group.)`
        ].join("\n");
      }
      const lines = [
        `aws iam attach-role-policy --role-name ${role} --policy-arn ${executionManagedPolicy}`,
        "It allows ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer, ecr:BatchGetImage, logs:CreateLogStream and logs:PutLogEvents. It belongs on the role in executionRoleArn: the same permissions on the task role do not help the pull."
      ];
      if (f.repository) {
        lines.push(
          `If the role already has them, a repository policy may deny the pull: aws ecr get-repository-policy --repository-name ${shellArg(f.repository.name, "repository")} --region ${f.repository.region}`
        );
      }
      return lines.join("\n");
    }
    case "task-role-permissions":
      if (f.instanceFallback) {
        return [
          ...createTaskRole(f),
          `then set "taskRoleArn": "arn:aws:iam::<account-id>:role/${f.family ? `${f.family}-task-role` : "<app-task-role>"}" in the task definition and register it again${f.role ? `; do not widen the instance role ${f.role}` : ""}.`
        ].join("\n");
      }
      return [
        putRolePolicy(f.role, "task-role", "app-access", [f.action ?? "<action>"], [f.resource ?? "<resource-arn>"]),
        "Put it on the role in taskRoleArn (the one in the denial), not on the execution role."
      ].join("\n");
    case "same-role":
      return [
        ...createTaskRole(f),
        `then register the task definition again with "taskRoleArn" set to that new role, keep ${role} as "executionRoleArn" with only ${executionManagedPolicy} (plus secret reads), and move your application's permissions off it.`
      ].join("\n");
    case "trust-policy":
      return [
        `aws iam update-assume-role-policy --role-name ${role} --policy-document ${shellArg(ecsTasksTrustPolicy, "trust-policy")}`,
        `The user or pipeline that registers the task definition or service also needs iam:PassRole on ${f.role ?? "the role"}.`
      ].join("\n");
  }
}
function explanationFor2(cause, f, specificity) {
  const role = f.role ? `the role ${f.role}` : "the role";
  switch (cause) {
    case "execution-role-permissions":
      if (f.missingExecutionRole) {
        return `The task definition has no task execution role, but it needs one to support ${f.missingExecutionRole}. ${twoRoles}`;
      }
      if (specificity === "symptom") {
        return `ECR answered 403 Forbidden to the image pull. ${twoRoles} The pull is made with the execution role, so most often it lacks ecr:BatchGetImage/ecr:GetDownloadUrlForLayer (or there is no execution role and an EC2 host falls back to its instance role). Other causes: a repository policy that denies this account or role, or a cross-account repository that does not grant it.`;
      }
      return `The ECS agent was denied ${f.action ?? "an ECR or CloudWatch Logs action"} with ${role}, so the task never started. ${twoRoles} This permission must be on the execution role; the task role does not count.`;
    case "task-role-permissions":
      if (f.instanceFallback) {
        return `Your application's AWS call (${f.action ?? "an API call"}) was made with the EC2 instance role ${f.role ?? ""}: the task has no task role, so the SDK fell back to the instance profile. ${twoRoles} Give the task its own task role with this permission instead of widening the instance role, which every task on the host shares.`;
      }
      return `Your application was denied ${f.action ?? "an AWS call"}${f.resource ? ` on ${f.resource}` : ""} with ${role}, the task role. ${twoRoles} A permission added to the execution role never reaches your code; add it to the task role.`;
    case "same-role":
      return `The task definition uses ${role} as both execution role and task role. ${twoRoles} With one role, your application holds the agent's permissions (every ECR image, every secret the role can read) and the agent holds the application's: give the application its own task role.`;
    case "trust-policy":
      return `ECS could not assume ${role}. ${twoRoles} Both roles must trust the service principal ecs-tasks.amazonaws.com (a role created for EC2 or Lambda does not), and whoever deploys must be allowed iam:PassRole on it.`;
  }
}
function detection(cause, facts, signal, specificity = "root-cause") {
  return {
    cause,
    specificity,
    ...cause === "same-role" ? { severity: "warning" } : {},
    explanation: explanationFor2(cause, facts, specificity),
    fix: fixFor2(cause, facts),
    evidence: signal.text ? [quoted(signal.source, signal.text)] : [],
    facts
  };
}
function sameRoleRegistration(signal) {
  if (signal.kind !== "api-call" || signal.detail.eventName !== "RegisterTaskDefinition") return null;
  const request = signal.detail.requestParameters ?? {};
  const { executionRoleArn, taskRoleArn, family } = request;
  if (typeof executionRoleArn !== "string" || executionRoleArn === "" || executionRoleArn !== taskRoleArn) return null;
  const facts = { ...noFacts, role: roleNameOf(executionRoleArn), family: typeof family === "string" ? family : void 0 };
  const found = detection("same-role", facts, signal);
  if (facts.family) found.resource = { taskFamily: facts.family };
  found.evidence.push({ source: "detail.requestParameters", observed: `executionRoleArn and taskRoleArn are both ${executionRoleArn}` });
  return found;
}
function familyOf(signal) {
  return signal.resource.taskFamily;
}
function detectText(signal) {
  const { text } = signal;
  if (!text || isSecretsFetch(text)) return null;
  const family = familyOf(signal);
  const { principal, action } = deniedPrincipal(text);
  const base = { ...noFacts, family, role: roleNameOf(principal), action, resource: deniedResource(text) };
  const assume = unableToAssume.exec(text);
  if (assume) return detection("trust-policy", { ...base, role: roleNameOf(assume[1]) ?? assume[1] }, signal);
  const missing = noExecutionRole.exec(text);
  if (missing) return detection("execution-role-permissions", { ...base, missingExecutionRole: missing[1] }, signal);
  const ecr = ecrDenied.exec(text);
  if (ecr && (agentContext.test(text) || sessionKind(principal) === "ecs-task" || signal.kind !== "text")) {
    return detection("execution-role-permissions", { ...base, action: ecr[1] }, signal);
  }
  if (loggingDriver.test(text) && /AccessDenied/i.test(text)) {
    return detection("execution-role-permissions", { ...base, action: action ?? logsAction.exec(text)?.[0] }, signal);
  }
  const forbidden = ecrForbidden.exec(text);
  if (forbidden) {
    const repository = { name: forbidden[3], region: forbidden[2] };
    return detection("execution-role-permissions", { ...base, repository }, signal, "symptom");
  }
  if (!principal || !action) return null;
  const kind = sessionKind(principal);
  if (kind === "ecs-task") return detection("task-role-permissions", base, signal);
  if (kind === "ec2-instance" && (signal.kind !== "text" || /ecs/i.test(base.role ?? ""))) {
    return detection("task-role-permissions", { ...base, instanceFallback: true }, signal);
  }
  return null;
}
var task_execution_role_confusion_default = defineRule({
  meta: {
    id: "task-execution-role-confusion",
    title: "A permission is on the wrong ECS role (execution role vs task role)",
    seed: 1,
    severity: "critical",
    signals: ["text", "task-stopped", "container-stopped", "service-action", "api-call"],
    triggers: 'ECR or awslogs AccessDenied for the agent, CannotPullContainerError 403 Forbidden from an ECR host, "requires task definition to have execution role ARN", an application AccessDenied whose principal is a task session (or an ECS instance role), "ECS was unable to assume the role", or a RegisterTaskDefinition with the same role twice',
    checks: [
      "the executionRoleArn and taskRoleArn of the task definition (ecs:DescribeTaskDefinition): missing, the same, and which one the denied principal is"
    ],
    needs: ["ecs:DescribeTaskDefinition"],
    causes: ["execution-role-permissions", "task-role-permissions", "same-role", "trust-policy"],
    autoFix: null
  },
  detect(signal) {
    return sameRoleRegistration(signal) ?? detectText(signal);
  },
  async investigate(detection2, signal, context) {
    if (signal.kind === "api-call") return void 0;
    const cause = detection2.cause;
    const taskDefinition = taskDefinitionArnOf(signal);
    if (!taskDefinition) {
      context.unchecked("the task definition's execution role and task role", "the signal names no task definition");
      return void 0;
    }
    const described = await context.read("ecs:DescribeTaskDefinition", { taskDefinition }, "the task definition's execution role and task role");
    if (!described) return void 0;
    const executionRoleArn = described.taskDefinition?.executionRoleArn;
    const taskRoleArn = described.taskDefinition?.taskRoleArn;
    const execution = roleNameOf(executionRoleArn);
    const task = roleNameOf(taskRoleArn);
    const evidence = [
      {
        source: "ecs:DescribeTaskDefinition",
        observed: `executionRoleArn: ${executionRoleArn ?? "none"}; taskRoleArn: ${taskRoleArn ?? "none"}${executionRoleArn && executionRoleArn === taskRoleArn ? " (the same role)" : ""}`
      }
    ];
    const facts = { ...detection2.facts, family: described.taskDefinition?.family ?? detection2.facts.family };
    const notes = [];
    if (cause === "execution-role-permissions") {
      if (!executionRoleArn) facts.missingExecutionRole ??= "pulling from ECR and writing awslogs";
      else facts.role ??= execution;
      if (task && task !== execution) {
        notes.push(`The task role ${task} is not used for this; if the ECR or logs permissions were added there, move them to ${execution}.`);
        context.unchecked(
          `whether the missing permissions were put on the task role ${task} instead`,
          "needs iam:ListAttachedRolePolicies and iam:GetRolePolicy, not in the reader yet"
        );
      }
    }
    if (cause === "task-role-permissions") {
      if (!taskRoleArn) {
        facts.instanceFallback = true;
        notes.push("The task definition has no task role.");
      } else if (facts.role === execution && execution !== task) {
        notes.push(`The denied role ${execution} is the execution role, which your application should never hold.`);
      }
    }
    if (cause === "trust-policy" && facts.role) {
      const which = facts.role === execution ? "execution role" : facts.role === task ? "task role" : void 0;
      if (which) notes.push(`${facts.role} is this task definition's ${which}.`);
    }
    if (cause !== "same-role" && executionRoleArn && executionRoleArn === taskRoleArn) {
      notes.push(`Also, ${execution} is both the execution role and the task role; give the application its own task role.`);
    }
    return {
      evidence,
      explanation: [explanationFor2(cause, facts, detection2.specificity), ...notes].join(" "),
      fix: fixFor2(cause, facts)
    };
  }
});

// shared/rules/log-group-missing/index.ts
var missingGroup = [
  /log stream:?\s*ResourceNotFoundException:?\s*The specified log group does not exist/i,
  /logging driver.*ResourceNotFoundException:?\s*The specified log group does not exist/i,
  /logger args.*The specified log group does not exist/i
];
function awslogsTargets(containers) {
  const targets = [];
  for (const container of containers ?? []) {
    const options = container.logConfiguration?.logDriver === "awslogs" ? container.logConfiguration.options : void 0;
    const group = options?.["awslogs-group"];
    if (!group) continue;
    targets.push({
      container: container.name ?? "(unnamed)",
      group,
      region: options["awslogs-region"],
      createGroup: options["awslogs-create-group"]?.toLowerCase() === "true"
    });
  }
  return targets;
}
function createCommands(groups, fallbackRegion) {
  return groups.map((g) => `aws logs create-log-group --log-group-name ${shellArg(g.group, "log-group")} --region ${shellArg(g.region ?? fallbackRegion, "region")}`).join("\n");
}
var generalFix = [
  "aws logs create-log-group --log-group-name <awslogs-group> --region <awslogs-region>",
  `or, in the container definition's logConfiguration.options, set "awslogs-create-group": "true" and grant the task execution role logs:CreateLogGroup.`
].join("\n");
var log_group_missing_default = defineRule({
  meta: {
    id: "log-group-missing",
    title: "The CloudWatch log group in the task definition does not exist",
    seed: 7,
    severity: "critical",
    signals: ["text", "task-stopped", "container-stopped", "service-action"],
    triggers: '"ResourceNotFoundException: The specified log group does not exist" in a stoppedReason (ResourceInitializationError) or container reason (CannotStartContainerError)',
    checks: [
      "each container's awslogs-group from the task definition",
      "which of those groups exist (logs:DescribeLogGroups)",
      "whether awslogs-create-group is set"
    ],
    needs: ["ecs:DescribeTaskDefinition", "logs:DescribeLogGroups"],
    causes: [],
    autoFix: "log-group"
  },
  detect(signal) {
    if (!firstMatch(signal.text, missingGroup)) return null;
    return {
      cause: null,
      specificity: "root-cause",
      explanation: `The awslogs log driver could not create its log stream because the log group named in the task definition does not exist, so the task failed to start. ECS does not create the group unless the container's log options set "awslogs-create-group": "true" (which also needs logs:CreateLogGroup on the task execution role).`,
      fix: generalFix,
      evidence: [quoted(signal.source, signal.text)]
    };
  },
  async investigate(_detection, signal, context) {
    const taskDefinition = "task" in signal ? signal.task.taskDefinitionArn : void 0;
    if (!taskDefinition) {
      context.unchecked("which log groups are missing", "the signal names no task definition");
      return void 0;
    }
    const described = await context.read("ecs:DescribeTaskDefinition", { taskDefinition }, "the task definition's log configuration");
    if (!described) return void 0;
    const targets = awslogsTargets(described.taskDefinition?.containerDefinitions);
    if (targets.length === 0) {
      return { evidence: [{ source: "ecs:DescribeTaskDefinition", observed: "no container uses the awslogs driver with an awslogs-group" }] };
    }
    const region = signal.resource.region;
    const missing = [];
    const evidence = [];
    for (const target of targets) {
      if (target.region && region && target.region !== region) {
        context.unchecked(`log group ${target.group}`, `it is in ${target.region}; the bot reads ${region} only`);
        continue;
      }
      const groups = await context.read("logs:DescribeLogGroups", { logGroupNamePrefix: target.group }, `whether log group ${target.group} exists`);
      if (!groups) continue;
      const exists = groups.logGroups?.some((g) => g.logGroupName === target.group) ?? false;
      evidence.push({
        source: "logs:DescribeLogGroups",
        observed: `${target.group} (container ${target.container}): ${exists ? "exists" : "does not exist"}; awslogs-create-group ${target.createGroup ? "true" : "not set"}`
      });
      if (!exists) missing.push(target);
    }
    if (missing.length === 0) return { evidence };
    const names = missing.map((m) => `${m.group} (container ${m.container})`).join(", ");
    const createSet = missing.some((m) => m.createGroup);
    return {
      evidence,
      resource: missing.length === 1 ? { container: missing[0].container } : {},
      explanation: `The log group ${names} does not exist, so the awslogs driver could not create its stream and the task failed to start.${createSet ? " awslogs-create-group is set, so the task execution role most likely lacks logs:CreateLogGroup." : " awslogs-create-group is not set, so ECS will not create it."}`,
      fix: createCommands(missing, region)
    };
  }
});

// shared/rules/cloudwatch-logs-unreachable/index.ts
var unreachable = [
  /There is a connection issue between the task and Amazon CloudWatch/i,
  // The first sentence alone, when the reason is cut short.
  /The task cannot find the Amazon CloudWatch log group defined in the task definition/i,
  /Cloudwatch log stream:?\s*RequestError:?\s*send request failed/i
];
var generalExplanation = `The awslogs log driver has to create its log stream before the container starts, and the task could not reach CloudWatch Logs (logs.<region>.amazonaws.com) over its network, so the task failed to start. Despite the words "cannot find the log group", the group is not the problem: the task has no route to CloudWatch Logs \u2014 no NAT gateway and no public IP, and no CloudWatch Logs VPC endpoint \u2014 or the endpoint's security group blocks port 443, or DNS resolution is turned off in the VPC.`;
function endpointCommand(vpc, region, subnet) {
  return `aws ec2 create-vpc-endpoint --vpc-id ${shellArg(vpc, "vpc-id")} --vpc-endpoint-type Interface --service-name com.amazonaws.${region ?? "<region>"}.logs --subnet-ids ${shellArg(subnet, "subnet-id")} --security-group-ids <sg-allowing-443-from-the-tasks> --private-dns-enabled`;
}
function generalFix2(region) {
  return [
    "Give the task a network path to CloudWatch Logs, one of:",
    `- private subnet: an interface VPC endpoint \u2014 ${endpointCommand(void 0, region, void 0)} \u2014 or a route 0.0.0.0/0 to a NAT gateway;`,
    "- public subnet: assignPublicIp=ENABLED in the awsvpcConfiguration of the service or run-task;",
    `- and keep "DNS resolution" and "DNS hostnames" enabled on the VPC (the endpoint's private DNS needs both).`
  ].join("\n");
}
function subnetOf(signal) {
  for (const attachment of signal.task.attachments ?? []) {
    const subnet = attachment.details?.find((d) => d.name === "subnetId")?.value;
    if (subnet) return subnet;
  }
  return void 0;
}
function defaultRouteTarget(table) {
  const route = table?.Routes?.find((r2) => r2.DestinationCidrBlock === "0.0.0.0/0" && r2.State !== "blackhole");
  return route?.NatGatewayId ?? route?.GatewayId ?? route?.TransitGatewayId ?? route?.NetworkInterfaceId ?? route?.InstanceId;
}
async function routeTableOf(subnet, vpc, context) {
  const purpose = `the route table of subnet ${subnet}`;
  const explicit = await context.read("ec2:DescribeRouteTables", { Filters: [{ Name: "association.subnet-id", Values: [subnet] }] }, purpose);
  if (!explicit) return void 0;
  if (explicit.RouteTables?.[0]) return explicit.RouteTables[0];
  const main = await context.read(
    "ec2:DescribeRouteTables",
    { Filters: [{ Name: "vpc-id", Values: [vpc] }, { Name: "association.main", Values: ["true"] }] },
    purpose
  );
  return main?.RouteTables?.[0];
}
function assignPublicIpFix(signal, subnet) {
  const { cluster, service, taskFamily } = signal.resource;
  const network = `"awsvpcConfiguration={subnets=[${subnet}],securityGroups=[<task-sg>],assignPublicIp=ENABLED}"`;
  return service ? `aws ecs update-service --cluster ${shellArg(cluster, "cluster")} --service ${shellArg(service, "service")} --network-configuration ${network}` : `aws ecs run-task --cluster ${shellArg(cluster, "cluster")} --task-definition ${shellArg(taskFamily, "task-family")} --launch-type FARGATE --network-configuration ${network}`;
}
var dnsCheck = "whether DNS resolution and DNS hostnames are enabled in the VPC";
var dnsWhy = "ec2:DescribeVpcAttribute is not a reader operation yet";
function diagnosis(signal, at, target, endpoint, context) {
  const { subnet, vpc, region } = at;
  if (endpoint && endpoint.PrivateDnsEnabled !== true) {
    return {
      cause: "endpoint-private-dns-off",
      explanation: `The VPC has a CloudWatch Logs endpoint (${endpoint.VpcEndpointId}), but its private DNS is off, so logs.${region ?? "<region>"}.amazonaws.com still resolves to the public address, which the task cannot reach. The awslogs driver could not create its log stream and the task failed to start.`,
      fix: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${shellArg(endpoint.VpcEndpointId, "vpc-endpoint-id")} --private-dns-enabled`
    };
  }
  if (endpoint) {
    context.unchecked(dnsCheck, dnsWhy);
    context.unchecked(`the security groups of endpoint ${endpoint.VpcEndpointId}`, "ec2:DescribeSecurityGroups is not a reader operation yet");
    return {
      cause: "network",
      explanation: `The VPC has a CloudWatch Logs endpoint (${endpoint.VpcEndpointId}) with private DNS, yet the task could not reach it: its security group (${(endpoint.Groups ?? []).map((g) => g.GroupId).join(", ") || "none"}) must allow TCP 443 from the task, and the VPC must have DNS resolution and DNS hostnames enabled.`,
      fix: `Allow HTTPS from the task to the endpoint: aws ec2 authorize-security-group-ingress --group-id ${shellArg(endpoint.Groups?.[0]?.GroupId, "endpoint-sg")} --protocol tcp --port 443 --source-group <task-sg>
and enable DNS on the VPC: aws ec2 modify-vpc-attribute --vpc-id ${vpc} --enable-dns-support "{\\"Value\\":true}"`
    };
  }
  if (target?.startsWith("nat-")) {
    context.unchecked(dnsCheck, dnsWhy);
    return {
      cause: "network",
      explanation: `Subnet ${subnet} routes to the internet through NAT gateway ${target}, so a path exists on paper; the connection is blocked further along: the task's security group egress (TCP 443), the subnet's network ACL, the NAT gateway's own subnet route, or DNS resolution turned off in the VPC.`,
      fix: `Check the task's security group allows outbound TCP 443 and the network ACL of ${subnet} allows 443 out and ephemeral ports back; or bypass the NAT with an endpoint:
${endpointCommand(vpc, region, subnet)}`
    };
  }
  if (target?.startsWith("igw-")) {
    return {
      cause: "no-public-ip",
      explanation: `Subnet ${subnet} is public (0.0.0.0/0 \u2192 ${target}) and the VPC has no CloudWatch Logs endpoint, so the task can only reach CloudWatch Logs with a public IP; a Fargate task launched with assignPublicIp=DISABLED in a public subnet has no way out, and its log stream cannot be created.`,
      fix: `${assignPublicIpFix(signal, subnet)}
or keep it private with a CloudWatch Logs endpoint:
${endpointCommand(vpc, region, subnet)}`
    };
  }
  return {
    cause: "no-route",
    explanation: `Subnet ${subnet} has no route to the internet (no 0.0.0.0/0 route to a NAT or internet gateway${target ? `; its default route goes to ${target}` : ""}) and the VPC has no CloudWatch Logs endpoint, so the awslogs driver cannot reach logs.${region ?? "<region>"}.amazonaws.com and the task fails to start.`,
    fix: `Create the CloudWatch Logs interface endpoint (or add a NAT gateway route):
${endpointCommand(vpc, region, subnet)}`
  };
}
var cloudwatch_logs_unreachable_default = defineRule({
  meta: {
    id: "cloudwatch-logs-unreachable",
    title: "The task cannot reach CloudWatch Logs, so awslogs fails and the task does not start",
    seed: null,
    severity: "critical",
    signals: ["text", "task-stopped", "container-stopped", "service-action"],
    triggers: '"There is a connection issue between the task and Amazon CloudWatch" (ResourceInitializationError: failed to validate logger args), or "failed to create Cloudwatch log stream: RequestError: send request failed"',
    checks: [
      "the task subnet's VPC (ec2:DescribeSubnets)",
      "the subnet's default route: NAT gateway, internet gateway or none (ec2:DescribeRouteTables)",
      "a com.amazonaws.<region>.logs interface endpoint and its private DNS (ec2:DescribeVpcEndpoints)"
    ],
    needs: ["ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeVpcEndpoints"],
    causes: ["network", "no-route", "no-public-ip", "endpoint-private-dns-off"],
    autoFix: null
  },
  detect(signal) {
    if (!firstMatch(signal.text, unreachable)) return null;
    return {
      cause: "network",
      specificity: "root-cause",
      explanation: generalExplanation.replace("<region>", signal.resource.region ?? "<region>"),
      fix: generalFix2(signal.resource.region),
      evidence: [quoted(signal.source, signal.text)]
    };
  },
  async investigate(_detection, signal, context) {
    if (signal.kind !== "task-stopped" && signal.kind !== "container-stopped") {
      context.unchecked("the network path from the task to CloudWatch Logs", "the signal names no task, so no subnet");
      return void 0;
    }
    const subnet = subnetOf(signal);
    if (!subnet) {
      context.unchecked("the network path from the task to CloudWatch Logs", "the task has no awsvpc subnet in the event (bridge or host network: the instance's network is used)");
      return void 0;
    }
    const subnets = await context.read("ec2:DescribeSubnets", { SubnetIds: [subnet] }, `the VPC of subnet ${subnet}`);
    const vpc = subnets?.Subnets?.[0]?.VpcId;
    if (!vpc) return void 0;
    const region = signal.resource.region;
    const table = await routeTableOf(subnet, vpc, context);
    const endpoints = await context.read(
      "ec2:DescribeVpcEndpoints",
      { Filters: [{ Name: "vpc-id", Values: [vpc] }, { Name: "service-name", Values: [`com.amazonaws.${region ?? ""}.logs`] }] },
      `a CloudWatch Logs endpoint in ${vpc}`
    );
    if (!table || !endpoints) return void 0;
    const endpoint = endpoints.VpcEndpoints?.find((e) => e.State?.toLowerCase() === "available") ?? endpoints.VpcEndpoints?.[0];
    const target = defaultRouteTarget(table);
    const evidence = [
      { source: "ec2:DescribeSubnets", observed: `${subnet} is in ${vpc}` },
      { source: "ec2:DescribeRouteTables", observed: `${table.RouteTableId ?? "route table"}: 0.0.0.0/0 \u2192 ${target ?? "no route"}` },
      {
        source: "ec2:DescribeVpcEndpoints",
        observed: endpoint ? `${endpoint.VpcEndpointId} (${endpoint.ServiceName}, ${endpoint.State}, private DNS ${endpoint.PrivateDnsEnabled ? "on" : "off"})` : `no com.amazonaws.${region ?? "<region>"}.logs endpoint in ${vpc}`
      }
    ];
    return { ...diagnosis(signal, { subnet, vpc, region }, target, endpoint, context), evidence };
  }
});

// shared/rules/image-pull-failure/task.ts
function taskOf(signal) {
  return "task" in signal ? signal.task : void 0;
}
function taskSubnet(task) {
  for (const attachment of task.attachments ?? []) {
    if (attachment.type !== void 0 && attachment.type.toLowerCase() !== "eni") continue;
    const subnet = attachment.details?.find((d) => d.name === "subnetId")?.value;
    if (subnet) return subnet;
  }
  return void 0;
}
function runsOnFargate(task) {
  return task.launchType === "FARGATE" || (task.capacityProviderName?.toUpperCase().startsWith("FARGATE") ?? false);
}
function taskArchitecture(task) {
  const attributes = task?.attributes;
  if (!Array.isArray(attributes)) return void 0;
  for (const attribute of attributes) {
    if (typeof attribute !== "object" || attribute === null) continue;
    const { name, value } = attribute;
    if (name === "ecs.cpu-architecture" && typeof value === "string") return value;
  }
  return void 0;
}
function architectureFix(image) {
  return [
    `docker buildx build --platform linux/amd64,linux/arm64 -t ${shellArg(image, "image")} --push .`,
    'or, in the task definition, run on the CPU the image was built for: "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"} (or "X86_64"), then register it and update the service.'
  ].join("\n");
}

// shared/rules/efs-mount-failure/index.ts
var efsFailure = /EFS utils command|EFS volumes|mount\.nfs4?:|\.efs\.[a-z0-9-]+\.amazonaws\.com|VolumeDriver\.Create|EFS (is supported for|requires) Fargate platform version/i;
var causePatterns2 = [
  { cause: "platform-version", patterns: [/EFS (is supported for|requires) Fargate platform version 1\.4\.0/i] },
  { cause: "iam", patterns: [/access denied by server while mounting/i] },
  { cause: "access-point", patterns: [/reason given by server: No such file or directory/i] },
  {
    cause: "network",
    patterns: [
      /Failed to resolve "?(server )?fs-/i,
      /mount\.nfs4?: Connection (timed out|reset by peer)/i,
      /Mount attempt \d+\/\d+ failed due to timeout/i,
      /amazon-ecs-volume-plugin.*VolumeDriver\.Create: context deadline exceeded/i
    ]
  }
];
function targetIn(text, signal) {
  return {
    fileSystem: /\bfs-[0-9a-f]{8,17}\b/i.exec(text)?.[0],
    path: /(?:amazonaws\.com|127\.0\.0\.1):(\/[^\s'"]*)/i.exec(text)?.[1],
    region: /\.efs\.([a-z0-9-]+)\.amazonaws\.com/i.exec(text)?.[1] ?? signal.resource.region,
    unresolved: /Failed to resolve/i.test(text),
    reset: /Connection reset by peer/i.test(text)
  };
}
var fsArg = (efs) => shellArg(efs.fileSystem, "file-system-id");
var regionArg = (efs) => shellArg(efs.region, "region");
function networkFix(efs, subnet, vpc) {
  const mountTargets = [
    `aws efs describe-mount-targets --file-system-id ${fsArg(efs)} --region ${regionArg(efs)} --query 'MountTargets[].[AvailabilityZoneName,SubnetId,LifeCycleState]'`,
    `aws efs create-mount-target --file-system-id ${fsArg(efs)} --subnet-id ${shellArg(subnet, "task-subnet-id")} --security-groups <mount-target-sg> --region ${regionArg(efs)}   # one per Availability Zone the tasks run in`
  ];
  return (efs.unresolved ? [...mountTargets, `aws ec2 modify-vpc-attribute --vpc-id ${shellArg(vpc, "vpc-id")} --enable-dns-hostnames '{"Value":true}'   # and --enable-dns-support`] : [
    `aws ec2 authorize-security-group-ingress --group-id <mount-target-sg> --protocol tcp --port 2049 --source-group <task-sg> --region ${regionArg(efs)}`,
    ...mountTargets
  ]).join("\n");
}
var iamVolumeFix = (efs) => `In the task definition volume: "efsVolumeConfiguration": {"fileSystemId": "${efs.fileSystem ?? "<file-system-id>"}", "transitEncryption": "ENABLED", "authorizationConfig": {"iam": "ENABLED"}}, and give the task role elasticfilesystem:ClientMount and elasticfilesystem:ClientWrite on arn:aws:elasticfilesystem:${efs.region ?? "<region>"}:<account>:file-system/${efs.fileSystem ?? "<file-system-id>"}.`;
function accessPointFix(efs) {
  const path = efs.path && efs.path !== "/" ? efs.path : "/<directory>";
  return [
    `aws efs create-access-point --file-system-id ${fsArg(efs)} --root-directory 'Path=${path},CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=755}' --region ${regionArg(efs)}`,
    'then set "authorizationConfig": {"accessPointId": "<fsap-id>"} with "transitEncryption": "ENABLED" on the volume and drop rootDirectory (or create the directory on the file system first).'
  ].join("\n");
}
function describe(cause, efs, signal) {
  const fs = efs.fileSystem ?? "the EFS file system";
  switch (cause) {
    case "network":
      return efs.unresolved ? {
        explanation: `The task could not resolve the DNS name of ${fs}: the VPC has no mount target for it in the task's Availability Zone (or the mount target is still being created), or the VPC has DNS hostnames or DNS resolution turned off. The file system ID itself is usually right, whatever the message suggests.`,
        fix: networkFix(efs)
      } : {
        explanation: `The task reached no EFS mount target for ${fs} on NFS port 2049: the mount target's security group does not allow TCP 2049 from the task's security group, or there is no mount target in the task's Availability Zone.${efs.reset ? " A connection reset right after the file system or its mount targets were created usually means they were not ready yet: retry before changing anything." : ""}`,
        fix: networkFix(efs)
      };
    case "iam":
      return {
        explanation: `EFS refused the mount of ${fs}. The file system policy requires IAM authorization (for example it denies anonymous access, as CDK and the console's defaults do) and the volume mounts without it, or it mounts with IAM but the task role is not allowed elasticfilesystem:ClientMount/ClientWrite.`,
        fix: iamVolumeFix(efs)
      };
    case "access-point":
      return {
        explanation: `The directory ${efs.path ?? "(rootDirectory)"} does not exist on ${fs}. The volume's rootDirectory (or the access point's root path) must already exist; EFS only creates it for an access point that has creation info.`,
        fix: accessPointFix(efs)
      };
    case "platform-version":
      return {
        explanation: "EFS volumes need Fargate platform version 1.4.0 or later; the task or job asked for an older one (LATEST meant 1.3.0 until 2021, and some tools still pin it).",
        fix: `aws ecs update-service --cluster ${shellArg(signal.resource.cluster, "cluster")} --service ${shellArg(signal.resource.service, "service")} --platform-version 1.4.0 --force-new-deployment`
      };
    case null:
      return {
        explanation: `The EFS volume ${fs} could not be mounted. The usual causes: no mount target in the task's Availability Zone, a security group that blocks TCP 2049, IAM authorization refused by the file system policy, or a rootDirectory that does not exist.`,
        fix: networkFix(efs)
      };
  }
}
function classify(text) {
  if (!efsFailure.test(text)) return void 0;
  for (const { cause, patterns } of causePatterns2) if (firstMatch(text, patterns)) return cause;
  return /EFS utils command|EFS volumes|VolumeDriver\.Create: mounting volume failed/i.test(text) ? null : void 0;
}
function efsVolume(volumes, fileSystem) {
  const candidates = volumes.filter((v) => v.efsVolumeConfiguration);
  const volume = candidates.find((v) => v.efsVolumeConfiguration?.fileSystemId === fileSystem) ?? candidates[0];
  return volume?.efsVolumeConfiguration ? { name: volume.name ?? "(unnamed)", config: volume.efsVolumeConfiguration } : void 0;
}
async function refineNetwork(efs, signal, context, evidence) {
  context.unchecked(
    `mount targets and their security groups for ${efs.fileSystem ?? "the file system"}`,
    "efs:DescribeMountTargets and ec2:DescribeSecurityGroups are not reader operations yet"
  );
  const task = taskOf(signal);
  const subnet = task ? taskSubnet(task) : void 0;
  if (!subnet) return { evidence };
  const subnets = await context.read("ec2:DescribeSubnets", { SubnetIds: [subnet] }, `the Availability Zone of subnet ${subnet}`);
  const described = subnets?.Subnets?.[0];
  if (!described) return { evidence };
  evidence.push({ source: "ec2:DescribeSubnets", observed: `${subnet} is in ${described.AvailabilityZone ?? "?"} (${described.VpcId ?? "?"})` });
  return {
    evidence,
    explanation: `${describe("network", efs, signal).explanation} The task ran in subnet ${subnet} (${described.AvailabilityZone ?? "unknown AZ"}), so ${efs.fileSystem ?? "the file system"} needs a mount target in that Availability Zone that accepts TCP 2049 from the task.`,
    fix: networkFix(efs, subnet, described.VpcId)
  };
}
var efs_mount_failure_default = defineRule({
  meta: {
    id: "efs-mount-failure",
    title: "The task could not mount its EFS volume",
    seed: null,
    severity: "critical",
    signals: ["text", "task-stopped", "container-stopped", "service-action"],
    triggers: '"failed to invoke EFS utils commands to set up EFS volumes" (ResourceInitializationError) or a VolumeDriver.Create mount error: unresolvable mount target, NFS connection timeout, "access denied by server", missing root directory, or EFS on a Fargate platform version before 1.4.0',
    checks: [
      "the task definition's EFS volume (file system, root directory, access point, IAM authorization) and task role",
      "the task subnet's Availability Zone and VPC"
    ],
    needs: ["ecs:DescribeTaskDefinition", "ec2:DescribeSubnets"],
    causes: ["network", "access-point", "iam", "platform-version"],
    autoFix: null
  },
  detect(signal) {
    const cause = classify(signal.text);
    if (cause === void 0) return null;
    const efs = targetIn(signal.text, signal);
    return {
      cause,
      specificity: cause === null ? "fallback" : "root-cause",
      ...describe(cause, efs, signal),
      evidence: [quoted(signal.source, signal.text)],
      efs
    };
  },
  async investigate(detection2, signal, context) {
    if (detection2.cause === "platform-version") return void 0;
    const taskDefinition = taskOf(signal)?.taskDefinitionArn;
    if (!taskDefinition) {
      context.unchecked("the task definition's EFS volume", "the signal names no task definition");
      return void 0;
    }
    const described = await context.read("ecs:DescribeTaskDefinition", { taskDefinition }, "the task definition's EFS volume");
    const definition = described?.taskDefinition;
    const volume = definition ? efsVolume(definition.volumes ?? [], detection2.efs.fileSystem) : void 0;
    const efs = { ...detection2.efs, fileSystem: detection2.efs.fileSystem ?? volume?.config.fileSystemId };
    const evidence = [];
    if (volume) {
      const { config } = volume;
      evidence.push({
        source: "ecs:DescribeTaskDefinition",
        observed: `volume ${volume.name}: ${config.fileSystemId ?? "?"} rootDirectory ${config.rootDirectory ?? "/"}, access point ${config.authorizationConfig?.accessPointId ?? "none"}, IAM ${config.authorizationConfig?.iam ?? "DISABLED"}, transit encryption ${config.transitEncryption ?? "DISABLED"}; task role ${definition?.taskRoleArn ?? "none"}`
      });
    }
    switch (detection2.cause) {
      case "network":
        return refineNetwork(efs, signal, context, evidence);
      case "iam": {
        context.unchecked(`the file system policy of ${efs.fileSystem ?? "the file system"} and the task role's EFS permissions`, "efs:DescribeFileSystemPolicy and IAM reads are not reader operations yet");
        if (!volume) return { evidence };
        if (volume.config.authorizationConfig?.iam !== "ENABLED") {
          return {
            evidence,
            explanation: `Volume ${volume.name} mounts ${efs.fileSystem ?? "the file system"} without IAM authorization, and the file system policy only lets IAM-authorized clients in, so EFS answers "access denied".`,
            fix: iamVolumeFix(efs)
          };
        }
        const role = definition?.taskRoleArn;
        return {
          evidence,
          explanation: role ? `Volume ${volume.name} mounts with IAM authorization as the task role ${role}, and EFS denied it: the role's policy or the file system policy does not allow elasticfilesystem:ClientMount (and ClientWrite for a writable mount).` : `Volume ${volume.name} mounts with IAM authorization but the task definition has no task role, so the mount carries no identity EFS can allow.`,
          fix: role ? `aws iam put-role-policy --role-name ${shellArg(role.split("/").pop(), "task-role")} --policy-name efs-client --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"],"Resource":"arn:aws:elasticfilesystem:${efs.region ?? "<region>"}:<account>:file-system/${efs.fileSystem ?? "<file-system-id>"}"}]}'` : `Set "taskRoleArn" in the task definition to a role allowed elasticfilesystem:ClientMount and ClientWrite on ${efs.fileSystem ?? "the file system"}.`
        };
      }
      case "access-point": {
        if (!volume) return { evidence };
        const accessPoint = volume.config.authorizationConfig?.accessPointId;
        return {
          evidence,
          explanation: accessPoint ? `Volume ${volume.name} mounts through access point ${accessPoint}, whose root path ${efs.path ?? ""} does not exist on ${efs.fileSystem ?? "the file system"}: the access point was created without creation info, so EFS does not create the directory.` : `Volume ${volume.name} mounts rootDirectory ${volume.config.rootDirectory ?? efs.path ?? "/"} of ${efs.fileSystem ?? "the file system"}, and that directory does not exist. ECS does not create it.`,
          fix: accessPointFix({ ...efs, path: efs.path ?? volume.config.rootDirectory })
        };
      }
      default:
        return { evidence };
    }
  }
});

// shared/rules/image-pull-failure/network.ts
function ecrEndpointCommands(region, vpc, subnet, routeTable) {
  const r2 = shellArg(region, "region");
  const vpcArg = shellArg(vpc, "vpc-id");
  return [
    ...["ecr.api", "ecr.dkr"].map(
      (service) => `aws ec2 create-vpc-endpoint --vpc-id ${vpcArg} --vpc-endpoint-type Interface --service-name com.amazonaws.${r2}.${service} --subnet-ids ${shellArg(subnet, "task-subnet-id")} --security-group-ids <endpoint-sg-allowing-443-from-tasks> --private-dns-enabled --region ${r2}`
    ),
    `aws ec2 create-vpc-endpoint --vpc-id ${vpcArg} --vpc-endpoint-type Gateway --service-name com.amazonaws.${r2}.s3 --route-table-ids ${shellArg(routeTable, "route-table-id")} --region ${r2}`
  ];
}
function egressOf(table) {
  const route = table.Routes?.find((r2) => r2.DestinationCidrBlock === "0.0.0.0/0" && r2.State !== "blackhole");
  if (!route) return { kind: "none" };
  if (route.NatGatewayId) return { kind: "nat", target: route.NatGatewayId };
  if (route.GatewayId?.startsWith("igw-")) return { kind: "internet-gateway", target: route.GatewayId };
  const target = route.TransitGatewayId ?? route.NetworkInterfaceId ?? route.InstanceId ?? route.VpcPeeringConnectionId;
  return target ? { kind: "other", target } : { kind: "other" };
}
function describeEgress(egress) {
  switch (egress.kind) {
    case "nat":
      return `0.0.0.0/0 \u2192 ${egress.target} (NAT gateway)`;
    case "internet-gateway":
      return `0.0.0.0/0 \u2192 ${egress.target} (internet gateway: the task needs a public IP)`;
    case "other":
      return `0.0.0.0/0 \u2192 ${egress.target ?? "another target"}`;
    case "none":
      return "no 0.0.0.0/0 route";
  }
}
var available = (endpoint) => (endpoint.State ?? "").toLowerCase() === "available";
function ecrEndpoints(endpoints, region, routeTable) {
  const result = { missing: [], noPrivateDns: [] };
  for (const service of ["ecr.api", "ecr.dkr"]) {
    const name = `com.amazonaws.${region}.${service}`;
    const endpoint = endpoints.find((e) => e.ServiceName === name && available(e));
    if (!endpoint) result.missing.push(name);
    else if (endpoint.PrivateDnsEnabled === false) result.noPrivateDns.push(endpoint.VpcEndpointId ?? name);
  }
  const s3Name = `com.amazonaws.${region}.s3`;
  const s3 = endpoints.find((e) => e.ServiceName === s3Name && available(e) && e.VpcEndpointType?.toLowerCase() === "gateway");
  if (!s3) result.missing.push(s3Name);
  else if (routeTable && !s3.RouteTableIds?.includes(routeTable)) result.s3NotRouted = s3.VpcEndpointId ?? s3Name;
  return result;
}
async function routeTableOf2(subnet, vpc, context) {
  const own = await context.read(
    "ec2:DescribeRouteTables",
    { Filters: [{ Name: "association.subnet-id", Values: [subnet] }] },
    `the route table of subnet ${subnet}`
  );
  if (!own) return void 0;
  if (own.RouteTables?.[0]) return own.RouteTables[0];
  const main = await context.read(
    "ec2:DescribeRouteTables",
    { Filters: [{ Name: "vpc-id", Values: [vpc] }, { Name: "association.main", Values: ["true"] }] },
    `the main route table of ${vpc}`
  );
  return main?.RouteTables?.[0];
}
async function checkPullPath(registry, signal, context) {
  const check = "the task subnet's route to the registry";
  const task = taskOf(signal);
  if (!task) {
    context.unchecked(check, "the signal names no task (diagnose the task state change event to check the network)");
    return void 0;
  }
  if (!runsOnFargate(task)) {
    context.unchecked(check, "on the EC2 launch type the image is pulled through the container instance's network, not the task's");
    return void 0;
  }
  const subnet = taskSubnet(task);
  if (!subnet) {
    context.unchecked(check, "the event has no ENI attachment with a subnetId");
    return void 0;
  }
  const subnets = await context.read("ec2:DescribeSubnets", { SubnetIds: [subnet] }, `the VPC of subnet ${subnet}`);
  const vpc = subnets?.Subnets?.[0]?.VpcId;
  if (!vpc) return void 0;
  const evidence = [{ source: "ec2:DescribeSubnets", observed: `${subnet} is in ${vpc}` }];
  const table = await routeTableOf2(subnet, vpc, context);
  if (!table) return { evidence };
  const egress = egressOf(table);
  evidence.push({ source: "ec2:DescribeRouteTables", observed: `${table.RouteTableId ?? "route table"}: ${describeEgress(egress)}` });
  const region = registry.region ?? signal.resource.region;
  let endpoints;
  if (registry.ecr && region) {
    const found = await context.read("ec2:DescribeVpcEndpoints", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }, `the VPC endpoints of ${vpc}`);
    if (found) {
      endpoints = ecrEndpoints(found.VpcEndpoints ?? [], region, table.RouteTableId);
      evidence.push({
        source: "ec2:DescribeVpcEndpoints",
        observed: endpoints.missing.length ? `missing in ${vpc}: ${endpoints.missing.join(", ")}` : `ecr.api, ecr.dkr and s3 endpoints exist in ${vpc}`
      });
    }
  }
  context.unchecked(
    "whether the task and endpoint security groups allow outbound/inbound 443",
    "ec2:DescribeSecurityGroups is not a reader operation yet"
  );
  const rtb = table.RouteTableId;
  const reachesInternet = egress.kind === "nat" || egress.kind === "other";
  if (egress.kind === "internet-gateway") {
    return {
      evidence,
      explanation: `Subnet ${subnet} routes to an internet gateway (${egress.target}), which only works for a task that has a public IP. The task was most likely started with assignPublicIp=DISABLED, so it cannot reach ${registry.ecr ? "Amazon ECR" : "the registry"}.`,
      fix: `aws ecs update-service --cluster ${shellArg(signal.resource.cluster, "cluster")} --service ${shellArg(signal.resource.service, "service")} --network-configuration 'awsvpcConfiguration={subnets=[${subnet}],securityGroups=[<task-sg>],assignPublicIp=ENABLED}'`
    };
  }
  if (endpoints && (endpoints.missing.length || endpoints.noPrivateDns.length || endpoints.s3NotRouted) && !reachesInternet) {
    const commands = ecrEndpointCommands(region, vpc, subnet, rtb).filter(
      (command) => endpoints.missing.some((name) => command.includes(`--service-name ${name} `))
    );
    if (endpoints.s3NotRouted) commands.push(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${endpoints.s3NotRouted} --add-route-table-ids ${shellArg(rtb, "route-table-id")}`);
    for (const id of endpoints.noPrivateDns) commands.push(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${id} --private-dns-enabled`);
    const gaps = [
      endpoints.missing.length ? `no ${endpoints.missing.join(", ")} endpoint` : "",
      endpoints.s3NotRouted ? `the S3 endpoint is not on route table ${rtb}` : "",
      endpoints.noPrivateDns.length ? `private DNS is off on ${endpoints.noPrivateDns.join(", ")}` : ""
    ].filter(Boolean);
    return {
      evidence,
      explanation: `Subnet ${subnet} has no route to the internet (${describeEgress(egress)}) and VPC ${vpc} has ${gaps.join("; ")}, so the task cannot reach Amazon ECR. Fargate pulls through the task's own network interface: a private subnet needs the ecr.api and ecr.dkr interface endpoints and the S3 gateway endpoint (image layers are stored in S3), or a NAT gateway.`,
      fix: [...commands, `or: aws ec2 create-route --route-table-id ${shellArg(rtb, "route-table-id")} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>`].join("\n")
    };
  }
  if (!reachesInternet && !registry.ecr) {
    return {
      evidence,
      explanation: `Subnet ${subnet} has no route to the internet (${describeEgress(egress)}), so the task cannot reach a registry outside AWS; VPC endpoints do not help there.`,
      fix: `aws ec2 create-route --route-table-id ${shellArg(rtb, "route-table-id")} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>
or copy the image into ECR (a pull-through cache rule) and add the ECR and S3 endpoints.`
    };
  }
  return {
    evidence,
    explanation: `Subnet ${subnet} has a way out (${describeEgress(egress)}${endpoints && !endpoints.missing.length ? ", and the ECR and S3 endpoints exist" : ""}), yet the connection timed out. Look at what filters the traffic: the task's security group must allow outbound 443 (and the endpoints' security group inbound 443 from the task), the subnet's network ACL must allow 443 out and ephemeral ports back, and the VPC needs DNS resolution enabled.`
  };
}

// shared/rules/image-pull-failure/index.ts
var causePatterns3 = [
  {
    cause: "wrong-platform",
    patterns: [
      /failed to find a descriptor for platform/i,
      /no matching manifest for \S+ in the manifest list entries/i,
      /does not contain descriptor matching platform/i
    ]
  },
  {
    cause: "rate-limit",
    patterns: [/toomanyrequests/i, /You have reached your pull rate limit/i, /CannotPullContainerError.*\b429 Too Many Requests/i]
  },
  {
    cause: "disk-full",
    patterns: [/(CannotPullContainerError|GetImageBlob|failed to register layer).*no space left on device/i]
  },
  {
    cause: "network",
    patterns: [
      // Reported under the secrets prefix, but it is the ECR auth call that cannot get out.
      /cannot pull registry auth from Amazon ECR:?\s*There is a connection issue/i,
      /unable to retrieve ecr registry auth:.*(RequestError|send request failed|i\/o timeout|context deadline exceeded)/i,
      /CannotPullContainerError.*(request canceled while waiting for connection|Client\.Timeout exceeded)/i,
      /CannotPullContainerError.*\bdial tcp\b.*(i\/o timeout|connection refused|no route to host)/i,
      /CannotPullContainerError.*context (canceled|deadline exceeded)/i
    ]
  },
  {
    cause: "not-found",
    patterns: [
      /CannotPullContainerError.*API error \(404\)/i,
      /CannotPullContainerError.*(manifest unknown|: not found\b|Tag \S+ not found in repository)/i,
      /manifest for \S+ not found/i
    ]
  },
  {
    cause: "registry-auth",
    patterns: [
      /pull access denied for \S+,? (the )?repository does not exist or may require '?docker login/i,
      /CannotPullContainerError.*(401 Unauthorized|unauthorized: authentication required|no basic auth credentials)/i,
      /unable to get registry auth from asm/i
    ]
  }
];
var deniedByIam = [/AccessDeniedException/i, /is not authorized to perform/i, /\bKMS\b/i, /dkr\.ecr\..*\b403 Forbidden\b/i];
var anyPullFailure = /CannotPullContainerError/i;
function imageInText(text) {
  const manifestUrl = /https:\/\/([^/\s"]+)\/v2\/(.+?)\/manifests\/([^\s"]+)/i.exec(text);
  const tagInRepo = /Tag (\S+) not found in repository (\S+?)[,.]?(\s|$)/i.exec(text);
  if (tagInRepo) return `${tagInRepo[2]}:${tagInRepo[1]}`;
  const direct = firstMatch(text, [
    /failed to resolve ref(?:erence)?\s+"?([^\s"]+?)"?:\s/i,
    /API error \(404\): repository\s+(\S+)\s+not found/i,
    /pull access denied for ([^\s,]+)/i,
    /manifest for (\S+) not found/i
  ]);
  if (direct?.[1]) return direct[1];
  if (manifestUrl && !/\/v2\/$/.test(manifestUrl[0])) return `${manifestUrl[1]}/${manifestUrl[2]}:${manifestUrl[3]}`;
  return void 0;
}
function registryOf(text, signal) {
  const containerImage = "container" in signal ? signal.container.image : void 0;
  const image = imageInText(text) ?? containerImage;
  const ecrImage = /(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\/([^\s:@"',]+))?(?::([^\s@"',]+))?/i.exec(image ?? text);
  if (ecrImage) {
    return { image, ecr: true, account: ecrImage[1], region: ecrImage[2], repository: ecrImage[3], tag: ecrImage[4] };
  }
  const ecrApi = /api\.ecr\.([a-z0-9-]+)\.amazonaws\.com/i.exec(text);
  if (ecrApi || /Amazon ECR|ecr registry auth/i.test(text)) return { image, ecr: true, region: ecrApi?.[1] ?? signal.resource.region };
  return { image, ecr: false };
}
function classify2(text) {
  if (deniedByIam.some((p) => p.test(text))) return void 0;
  for (const { cause, patterns } of causePatterns3) if (firstMatch(text, patterns)) return cause;
  return anyPullFailure.test(text) ? null : void 0;
}
function platformIn(text) {
  return /(linux\/(?:amd64|arm64|arm)(?:\/v\d)?)/i.exec(text)?.[1]?.toLowerCase();
}
function describe2(cause, registry, text, signal) {
  const image = registry.image;
  const region = registry.region ?? signal.resource.region;
  switch (cause) {
    case "not-found": {
      const explanation = `The registry answered that the image ${image ?? "named in the task definition"} does not exist: the repository name, tag or digest is wrong, or the tag was never pushed (or was deleted by a lifecycle policy). A tag that exists locally but was never pushed fails the same way.${registry.ecr ? " For ECR, also check the account and region in the URI, and that the task execution role may pull from that repository." : ""}`;
      const fix2 = registry.ecr && registry.repository ? [
        `aws ecr describe-images --repository-name ${shellArg(registry.repository, "repository")} --image-ids imageTag=${shellArg(registry.tag ?? "latest", "tag")} --region ${shellArg(region, "region")}`,
        `If it is missing, push the image, or point the container definition's "image" at a tag or digest that exists and register a new task definition revision.`
      ].join("\n") : [
        `docker manifest inspect ${shellArg(image, "image")}`,
        `If that fails, fix the container definition's "image" (repository, tag or digest) and register a new task definition revision.`
      ].join("\n");
      return { explanation, fix: fix2 };
    }
    case "network": {
      const explanation = registry.ecr ? "The task could not reach Amazon ECR to get its registry credentials or the image: its subnet has no route to ECR. A Fargate task pulls through its own network interface, so it needs either a public IP in a subnet routed to an internet gateway, a NAT gateway route, or VPC endpoints for ecr.api, ecr.dkr and an S3 gateway endpoint (image layers come from S3). A security group or network ACL that blocks outbound 443 has the same effect." : `The task could not reach the registry${image ? ` serving ${image}` : ""} (the connection timed out or was cancelled). A registry outside AWS is only reachable through a public IP with an internet gateway or a NAT gateway; VPC endpoints do not help. A security group or network ACL that blocks outbound 443 has the same effect.`;
      const fix2 = registry.ecr ? [
        "Give the task subnet a way to ECR. Private subnets without NAT need these endpoints:",
        ...ecrEndpointCommands(region),
        "or add a NAT gateway route (0.0.0.0/0) to the subnet's route table, or, in a public subnet, run the task with assignPublicIp=ENABLED."
      ].join("\n") : [
        "aws ec2 create-route --route-table-id <task-subnet-route-table> --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>",
        "or, in a public subnet, run the task with assignPublicIp=ENABLED; or copy the image into ECR (an ECR pull-through cache rule) and reach it through VPC endpoints."
      ].join("\n");
      return { explanation, fix: fix2 };
    }
    case "rate-limit":
      return {
        explanation: "Docker Hub refused the pull because the pull rate limit was reached. Anonymous pulls are counted per source IP, and every task behind the same NAT gateway shares that IP, so a deployment or a scale-out can exhaust it.",
        fix: [
          `aws ecr create-pull-through-cache-rule --ecr-repository-prefix docker-hub --upstream-registry-url registry-1.docker.io --credential-arn <secret-arn-for-docker-hub-credentials> --region ${shellArg(region, "region")}`,
          `then use <account>.dkr.ecr.${shellArg(region, "region")}.amazonaws.com/docker-hub/${image && !image.includes("/") ? `library/${image}` : shellArg(image, "image")} as the image;`,
          'or authenticate the pulls: "repositoryCredentials": {"credentialsParameter": "<secret-arn>"} in the container definition (the secret holds a Docker Hub username and access token).'
        ].join("\n")
      };
    case "wrong-platform": {
      const platform = platformIn(text);
      const taskCpu = taskArchitecture(taskOf(signal));
      return {
        explanation: `The image ${image ?? ""} has no variant for the platform the task runs on${platform ? ` (${platform})` : ""}${taskCpu ? `; the task runs on ${taskCpu}` : ""}. It was built for another CPU architecture (an arm64 laptop build on x86 Fargate, or the reverse), or published in a format whose manifest lists no platform.`,
        fix: architectureFix(image)
      };
    }
    case "disk-full":
      return {
        explanation: "The image could not be written to disk: the host ran out of space while pulling. On EC2 the Docker data volume is full of old images, stopped containers or json-file logs; on Fargate the image (unpacked) is larger than the task's ephemeral storage.",
        fix: [
          "EC2: free space on the container instance (docker system prune -af), lower ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION and keep ECS_DISABLE_IMAGE_CLEANUP=false in /etc/ecs/ecs.config, or launch instances with a larger data volume.",
          `Fargate: raise the task definition's "ephemeralStorage": {"sizeInGiB": 50} (up to 200), or make the image smaller.`
        ].join("\n")
      };
    case "registry-auth":
      return {
        explanation: `The registry refused the pull for ${image ?? "the image"}: it is private and ECS sent no valid credentials, or the repository name is wrong (Docker Hub gives the same answer for both). Images outside ECR need "repositoryCredentials" pointing to a Secrets Manager secret with the registry username and password, and the task execution role must be able to read that secret.`,
        fix: [
          `docker manifest inspect ${shellArg(image, "image")}   # from a logged-in machine: does the name exist?`,
          'In the container definition: "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:<region>:<account>:secret:<name>"}, the secret holding {"username": "\u2026", "password": "\u2026"}; grant the task execution role secretsmanager:GetSecretValue on it.'
        ].join("\n")
      };
    case null:
      return {
        explanation: "The image could not be pulled, and the text does not say why. The usual causes are a wrong image URI or tag, no network route to the registry (no NAT, public IP or VPC endpoints), missing registry credentials or ECR permissions on the task execution role, a Docker Hub rate limit, or an image built for another CPU architecture.",
        fix: [
          "aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --query 'tasks[0].containers[].[name,image,reason]'",
          "Read the full container reason (stoppedReason is truncated), then check the image exists and the task subnet can reach the registry."
        ].join("\n")
      };
  }
}
var image_pull_failure_default = defineRule({
  meta: {
    id: "image-pull-failure",
    title: "The container image could not be pulled",
    seed: null,
    severity: "critical",
    signals: ["text", "task-stopped", "container-stopped", "service-action"],
    triggers: 'CannotPullContainerError (image not found, connection timeout, Docker Hub rate limit, no platform match, no space left, pull access denied) and the ECR connection failure reported as "unable to pull secrets or registry auth: \u2026 connection issue between the task and Amazon ECR"',
    checks: [
      "the task subnet's route to the internet (NAT gateway, internet gateway or none)",
      "which of the ecr.api, ecr.dkr and S3 VPC endpoints exist in the VPC"
    ],
    needs: ["ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeVpcEndpoints"],
    causes: ["not-found", "network", "rate-limit", "wrong-platform", "disk-full", "registry-auth"],
    autoFix: null
  },
  detect(signal) {
    const cause = classify2(signal.text);
    if (cause === void 0) return null;
    const registry = registryOf(signal.text, signal);
    return {
      cause,
      // A bare CannotPullContainerError is the catch-all of this family.
      specificity: cause === null ? "fallback" : "root-cause",
      ...describe2(cause, registry, signal.text, signal),
      evidence: [quoted(signal.source, signal.text)],
      registry
    };
  },
  async investigate(detection2, signal, context) {
    if (detection2.cause !== "network") return void 0;
    return checkPullPath(detection2.registry, signal, context);
  }
});

// shared/rules/container-start-failure/index.ts
var startFailure = /CannotStartContainerError|CannotCreateContainerError|DockerStateError|Cannot start container|ContainerRuntimeTimeoutError|DockerTimeoutError|OCI runtime (create|start) failed|starting container process caused|exec user process caused|executable file not found in \$PATH|exec format error/i;
var otherRules = [
  /logging driver|logger args|log stream|awslogs/i,
  /OOM-killed|OutOfMemory|memory limit too low/i,
  /\bEFS\b|efs-utils|mount\.nfs/i,
  /CannotPullContainerError/i
];
var causePatterns4 = [
  { cause: "disk-full", patterns: [/devmapper: Thin Pool has \d+ free data blocks/i, /no space left on device/i] },
  { cause: "timeout", patterns: [/(ContainerRuntimeTimeoutError|DockerTimeoutError):?\s*Could not transition to (created|started|running)/i] },
  { cause: "exec-format", patterns: [/exec format error/i] },
  {
    cause: "permission-denied",
    patterns: [/exec:?\s*\\?"?[^"\s]+\\?"?:\s*permission denied/i, /exec user process caused:?\s*\\?"?permission denied/i]
  },
  { cause: "entrypoint-not-found", patterns: [/executable file not found in \$PATH/i] }
];
function programIn(text) {
  return /exec:?\s*\\?"([^"\\]+)\\?":/i.exec(text)?.[1] ?? /exec (\/\S+): (?:exec format error|permission denied)/i.exec(text)?.[1];
}
function describe3(cause, text, signal) {
  const program = programIn(text);
  const container = signal.resource.container ?? "<container>";
  const image = "container" in signal ? signal.container.image : void 0;
  switch (cause) {
    case "entrypoint-not-found": {
      const words = program?.trim().split(/\s+/) ?? [];
      if (words.length > 1) {
        return {
          explanation: `The container's command is one string, "${program}", so the runtime looked for a program with that whole name, spaces included. In a task definition, entryPoint and command are arrays with one element per word.`,
          fix: `In container ${container}, set "command": ${JSON.stringify(words)} (and the same for entryPoint), then register a new task definition revision and update the service.`
        };
      }
      return {
        explanation: `The runtime could not find the program ${program ? `"${program}" ` : ""}that the container's entryPoint or command names: it is not in the image, not on the image's PATH, or the task definition (or a RunTask override) passes the wrong value as the command.`,
        fix: [
          `aws ecs describe-task-definition --task-definition ${shellArg(signal.resource.taskFamily, "family")} --query 'taskDefinition.containerDefinitions[].[name,entryPoint,command]'`,
          `Compare it with the image (docker run --rm --entrypoint sh ${shellArg(image, "image")} -c 'command -v ${program ?? "<program>"}'); use an absolute path or fix entryPoint/command, then register a new revision.`
        ].join("\n")
      };
    }
    case "exec-format": {
      const cpu = taskArchitecture(taskOf(signal));
      return {
        explanation: `The container's program${program ? ` ${program}` : ""} is built for a different CPU architecture than the one the task runs on${cpu ? ` (${cpu})` : ""}: typically an image built on an arm64 laptop running on x86_64 Fargate, or the reverse. It can also be a script without a "#!" line.`,
        fix: architectureFix(image)
      };
    }
    case "permission-denied":
      return {
        explanation: `The container's entrypoint${program ? ` ${program}` : ""} is not executable in the image (the file lost its execute bit, often when copied from a Windows checkout or a umask-restricted build), or the image's user cannot read it.`,
        fix: `In the Dockerfile: COPY --chmod=755 ${program ?? "<entrypoint>"} ${program ?? "<entrypoint>"} (or RUN chmod +x ${program ?? "<entrypoint>"}), rebuild and push, then deploy the new image.`
      };
    case "disk-full":
      return {
        explanation: "The container instance ran out of storage for container layers (the devicemapper thin pool or the Docker volume is full), so Docker could not create the container. Old images, stopped containers and json-file logs fill it up.",
        fix: [
          "On the container instance: docker system prune -af (removes stopped containers and unused images).",
          "Lower ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION (default 3h) and keep image cleanup on in /etc/ecs/ecs.config, or launch instances with a larger Docker data volume."
        ].join("\n")
      };
    case "timeout": {
      const waited = /timed out after waiting (\w+)/i.exec(text)?.[1];
      return {
        explanation: `The container did not reach its next state within the runtime's timeout${waited ? ` (${waited})` : ""}. On Fargate this usually means the task could not reach something it needs at start (ECR and S3 for the image, CloudWatch Logs for awslogs, Secrets Manager or SSM): check its NAT gateway or VPC endpoints. On EC2 it means the Docker daemon or the disk was too slow or overloaded.`,
        fix: [
          "Fargate: give the task subnet a NAT gateway route or VPC endpoints for ecr.api, ecr.dkr, s3 (gateway), logs and, if used, secretsmanager/ssm.",
          "EC2: raise ECS_CONTAINER_START_TIMEOUT / ECS_CONTAINER_CREATE_TIMEOUT in /etc/ecs/ecs.config and check the instance for disk I/O or CPU saturation."
        ].join("\n")
      };
    }
    case null:
      return {
        explanation: "The runtime could not create or start the container. The reason after the prefix names the problem: a missing or non-executable entrypoint, an image for another CPU, a full disk, a user or working directory that does not exist in the image, or a volume that could not be mounted.",
        fix: `aws ecs describe-tasks --cluster ${shellArg(signal.resource.cluster, "cluster")} --tasks ${shellArg(signal.resource.task, "task-id")} --query 'tasks[0].containers[].[name,reason]'`
      };
  }
}
function classify3(text) {
  if (!startFailure.test(text) || otherRules.some((p) => p.test(text))) return void 0;
  for (const { cause, patterns } of causePatterns4) if (firstMatch(text, patterns)) return cause;
  return /CannotStartContainerError|CannotCreateContainerError/i.test(text) ? null : void 0;
}
var container_start_failure_default = defineRule({
  meta: {
    id: "container-start-failure",
    title: "The container could not be created or started",
    seed: null,
    severity: "critical",
    signals: ["text", "task-stopped", "container-stopped", "service-action"],
    triggers: "CannotStartContainerError / CannotCreateContainerError / OCI runtime errors (executable file not found, exec format error, permission denied, devmapper thin pool full) and ContainerRuntimeTimeoutError / DockerTimeoutError start timeouts; not logging, OOM or EFS failures",
    checks: [],
    needs: [],
    causes: ["entrypoint-not-found", "exec-format", "permission-denied", "disk-full", "timeout"],
    autoFix: null
  },
  detect(signal) {
    const cause = classify3(signal.text);
    if (cause === void 0) return null;
    return {
      cause,
      // A CannotStartContainerError whose reason is none of the known ones is this family's catch-all.
      specificity: cause === null ? "fallback" : "root-cause",
      ...describe3(cause, signal.text, signal),
      evidence: [quoted(signal.source, signal.text)]
    };
  }
});

// shared/rules/container-oom-killed/sizing.ts
var GIB = 1024;
function steps(from, to, step) {
  const values = [];
  for (let v = from; v <= to; v += step) values.push(v * GIB);
  return values;
}
var fargateSizes = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: steps(1, 4, 1) },
  { cpu: 1024, memory: steps(2, 8, 1) },
  { cpu: 2048, memory: steps(4, 16, 1) },
  { cpu: 4096, memory: steps(8, 30, 1) },
  { cpu: 8192, memory: steps(16, 60, 4) },
  { cpu: 16384, memory: steps(32, 120, 8) }
];
function fargateSizeFor(currentCpu, minMemory) {
  for (const size of fargateSizes) {
    if (size.cpu < currentCpu) continue;
    const memory = size.memory.find((m) => m >= minMemory);
    if (memory !== void 0) return { cpu: size.cpu, memory };
  }
  return void 0;
}
function withHeadroom(memory) {
  return Math.ceil(memory * 1.5);
}

// shared/rules/container-oom-killed/index.ts
var oomKilled = [
  // "Container killed due to memory usage"; matched without its end so truncated reasons still count.
  /OutOfMemoryError:?\s*Container killed/i,
  /container init was OOM-killed/i
];
function mib(value) {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : void 0;
}
function causeFor(containerLimit, taskMemory) {
  if (containerLimit !== void 0 && (taskMemory === void 0 || containerLimit < taskMemory)) return "container-limit";
  if (taskMemory !== void 0) return "task-limit";
  return null;
}
var explanations = {
  "container-limit": 'The container used more memory than its own hard limit ("memory" in its container definition), so the kernel killed it (SIGKILL, exit code 137). ECS then stops the task because the container is essential, and a service starts a new one that will hit the same limit under the same load.',
  "task-limit": `The container has no hard limit of its own, so it shares the task's memory with the other containers; together they used more than the task-level "memory", and the kernel killed it (SIGKILL, exit code 137). A service keeps replacing the task, which fails again under the same load.`,
  unknown: `The kernel's OOM killer stopped the container because it used more memory than it was allowed: its own hard limit ("memory" in the container definition) or, without one, the task-level "memory" it shares with the other containers (on EC2 without any limit, the instance's memory).`
};
function eventEvidence(signal) {
  const evidence = [quoted(signal.source, signal.text)];
  if (signal.kind !== "container-stopped") return evidence;
  const { container, task } = signal;
  if (container.exitCode !== void 0) {
    evidence.push({ source: `detail.containers[${container.name}].exitCode`, observed: String(container.exitCode) });
  }
  const limits = [`container ${container.name} memory limit ${container.memory ?? "not set"}`, `task memory ${task.memory ?? "not set"}`];
  evidence.push({ source: "detail", observed: `${limits.join("; ")} (MiB)` });
  return evidence;
}
var cleanExitNote = " The exit code is 0 although the reason is an OOM kill: a process inside the container was killed and the main process then exited on its own; the memory limit was still reached.";
function deployLine(signal, family) {
  const taskDefinition = shellArg(family, "task-family");
  const { cluster, service } = signal.resource;
  if (service || signal.kind === "text") {
    return `then deploy it: aws ecs update-service --cluster ${shellArg(cluster, "cluster")} --service ${shellArg(service, "service")} --task-definition ${taskDefinition}`;
  }
  return `then start new tasks from it: aws ecs run-task --cluster ${shellArg(cluster, "cluster")} --task-definition ${taskDefinition} \u2026`;
}
function generalFix3(signal) {
  const container = shellArg(signal.resource.container, "container");
  return [
    `Raise the memory the container may use by about 50%, in a new revision of task definition ${shellArg(signal.resource.taskFamily, "task-family")}:`,
    `  container "${container}": "memory" (hard limit), and the task-level "memory" so it still covers every container's limit (on Fargate, a valid CPU/memory pair);`,
    deployLine(signal, signal.resource.taskFamily),
    "If memory keeps growing with uptime, look for a leak before raising the limit again."
  ].join("\n");
}
function newTaskMemory(definition, fargate, needed, current) {
  if (!fargate) return { lines: [`  task: "memory": "${needed}"   (now ${current} MiB)`] };
  const cpu = mib(definition.cpu) ?? 256;
  const size = fargateSizeFor(cpu, needed);
  if (!size) {
    return { lines: [], note: `Fargate's largest task size (16 vCPU, 120 GB) cannot give it ${needed} MiB: reduce the application's memory use or run it on EC2.` };
  }
  const lines = [`  task: "memory": "${size.memory}"   (now ${current} MiB; ${needed} MiB needed, rounded up to a valid Fargate size)`];
  if (size.cpu !== cpu) lines.push(`  task: "cpu": "${size.cpu}"   (now ${cpu}; Fargate has no ${size.memory} MiB size at ${cpu} CPU units)`);
  return { lines };
}
function sizedRefinement(signal, definition, target) {
  const containers = definition.containerDefinitions ?? [];
  const containerLimit = mib(target.memory);
  const taskMemory = mib(definition.memory);
  const cause = causeFor(containerLimit, taskMemory);
  const fargate = definition.requiresCompatibilities?.includes("FARGATE") === true || signal.kind !== "text" && signal.task.launchType === "FARGATE";
  const name = target.name ?? "(unnamed)";
  const evidence = [
    {
      source: "ecs:DescribeTaskDefinition",
      observed: `${definition.family ?? ""}:${definition.revision ?? ""} container ${name}: memory ${containerLimit ?? "not set"}, memoryReservation ${target.memoryReservation ?? "not set"}; task memory ${taskMemory ?? "not set"}, cpu ${definition.cpu ?? "not set"}${fargate ? " (FARGATE)" : ""}`
    }
  ];
  if (cause === null) {
    return {
      cause: null,
      evidence,
      explanation: `${explanations.unknown} The task definition sets no memory limit for the container or the task, so the instance itself ran out of memory.`,
      fix: `Give container "${name}" a hard limit with headroom ("memory" in its container definition) and place the task on instances with enough free memory; ${deployLine(signal, definition.family)}`
    };
  }
  const lines = [];
  let note;
  if (cause === "container-limit" && containerLimit !== void 0) {
    const raised = withHeadroom(containerLimit);
    lines.push(`  container "${name}": "memory": ${raised}   (now ${containerLimit} MiB: +50%)`);
    const others = containers.filter((c) => c !== target).reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0);
    if (taskMemory !== void 0 && others + raised > taskMemory) {
      const sizing = newTaskMemory(definition, fargate, others + raised, taskMemory);
      lines.push(...sizing.lines);
      note = sizing.note;
    } else if (taskMemory !== void 0) {
      lines.push(`  (the task's ${taskMemory} MiB still holds every container's limit)`);
    }
  } else if (taskMemory !== void 0) {
    const sizing = newTaskMemory(definition, fargate, withHeadroom(taskMemory), taskMemory);
    lines.push(...sizing.lines);
    note = sizing.note;
  }
  const fix2 = note ? note : [`Register a new revision of task definition ${shellArg(definition.family, "task-family")} with:`, ...lines, deployLine(signal, definition.family)].join("\n");
  const cleanExit = signal.kind === "container-stopped" && signal.container.exitCode === 0 ? cleanExitNote : "";
  return {
    cause,
    evidence,
    resource: { container: name },
    explanation: `${explanations[cause]}${cleanExit}`,
    fix: fix2
  };
}
function targetContainer(signal, definition) {
  const containers = definition.containerDefinitions ?? [];
  const name = signal.resource.container;
  if (name) return containers.find((c) => c.name === name);
  return containers.length === 1 ? containers[0] : void 0;
}
var container_oom_killed_default = defineRule({
  meta: {
    id: "container-oom-killed",
    title: "A container was killed for using more memory than its limit",
    seed: null,
    severity: "critical",
    signals: ["text", "task-stopped", "container-stopped"],
    triggers: '"OutOfMemoryError: Container killed due to memory usage" in a container reason (exit code 137, sometimes 0), or "container init was OOM-killed (memory limit too low?)" in a CannotStartContainerError',
    checks: [
      "the container's hard limit and reservation and the task's memory and CPU (ecs:DescribeTaskDefinition)",
      "which limit was hit, and a +50% limit rounded to a valid Fargate size"
    ],
    needs: ["ecs:DescribeTaskDefinition"],
    causes: ["container-limit", "task-limit"],
    autoFix: null
  },
  detect(signal) {
    if (!firstMatch(signal.text, oomKilled)) return null;
    const cause = signal.kind === "container-stopped" ? causeFor(mib(signal.container.memory), mib(signal.task.memory)) : null;
    const cleanExit = signal.kind === "container-stopped" && signal.container.exitCode === 0 ? cleanExitNote : "";
    return {
      cause,
      specificity: "root-cause",
      explanation: `${explanations[cause ?? "unknown"]}${cleanExit}`,
      fix: generalFix3(signal),
      evidence: eventEvidence(signal)
    };
  },
  async investigate(_detection, signal, context) {
    const taskDefinition = signal.kind === "text" ? void 0 : signal.task.taskDefinitionArn;
    if (!taskDefinition) {
      context.unchecked("the memory limits in the task definition", "the signal names no task definition");
      return void 0;
    }
    const described = await context.read("ecs:DescribeTaskDefinition", { taskDefinition }, "the memory limits in the task definition");
    const definition = described?.taskDefinition;
    if (!definition) return void 0;
    const target = targetContainer(signal, definition);
    if (!target) {
      context.unchecked("the container's memory limit", `the task definition has no single container matching ${signal.resource.container ?? "the signal"}`);
      return void 0;
    }
    return sizedRefinement(signal, definition, target);
  }
});

// shared/rules/awsvpc-ip-exhaustion/eni-limits.ts
var enisByInstanceType = {
  "c5.large": 3,
  "c5.xlarge": 4,
  "c5.2xlarge": 4,
  "c5.4xlarge": 8,
  "m5.large": 3,
  "c6i.large": 3,
  "c7g.large": 3,
  "t3.medium": 3
};
var trunkingFamilies = /* @__PURE__ */ new Set(["c5", "c6i", "c6a", "c6g", "c7g", "m5", "m6i", "m6a", "m6g", "m7g", "r5", "r6i"]);
var tasksWithTrunkingBySize = { large: 10, xlarge: 20, "2xlarge": 40, "4xlarge": 60 };
function tasksWithoutTrunking(enis) {
  return Math.max(enis - 1, 0);
}
function tasksWithTrunking(instanceType) {
  const [family = "", size = ""] = instanceType.split(".");
  return trunkingFamilies.has(family) ? tasksWithTrunkingBySize[size] : void 0;
}

// shared/rules/awsvpc-ip-exhaustion/service.ts
async function readService(context, resource, purpose) {
  const { cluster, service } = resource;
  if (!cluster || !service) {
    context.unchecked(purpose, "the signal names no service and cluster");
    return void 0;
  }
  const described = await context.read("ecs:DescribeServices", { cluster, services: [service] }, purpose);
  if (!described) return void 0;
  const found = described.services?.[0];
  if (!found) context.unchecked(purpose, `service ${service} was not found in cluster ${cluster}`);
  return found;
}
function serviceEvidence(service) {
  const strategy = service.capacityProviderStrategy ?? [];
  const placement = strategy.length ? `capacity provider strategy ${strategy.map((s) => `${s.capacityProvider} (weight ${s.weight ?? 0}${s.base ? `, base ${s.base}` : ""})`).join(", ")}` : `launch type ${service.launchType ?? "not set (cluster default strategy)"}`;
  return {
    source: "ecs:DescribeServices",
    observed: `${service.serviceName}: desired ${service.desiredCount ?? "?"}, running ${service.runningCount ?? "?"}, pending ${service.pendingCount ?? "?"}; ${placement}`
  };
}
function networkConfigurationArg(awsvpc, subnets) {
  const groups = awsvpc?.securityGroups?.length ? awsvpc.securityGroups.join(",") : "<security-group>";
  const publicIp = awsvpc?.assignPublicIp ? `,assignPublicIp=${awsvpc.assignPublicIp}` : "";
  return `'awsvpcConfiguration={subnets=[${subnets.join(",")}],securityGroups=[${groups}]${publicIp}}'`;
}
function serviceArgs(resource) {
  return `--cluster ${shellArg(resource.cluster, "cluster")} --service ${shellArg(resource.service, "service")}`;
}
function serviceNamedIn(text) {
  return /\bservice [([]?([A-Za-z0-9_-]+)[)\]]? (?:was unable|\(deployment)/i.exec(text)?.[1];
}

// shared/rules/awsvpc-ip-exhaustion/index.ts
var subnetFull = [
  /InsufficientFreeAddressesInSubnet/i,
  /(?:not|n't) (?:have )?enough free addresses/i,
  /insufficient free (?:ipv4 )?addresses/i,
  /aren'?t sufficient free ipv4 addresses/i
];
var eniSlotsFull = [
  /RESOURCE:ENI\b/i,
  /(?:doesn't|does not) have any available elastic network interface attachment points/i,
  /Unable to attach network interface to unused device index/i
];
var subnetIdPattern = /subnet-[0-9a-f]{8,17}/i;
var containerInstancePattern = /container-instance[\s/]+([0-9a-f-]{32,36})/i;
var trunkingCommands = [
  "aws ecs put-account-setting --name awsvpcTrunking --value enabled --principal-arn <container-instance-role-arn>",
  "(or for every principal in the account: aws ecs put-account-setting-default --name awsvpcTrunking --value enabled)",
  "then replace the container instances; only instances launched after the opt-in get a trunk interface:",
  "aws autoscaling start-instance-refresh --auto-scaling-group-name <asg>"
].join("\n");
function subnetFix(signal, subnets) {
  const ids = subnets.length ? subnets.join(" ") : shellArg(subnetIdPattern.exec(signal.text)?.[0], "subnet-ids");
  return [
    "See how many addresses each subnet has left:",
    `aws ec2 describe-subnets --subnet-ids ${ids} --query 'Subnets[].[SubnetId,AvailabilityZone,CidrBlock,AvailableIpAddressCount]'`,
    "Then give the tasks larger subnets (a /20 has 4,091 usable addresses) in more Availability Zones:",
    `aws ecs update-service ${serviceArgs(signal.resource)} --network-configuration 'awsvpcConfiguration={subnets=[<subnet-a>,<subnet-b>],securityGroups=[<security-group>]}'`
  ].join("\n");
}
var eniFix = [
  "Turn on ENI trunking so each instance takes many more awsvpc tasks (a c5.large goes from 2 to 10):",
  trunkingCommands,
  "Or run these tasks in bridge network mode, or on instance types with more network interfaces."
].join("\n");
function taskSubnets(signal) {
  if (signal.kind === "task-stopped") {
    const subnets = (signal.task.attachments ?? []).flatMap((a) => a.details ?? []).filter((d) => d.name === "subnetId" && d.value).map((d) => d.value);
    if (subnets.length) return [...new Set(subnets)];
  }
  const named = subnetIdPattern.exec(signal.text)?.[0];
  return named ? [named] : [];
}
function describeSubnet(subnet) {
  return `${subnet.SubnetId} (${subnet.AvailabilityZone ?? "?"}, ${subnet.CidrBlock ?? "?"}): ${subnet.AvailableIpAddressCount ?? "?"} free`;
}
async function investigateSubnets(signal, context) {
  const evidence = [];
  const service = signal.resource.service ? await readService(context, signal.resource, "the service's subnets and deployment size") : void 0;
  if (service) evidence.push(serviceEvidence(service));
  const awsvpc = service?.networkConfiguration?.awsvpcConfiguration;
  const subnetIds = awsvpc?.subnets?.length ? awsvpc.subnets : taskSubnets(signal);
  if (subnetIds.length === 0) {
    context.unchecked("free addresses in the task subnets", "no subnet is named by the signal or the service");
    return evidence.length ? { evidence } : void 0;
  }
  const described = await context.read("ec2:DescribeSubnets", { SubnetIds: subnetIds }, "free addresses in the task subnets");
  const subnets = described?.Subnets ?? [];
  if (subnets.length === 0) return { evidence, fix: subnetFix(signal, subnetIds) };
  evidence.push({ source: "ec2:DescribeSubnets", observed: subnets.map(describeSubnet).join("; ") });
  const free = subnets.reduce((sum, s) => sum + (s.AvailableIpAddressCount ?? 0), 0);
  const full = subnets.filter((s) => (s.AvailableIpAddressCount ?? 0) === 0).map((s) => s.SubnetId ?? "?");
  const roomy = subnets.filter((s) => (s.AvailableIpAddressCount ?? 0) > 0).map((s) => s.SubnetId ?? "?");
  let need = "";
  if (service?.desiredCount !== void 0) {
    const maximumPercent = service.deploymentConfiguration?.maximumPercent ?? 200;
    const peak = Math.ceil(service.desiredCount * maximumPercent / 100);
    const more = Math.max(peak - (service.runningCount ?? 0), 0);
    need = ` A deployment at maximumPercent ${maximumPercent} runs up to ${peak} tasks at once (desired ${service.desiredCount}); ${service.runningCount ?? 0} are running, so it needs ${more} more addresses${more > free ? `, ${more - free} more than the subnets have` : ", which fit only if no other resource takes them first"}.`;
  }
  const fullNote = full.length ? ` ${full.join(", ")} ${full.length === 1 ? "has" : "have"} no free address: a task placed there cannot start.` : "";
  return {
    evidence,
    explanation: `Every awsvpc task takes a private IP from one of its subnets, and the ${subnets.length} subnet(s) it uses have ${free} free address(es) in total.${fullNote}${need} Load balancers, NAT gateways, VPC endpoints and other ENIs in the same subnets take addresses too.`,
    fix: [
      "Create larger subnets (a /20 has 4,091 usable addresses) in more Availability Zones, then point the service at them, keeping any that still have room:",
      `aws ecs update-service ${serviceArgs(signal.resource)} --network-configuration ${networkConfigurationArg(awsvpc, [...roomy, "<new-subnet-a>", "<new-subnet-b>"])}`
    ].join("\n")
  };
}
async function investigateEniSlots(signal, context) {
  const cluster = signal.resource.cluster;
  if (!cluster) {
    context.unchecked("the container instances' types and ENI trunking", "the signal names no cluster");
    return void 0;
  }
  const listed = await context.read("ecs:ListContainerInstances", { cluster }, "the container instances in the cluster");
  const arns = listed?.containerInstanceArns ?? [];
  if (!listed) return void 0;
  if (arns.length === 0) {
    return { evidence: [{ source: "ecs:ListContainerInstances", observed: `${cluster} has no container instances` }] };
  }
  const described = await context.read(
    "ecs:DescribeContainerInstances",
    { cluster, containerInstances: arns.slice(0, 100) },
    "the container instances' types and ENI trunking"
  );
  if (!described) return void 0;
  const groups = /* @__PURE__ */ new Map();
  for (const instance of described.containerInstances ?? []) {
    const attributes = instance.attributes ?? [];
    const type = attributes.find((a) => a.name === "ecs.instance-type")?.value ?? "unknown";
    const trunking = attributes.some((a) => a.name === "ecs.awsvpc-trunk-id");
    const key = `${type} ${trunking}`;
    const group = groups.get(key) ?? { type, trunking, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  const enis = new Map(Object.entries(enisByInstanceType));
  const unlisted = [...new Set([...groups.values()].map((g) => g.type))].filter((t) => t !== "unknown" && !enis.has(t));
  if (unlisted.length) {
    const types = await context.read("ec2:DescribeInstanceTypes", { InstanceTypes: unlisted }, "network interfaces per instance type");
    for (const info of types?.InstanceTypes ?? []) {
      if (info.InstanceType && info.NetworkInfo?.MaximumNetworkInterfaces) enis.set(info.InstanceType, info.NetworkInfo.MaximumNetworkInterfaces);
    }
  }
  const lines = [...groups.values()].map((g) => {
    const limit = enis.get(g.type);
    const withTrunking = tasksWithTrunking(g.type);
    const capacity = g.trunking ? `trunking on${withTrunking ? ` (${withTrunking} awsvpc tasks each)` : ""}` : `${limit ? `${limit} ENIs \u2192 ${tasksWithoutTrunking(limit)} awsvpc tasks each` : "ENI count unknown"}, trunking off${withTrunking ? ` (${withTrunking} with trunking)` : ""}`;
    return `${g.count} \xD7 ${g.type}: ${capacity}`;
  });
  const evidence = [{ source: "ecs:DescribeContainerInstances", observed: lines.join("; ") }];
  const all = [...groups.values()];
  if (all.every((g) => g.trunking)) {
    return {
      evidence,
      explanation: `ENI trunking is already on, and every instance's awsvpc slots are taken (${lines.join("; ")}). The cluster needs more or larger instances for these tasks.`,
      fix: "Add container instances (raise the Auto Scaling group's max size, or enable managed scaling on its capacity provider), or use larger instance types: with trunking an xlarge takes 20 awsvpc tasks and a 2xlarge 40."
    };
  }
  context.unchecked("whether awsvpcTrunking is enabled for the container instance role", "ecs:ListAccountSettings is not in the reader yet");
  const supported = all.some((g) => !g.trunking && tasksWithTrunking(g.type) !== void 0);
  return {
    evidence,
    explanation: `Each awsvpc task on EC2 takes a whole network interface, and these instances run without ENI trunking: ${lines.join("; ")}. The cluster runs out of interfaces long before CPU or memory.`,
    fix: supported ? eniFix : `These instance types are not listed as supporting ENI trunking, so move to a supported type (c5, c6i, c6a, c6g, c7g, m5, m6i, m6a, m6g, m7g, r5, r6i) and turn it on:
${trunkingCommands}
Or run these tasks in bridge network mode.`
  };
}
var awsvpc_ip_exhaustion_default = defineRule({
  meta: {
    id: "awsvpc-ip-exhaustion",
    title: "awsvpc tasks ran out of subnet IP addresses or instance network interfaces",
    seed: 2,
    severity: "critical",
    signals: ["text", "task-stopped", "service-action"],
    triggers: `"InsufficientFreeAddressesInSubnet" / "not enough free addresses" in a stoppedReason or error (subnet-ips); "RESOURCE:ENI", "doesn't have any available elastic network interface attachment points" or "Unable to attach network interface to unused device index" in a placement failure or stoppedReason (eni-limit)`,
    checks: [
      "the service's subnets, desired count and maximumPercent (ecs:DescribeServices)",
      "free addresses per subnet against what a deployment at maximumPercent needs (ec2:DescribeSubnets)",
      "the container instances' types and whether they have a trunk interface (ecs:ListContainerInstances, ecs:DescribeContainerInstances)",
      "network interfaces per instance type, from a table or ec2:DescribeInstanceTypes"
    ],
    needs: [
      "ecs:DescribeServices",
      "ec2:DescribeSubnets",
      "ecs:ListContainerInstances",
      "ecs:DescribeContainerInstances",
      "ec2:DescribeInstanceTypes"
    ],
    causes: ["subnet-ips", "eni-limit"],
    autoFix: null
  },
  detect(signal) {
    const evidence = [quoted(signal.source, signal.text)];
    if (firstMatch(signal.text, subnetFull)) {
      return {
        cause: "subnet-ips",
        specificity: "root-cause",
        explanation: "Every awsvpc task (every Fargate task) gets its own network interface with a private IP from one of its subnets. The subnet had no free address left, so the task stopped before any container ran. Load balancers, NAT gateways, VPC endpoints and other ENIs share those addresses, and a deployment at maximumPercent briefly needs an address for every old and new task.",
        fix: subnetFix(signal, []),
        evidence
      };
    }
    if (firstMatch(signal.text, eniSlotsFull)) {
      const instance = containerInstancePattern.exec(signal.text)?.[1];
      const service = signal.resource.service ? void 0 : serviceNamedIn(signal.text);
      const resource = { ...instance ? { containerInstance: instance } : {}, ...service ? { service } : {} };
      return {
        cause: "eni-limit",
        specificity: "root-cause",
        explanation: "On EC2, each awsvpc task takes a whole elastic network interface on its instance, and an instance has only a few (a c5.large has 3, one of them its own, so it hosts 2 awsvpc tasks). The cluster ran out of interface slots before it ran out of CPU or memory. ENI trunking (awsvpcTrunking) raises the limit on supported instance types launched after it is turned on.",
        fix: eniFix,
        evidence,
        ...instance || service ? { resource } : {}
      };
    }
    return null;
  },
  investigate(detection2, signal, context) {
    return detection2.cause === "subnet-ips" ? investigateSubnets(signal, context) : investigateEniSlots(signal, context);
  }
});

// shared/rules/fargate-task-size/matrix.ts
var GiB = 1024;
function steps2(from, to, step) {
  const values = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}
var fargateSizes2 = [
  { cpu: 256, memory: [512, 1 * GiB, 2 * GiB], windows: false },
  { cpu: 512, memory: steps2(1 * GiB, 4 * GiB, GiB), windows: false },
  { cpu: 1024, memory: steps2(2 * GiB, 8 * GiB, GiB), windows: true },
  { cpu: 2048, memory: steps2(4 * GiB, 16 * GiB, GiB), windows: true },
  { cpu: 4096, memory: steps2(8 * GiB, 30 * GiB, GiB), windows: true },
  { cpu: 8192, memory: steps2(16 * GiB, 60 * GiB, 4 * GiB), windows: false },
  { cpu: 16384, memory: steps2(32 * GiB, 120 * GiB, 8 * GiB), windows: false }
];
function sizesFor(os) {
  return os === "windows" ? fargateSizes2.filter((s) => s.windows) : fargateSizes2;
}
function parseCpu(value) {
  if (typeof value === "number") return Number.isFinite(value) ? value : void 0;
  if (typeof value !== "string") return void 0;
  const match = /^\s*(\d*\.?\d+)\s*(vcpu)?\s*$/i.exec(value);
  if (!match) return void 0;
  const amount = Number(match[1]);
  return match[2] ? Math.round(amount * 1024) : amount;
}
function parseMemory(value) {
  if (typeof value === "number") return Number.isFinite(value) ? value : void 0;
  if (typeof value !== "string") return void 0;
  const match = /^\s*(\d*\.?\d+)\s*(gb|gib|mb|mib)?\s*$/i.exec(value);
  if (!match) return void 0;
  const amount = Number(match[1]);
  return match[2]?.toLowerCase().startsWith("g") ? Math.round(amount * GiB) : amount;
}
function range(size) {
  const low = size.memory[0];
  const high = size.memory[size.memory.length - 1];
  if (size.cpu === 256) return "512, 1024 or 2048";
  const step = size.memory[1] - low;
  return `${low}\u2013${high} in ${step} MiB steps`;
}
function smallestFitting(cpu, memory, os) {
  for (const size of sizesFor(os)) {
    if (size.cpu < cpu) continue;
    const fit = size.memory.find((m) => m >= memory);
    if (fit !== void 0) return { cpu: size.cpu, memory: fit };
  }
  return void 0;
}
function judge(requested, os) {
  const sizes = sizesFor(os);
  const exact = sizes.find((s) => s.cpu === requested.cpu);
  if (exact?.memory.includes(requested.memory)) return { kind: "valid" };
  const recommended = smallestFitting(requested.cpu, requested.memory, os);
  if (!recommended) {
    const largest = sizes[sizes.length - 1];
    return { kind: "above-max", max: { cpu: largest.cpu, memory: largest.memory[largest.memory.length - 1] } };
  }
  const recommendedRow = sizes.find((s) => s.cpu === recommended.cpu);
  let advice2 = `cpu ${requested.cpu} with memory ${requested.memory} is not a Fargate size${os === "windows" ? " for Windows" : ""}; use cpu ${recommended.cpu} with memory ${recommended.memory} (cpu ${recommended.cpu} takes memory ${range(recommendedRow)})`;
  if (!exact) {
    advice2 += `. Fargate cpu must be one of ${sizes.map((s) => s.cpu).join(", ")}`;
  } else if (exact.cpu !== recommended.cpu) {
    const closest = exact.memory.reduce((best, m) => Math.abs(m - requested.memory) < Math.abs(best - requested.memory) ? m : best);
    advice2 += `, or keep cpu ${exact.cpu} with memory ${closest} (cpu ${exact.cpu} takes memory ${range(exact)})`;
    return { kind: "invalid", recommended, alternative: { cpu: exact.cpu, memory: closest }, advice: advice2 };
  }
  return { kind: "invalid", recommended, advice: advice2 };
}
function matrixSummary() {
  return fargateSizes2.map((s) => `cpu ${s.cpu}: memory ${range(s)}`).join("; ");
}

// shared/rules/fargate-task-size/index.ts
var invalidSize = [/Invalid 'cpu' setting for task/i, /No Fargate configuration exists for given values/i];
var containerMemoryOverTask = /'memory' setting for container '([^']+)' is greater than for (?:the )?task/i;
var containerCpuOverTask = /sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'/i;
var missingTaskSize = /Fargate requires that '(cpu|memory)' be defined at the task level/i;
var valuesInText = /given values:\s*(\d+)\s*CPU\s*,\s*(\d+)\s*memory/i;
var FARGATE_MAX = "Fargate tops out at 16 vCPU (cpu 16384) with 120 GB (memory 122880) on Linux platform 1.4.0+, and at 4 vCPU / 30 GB on Windows";
function record(value) {
  return value && typeof value === "object" && !Array.isArray(value) ? value : void 0;
}
function list(value) {
  return Array.isArray(value) ? value : [];
}
function requestOf(signal) {
  const { eventName, requestParameters } = signal.detail;
  const params = record(requestParameters);
  if (!params) return void 0;
  const os = /WINDOWS/i.test(String(record(params.runtimePlatform)?.operatingSystemFamily ?? "")) ? "windows" : "linux";
  if (eventName === "RegisterTaskDefinition") {
    const cpu = parseCpu(params.cpu);
    const memory = parseMemory(params.memory);
    return {
      call: eventName,
      family: typeof params.family === "string" ? params.family : void 0,
      fargate: list(params.requiresCompatibilities).includes("FARGATE"),
      os,
      size: cpu !== void 0 && memory !== void 0 ? { cpu, memory } : void 0,
      containers: list(params.containerDefinitions).map((c) => {
        const container = record(c) ?? {};
        return {
          name: String(container.name ?? "(unnamed)"),
          cpu: parseCpu(container.cpu) ?? 0,
          memory: parseMemory(container.memory) ?? parseMemory(container.memoryReservation) ?? 0
        };
      })
    };
  }
  if (eventName === "RunTask") {
    const overrides = record(params.overrides);
    const cpu = parseCpu(overrides?.cpu);
    const memory = parseMemory(overrides?.memory);
    const providers = list(params.capacityProviderStrategy).map((s) => String(record(s)?.capacityProvider ?? ""));
    return {
      call: eventName,
      family: void 0,
      fargate: params.launchType === "FARGATE" || providers.some((p) => p.startsWith("FARGATE")),
      os,
      size: cpu !== void 0 && memory !== void 0 ? { cpu, memory } : void 0,
      containers: []
    };
  }
  return void 0;
}
function reregister(family, cpu, memory) {
  const where = family ? `In task definition ${family}` : "In the task definition";
  return [
    `${where}, set "cpu": "${cpu}" and "memory": "${memory}", then register it again:`,
    `aws ecs register-task-definition --cli-input-json file://${shellArg(family, "family")}.json`
  ].join("\n");
}
var genericSizeFix = `Set the task-level "cpu" and "memory" to a pair Fargate runs (${matrixSummary()}), then register the task definition again:
aws ecs register-task-definition --cli-input-json file://<family>.json`;
var abovemaxFix = `${FARGATE_MAX}. Run this task on EC2 capacity instead (a capacity provider or --launch-type EC2, with "requiresCompatibilities": ["EC2"]), or split the work into smaller tasks.`;
function sizeDetection(size, request, evidence) {
  const verdict = judge(size, request?.os ?? "linux");
  if (verdict.kind === "valid") return null;
  if (verdict.kind === "above-max") {
    return {
      cause: "above-fargate-max",
      specificity: "root-cause",
      explanation: `The task asks for cpu ${size.cpu} and memory ${size.memory}, more than Fargate's largest task. ${FARGATE_MAX}, so ECS refuses the request and the workload cannot move to Fargate as sized.`,
      fix: abovemaxFix,
      evidence
    };
  }
  return {
    cause: "invalid-combination",
    specificity: "root-cause",
    explanation: `Fargate runs only fixed cpu/memory pairs, and ${verdict.advice}. ECS refused the request, so nothing new was registered or started; what already runs keeps its old revision.`,
    fix: request?.call === "RunTask" ? `Pass a valid pair in the RunTask overrides: --overrides '{"cpu": "${verdict.recommended.cpu}", "memory": "${verdict.recommended.memory}"}' (${verdict.advice}).` : `${reregister(request?.family, verdict.recommended.cpu, verdict.recommended.memory)}${verdict.alternative ? `
Or keep "cpu": "${verdict.alternative.cpu}" and set "memory": "${verdict.alternative.memory}" instead.` : ""}`,
    evidence
  };
}
function containerDetection(signal, request, evidence) {
  const named = containerMemoryOverTask.exec(signal.text)?.[1];
  const explanation = "On Fargate the task-level cpu and memory are a hard ceiling for all its containers together. ECS rejects a task definition where one container asks for more memory than the task, or where the containers' cpu adds up to more than the task's, so nothing was registered.";
  const containers = request?.containers ?? [];
  const taskSize = request?.size;
  if (!taskSize || containers.length === 0) {
    return {
      cause: "container-exceeds-task",
      specificity: "root-cause",
      explanation,
      fix: `Raise the task-level "cpu"/"memory" to a Fargate pair at least as large as the containers need together (${matrixSummary()}), or lower the container's "memory"${named ? ` for container ${named}` : ""}; then register the task definition again.`,
      evidence,
      ...named ? { resource: { container: named } } : {}
    };
  }
  const cpuNeed = containers.reduce((sum, c) => sum + c.cpu, 0);
  const memoryNeed = containers.reduce((sum, c) => sum + c.memory, 0);
  const fitting = smallestFitting(Math.max(taskSize.cpu, cpuNeed), Math.max(taskSize.memory, memoryNeed), request?.os ?? "linux");
  const detail = `the containers ask for cpu ${cpuNeed} and memory ${memoryNeed} MiB together (${containers.map((c) => `${c.name}: cpu ${c.cpu}, memory ${c.memory}`).join("; ")}); the task has cpu ${taskSize.cpu} and memory ${taskSize.memory}`;
  return {
    cause: fitting ? "container-exceeds-task" : "above-fargate-max",
    specificity: "root-cause",
    explanation: `${explanation} Here ${detail}.${fitting ? "" : ` That is more than ${FARGATE_MAX}.`}`,
    fix: fitting ? `${reregister(request?.family, fitting.cpu, fitting.memory)}
(or lower the containers' memory/cpu to fit the task's cpu ${taskSize.cpu} / memory ${taskSize.memory}.)` : abovemaxFix,
    evidence: [...evidence, { source: "detail.requestParameters", observed: detail }],
    ...named ? { resource: { container: named } } : {}
  };
}
function classify4(signal, request, evidence) {
  if (containerMemoryOverTask.test(signal.text) || containerCpuOverTask.test(signal.text)) {
    return containerDetection(signal, request, evidence);
  }
  const missing = missingTaskSize.exec(signal.text);
  if (missing) {
    return {
      cause: "missing-task-size",
      specificity: "root-cause",
      explanation: `Fargate needs "cpu" and "memory" set on the task itself, not only on its containers, and this task definition has no task-level "${missing[1]?.toLowerCase()}". ECS refused to register it.`,
      fix: genericSizeFix,
      evidence
    };
  }
  if (firstMatch(signal.text, invalidSize)) {
    const echoed = valuesInText.exec(signal.text);
    const size = request?.size ?? (echoed ? { cpu: Number(echoed[1]), memory: Number(echoed[2]) } : void 0);
    const judged = size ? sizeDetection(size, request, evidence) : null;
    if (judged) return judged;
    return {
      cause: "invalid-combination",
      specificity: "root-cause",
      explanation: `Fargate runs only fixed cpu/memory pairs, and ECS refused this task definition's pair, so nothing new was registered or deployed. The valid pairs: ${matrixSummary()}.`,
      fix: genericSizeFix,
      evidence
    };
  }
  if (request?.fargate && request.size && !signal.text) return sizeDetection(request.size, request, evidence);
  return null;
}
var fargate_task_size_default = defineRule({
  meta: {
    id: "fargate-task-size",
    title: "The task asks Fargate for a CPU/memory size it does not offer",
    seed: 4,
    severity: "critical",
    signals: ["text", "api-call"],
    triggers: `RegisterTaskDefinition ClientException "Invalid 'cpu' setting for task" / "No Fargate configuration exists for given values", "The 'memory' setting for container \u2026 is greater than for the task", "Fargate requires that 'cpu' be defined at the task level"; and RegisterTaskDefinition/RunTask calls (CloudTrail) whose Fargate cpu/memory pair is outside the Fargate matrix`,
    checks: ["the requested cpu/memory against the Fargate size matrix (from the CloudTrail request), naming the nearest valid pair"],
    needs: [],
    causes: ["invalid-combination", "above-fargate-max", "container-exceeds-task", "missing-task-size"],
    autoFix: null
  },
  detect(signal) {
    const request = signal.kind === "api-call" ? requestOf(signal) : void 0;
    const evidence = signal.text ? [quoted(signal.source, signal.text)] : [];
    if (request?.size) {
      evidence.push({
        source: "detail.requestParameters",
        observed: `${request.call}${request.fargate ? " for FARGATE" : ""}: cpu ${request.size.cpu}, memory ${request.size.memory}${request.os === "windows" ? " (Windows)" : ""}`
      });
    }
    const detection2 = classify4(signal, request, evidence);
    if (detection2 && request?.family) detection2.resource = { ...detection2.resource, taskFamily: request.family };
    return detection2;
  }
});

// shared/rules/capacity-pending/ec2-capacity.ts
function asgName(provider) {
  return provider.autoScalingGroupProvider?.autoScalingGroupArn?.split("autoScalingGroupName/")[1];
}
function clusterEvidence(name, cluster) {
  const providers = cluster.capacityProviders?.length ? cluster.capacityProviders.join(", ") : "none";
  const strategy = cluster.defaultCapacityProviderStrategy?.map((s) => s.capacityProvider).join(", ") || "none";
  return {
    source: "ecs:DescribeClusters",
    observed: `${name}: ${cluster.registeredContainerInstancesCount ?? "?"} registered container instance(s), ${cluster.pendingTasksCount ?? "?"} pending task(s); capacity providers: ${providers}; default strategy: ${strategy}`
  };
}
function ec2Providers(signal, service, cluster) {
  const strategy = service?.capacityProviderStrategy?.length ? service.capacityProviderStrategy : service?.launchType ? [] : cluster?.defaultCapacityProviderStrategy ?? [];
  const named = signal.kind === "service-action" ? (signal.detail.capacityProviderArns ?? []).map(arnName) : [];
  const providers = [...strategy.map((s) => s.capacityProvider), ...named].filter((p) => !!p && !p.startsWith("FARGATE"));
  return [...new Set(providers)];
}
function shortfall(service, cluster) {
  const parts = [];
  if (service) {
    parts.push(`The service wants ${service.desiredCount ?? "?"} tasks and runs ${service.runningCount ?? "?"} (${service.pendingCount ?? "?"} pending)`);
  }
  if (cluster) parts.push(`the cluster has ${cluster.registeredContainerInstancesCount ?? "?"} registered instance(s)`);
  return parts.length ? ` ${parts.join("; ")}.` : "";
}
var asgCheck = (asg) => `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${shellArg(asg, "asg")} --query 'AutoScalingGroups[].[MinSize,DesiredCapacity,MaxSize]'`;
async function investigateEc2Capacity(detection2, signal, context) {
  const clusterName = signal.resource.cluster;
  if (!clusterName) {
    context.unchecked("the cluster's instances and scaling", "the signal names no cluster");
    return void 0;
  }
  const service = signal.resource.service ? await readService(context, signal.resource, "the service's task counts and capacity provider strategy") : void 0;
  const described = await context.read("ecs:DescribeClusters", { clusters: [clusterName] }, "the cluster's instances and capacity providers");
  const cluster = described?.clusters?.[0];
  if (!service && !cluster) return void 0;
  const evidence = [];
  if (service) evidence.push(serviceEvidence(service));
  if (cluster) evidence.push(clusterEvidence(clusterName, cluster));
  const asgUnchecked = () => context.unchecked("the Auto Scaling group's min/desired/max size and recent scaling activity", "autoscaling:DescribeAutoScalingGroups is not in the reader yet");
  if (service) {
    context.unchecked("the service's auto scaling range", "application-autoscaling:DescribeScalableTargets is not in the reader yet");
  }
  const gap = shortfall(service, cluster);
  const providerNames = ec2Providers(signal, service, cluster);
  if (providerNames.length === 0) {
    asgUnchecked();
    return {
      evidence,
      explanation: `${detection2.explanation}${gap} Nothing scales this cluster: ${service?.launchType ? `the service uses launch type ${service.launchType}` : "no EC2 capacity provider places these tasks"}, so the tasks wait for instances nobody adds.`,
      fix: [
        "Create a capacity provider with managed scaling for the Auto Scaling group and place the service on it:",
        'aws ecs create-capacity-provider --name <capacity-provider> --auto-scaling-group-provider "autoScalingGroupArn=<asg-arn>,managedScaling={status=ENABLED,targetCapacity=100},managedTerminationProtection=DISABLED"',
        `aws ecs put-cluster-capacity-providers --cluster ${shellArg(clusterName, "cluster")} --capacity-providers <capacity-provider> ${cluster?.capacityProviders?.length ? `${cluster.capacityProviders.join(" ")} ` : ""}--default-capacity-provider-strategy capacityProvider=<capacity-provider>,weight=1`,
        `aws ecs update-service ${serviceArgs(signal.resource)} --capacity-provider-strategy capacityProvider=<capacity-provider>,weight=1 --force-new-deployment`
      ].join("\n")
    };
  }
  const providersRead = await context.read(
    "ecs:DescribeCapacityProviders",
    { capacityProviders: providerNames },
    "whether managed scaling is on for the capacity providers"
  );
  asgUnchecked();
  const providers = providersRead?.capacityProviders ?? [];
  if (providers.length === 0) return { evidence };
  evidence.push({
    source: "ecs:DescribeCapacityProviders",
    observed: providers.map((p) => {
      const scaling = p.autoScalingGroupProvider?.managedScaling;
      return `${p.name}: managed scaling ${scaling?.status ?? "not set"}${scaling?.status === "ENABLED" ? ` (target ${scaling.targetCapacity ?? "?"}%)` : ""}, Auto Scaling group ${asgName(p) ?? "?"}`;
    }).join("; ")
  });
  const unscaled = providers.filter((p) => p.autoScalingGroupProvider?.managedScaling?.status !== "ENABLED");
  if (unscaled.length) {
    return {
      evidence,
      explanation: `${detection2.explanation}${gap} Capacity provider ${unscaled.map((p) => p.name).join(", ")} has managed scaling turned off, so ECS never asks its Auto Scaling group for more instances and the tasks wait.`,
      fix: [
        "Turn on managed scaling so ECS grows the Auto Scaling group when tasks cannot be placed:",
        ...unscaled.map(
          (p) => `aws ecs update-capacity-provider --name ${shellArg(p.name, "capacity-provider")} --auto-scaling-group-provider "managedScaling={status=ENABLED,targetCapacity=100}"`
        ),
        "Then check the group's max size leaves room to grow:",
        ...unscaled.map((p) => asgCheck(asgName(p) ?? ""))
      ].join("\n")
    };
  }
  const groups = providers.map((p) => asgName(p) ?? "");
  return {
    evidence,
    explanation: `${detection2.explanation}${gap} Managed scaling is on, yet the tasks are not placed: the Auto Scaling group is probably at its max size, its instances fail to launch (EC2 vCPU limit, no capacity for the type, no free IPs) or to register, or one task needs more CPU/memory than an instance of this type has.`,
    fix: [
      "Check the group's size and why it is not launching:",
      ...groups.map(asgCheck),
      ...groups.map((g) => `aws autoscaling describe-scaling-activities --auto-scaling-group-name ${shellArg(g, "asg")} --max-items 5`),
      "Raise the max size if it is the limit: aws autoscaling update-auto-scaling-group --auto-scaling-group-name <asg> --max-size <n>"
    ].join("\n")
  };
}

// shared/rules/capacity-pending/index.ts
var NOT_CLUSTER_SCALING = "Service auto scaling only changes the number of tasks; it never adds EC2 instances. Only cluster auto scaling (a capacity provider with managed scaling on an Auto Scaling group) grows the cluster when tasks cannot be placed.";
var causes = [
  {
    id: "quota",
    patterns: [
      /reached the limit on the number of vCPUs/i,
      /reached the limit on the number of tasks you can run concurrently/i,
      /requested (?:CPU|MEMORY) configuration is above your limit/i
    ],
    specificity: "root-cause",
    explanation: "The account reached an ECS/Fargate quota in this Region (concurrent vCPUs, concurrent tasks, or the largest task size it may run), so ECS refuses to start more tasks. RunTask still answers HTTP 200 and puts the refusal in failures[], so callers that only check the status code never notice."
  },
  {
    id: "provisioning-limit",
    patterns: [/tasks provisioning capacity limit was exceeded/i],
    specificity: "root-cause",
    explanation: "Too many tasks are waiting in PROVISIONING for capacity (ECS allows 500 per cluster): the capacity provider is not adding instances fast enough, or at all, so new tasks are refused."
  },
  {
    id: "fargate-capacity",
    patterns: [/RESOURCE:FARGATE\b/i, /Capacity is unavailable at this time/i],
    specificity: "root-cause",
    severity: "warning",
    explanation: "Fargate had no spare capacity for this task in the chosen Availability Zone(s) at that moment (Fargate Spot runs out first). It is usually transient and a service keeps retrying, but a service whose subnets are all in one AZ, or that runs only on FARGATE_SPOT, stays short until capacity returns."
  },
  {
    id: "insufficient-cpu",
    patterns: [/RESOURCE:CPU\b/i, /insufficient CPU units available/i],
    specificity: "root-cause",
    explanation: `No container instance has enough unreserved CPU for the task, so ECS cannot place it and the service stays below its desired count with tasks piling up unplaced. ${NOT_CLUSTER_SCALING}`
  },
  {
    id: "insufficient-memory",
    patterns: [/RESOURCE:MEMORY\b/i, /insufficient memory available/i],
    specificity: "root-cause",
    explanation: `No container instance has enough unreserved memory for the task, so ECS cannot place it and the service stays below its desired count with tasks piling up unplaced. ${NOT_CLUSTER_SCALING}`
  },
  {
    id: "no-instances",
    patterns: [/No Container Instances were found in your (?:cluster|capacity provider)/i, /NO ACTIVE INSTANCES/i, /EMPTY CAPACITY PROVIDER/i],
    // The message names the symptom; why there are no instances varies.
    specificity: "symptom",
    explanation: `There is no registered, ACTIVE container instance to place the tasks on. ${NOT_CLUSTER_SCALING} Other causes of the same message: the Auto Scaling group is at 0 or at its maximum; instances launch but do not register (ECS_CLUSTER in /etc/ecs/ecs.config names another cluster, the instance role lacks AmazonEC2ContainerServiceforEC2Role, or there is no route to the ECS endpoint); instances cannot launch at all (EC2 vCPU limit, no capacity for the instance type, no free IPs in the subnets); or the service passes a launch type while the cluster only has capacity providers.`
  }
];
function failureText(signal) {
  if (signal.kind !== "api-call") return signal.text;
  const failures = signal.detail.responseElements?.failures;
  const reasons = Array.isArray(failures) ? failures.map((f) => typeof f?.reason === "string" ? f.reason : "").filter(Boolean) : [];
  return [signal.text, ...reasons].filter(Boolean).join("\n");
}
var scalingFix = (cluster, service) => [
  "Turn on managed scaling on the capacity provider so ECS grows its Auto Scaling group when tasks cannot be placed:",
  'aws ecs update-capacity-provider --name <capacity-provider> --auto-scaling-group-provider "managedScaling={status=ENABLED,targetCapacity=100}"',
  `If the service uses a launch type instead of a capacity provider, move it onto one: aws ecs update-service --cluster ${cluster} --service ${service} --capacity-provider-strategy capacityProvider=<capacity-provider>,weight=1 --force-new-deployment`,
  "Either way, the Auto Scaling group's max size caps how far the cluster can grow."
].join("\n");
function fixFor3(cause, resource) {
  const cluster = shellArg(resource.cluster, "cluster");
  const service = shellArg(resource.service, "service");
  switch (cause) {
    case "quota":
      return [
        "Find the quota and ask for more (Fargate On-Demand vCPU resource count, or the Spot one):",
        'aws service-quotas list-service-quotas --service-code fargate --query "Quotas[].[QuotaName,QuotaCode,Value]" --output table',
        "aws service-quotas request-service-quota-increase --service-code fargate --quota-code <quota-code> --desired-value <vcpus>",
        "Meanwhile lower the task cpu or the maximum task count, and treat RunTask failures[] as errors."
      ].join("\n");
    case "fargate-capacity":
      return [
        "Give the service subnets in more Availability Zones, and a FARGATE fallback next to FARGATE_SPOT:",
        `aws ecs update-service --cluster ${cluster} --service ${service} --capacity-provider-strategy capacityProvider=FARGATE,base=1,weight=1 capacityProvider=FARGATE_SPOT,weight=3`,
        "For RunTask, retry later (the re:Post guide suggests Step Functions retries) or try another cpu/memory size."
      ].join("\n");
    default:
      return scalingFix(cluster, service);
  }
}
var capacity_pending_default = defineRule({
  meta: {
    id: "capacity-pending",
    title: "Tasks cannot be placed: the cluster or Fargate has no capacity for them",
    seed: 8,
    severity: "critical",
    signals: ["text", "task-stopped", "service-action", "api-call"],
    triggers: `SERVICE_TASK_PLACEMENT_FAILURE with RESOURCE:CPU / RESOURCE:MEMORY / RESOURCE:FARGATE; "No Container Instances were found in your capacity provider/cluster"; "has insufficient CPU units / memory available"; "TaskFailedToStart: NO ACTIVE INSTANCES / EMPTY CAPACITY PROVIDER"; "Capacity is unavailable at this time"; "the tasks provisioning capacity limit was exceeded"; "You've reached the limit on the number of vCPUs / tasks" (also in RunTask failures[])`,
    checks: [
      "the service's desired, running and pending counts and how it is placed (ecs:DescribeServices)",
      "the cluster's registered instances, pending tasks and capacity providers (ecs:DescribeClusters)",
      "whether managed scaling is on for the EC2 capacity providers (ecs:DescribeCapacityProviders)",
      "for Fargate capacity: how many Availability Zones the service subnets span (ec2:DescribeSubnets)"
    ],
    needs: ["ecs:DescribeServices", "ecs:DescribeClusters", "ecs:DescribeCapacityProviders", "ec2:DescribeSubnets"],
    causes: causes.map((c) => c.id),
    autoFix: null
  },
  detect(signal) {
    const text = failureText(signal);
    const cause = causes.find((c) => firstMatch(text, c.patterns));
    if (!cause) return null;
    const evidence = [quoted(signal.kind === "api-call" && text !== signal.text ? "detail.responseElements.failures" : signal.source, text)];
    const named = signal.resource.service ? void 0 : serviceNamedIn(text);
    return {
      cause: cause.id,
      specificity: cause.specificity,
      ...cause.severity ? { severity: cause.severity } : {},
      explanation: cause.explanation,
      fix: fixFor3(cause.id, named ? { ...signal.resource, service: named } : signal.resource),
      evidence,
      ...named ? { resource: { service: named } } : {}
    };
  },
  async investigate(detection2, signal, context) {
    if (detection2.cause === "quota") {
      context.unchecked("the account's Fargate vCPU quota and current usage", "service-quotas:GetServiceQuota is not in the reader yet");
      return void 0;
    }
    if (detection2.cause === "fargate-capacity") {
      const service = await readService(context, signal.resource, "the service's subnets and capacity providers");
      if (!service) return void 0;
      const awsvpc = service.networkConfiguration?.awsvpcConfiguration;
      const evidence = [serviceEvidence(service)];
      const subnets = awsvpc?.subnets ?? [];
      if (subnets.length === 0) return { evidence };
      const described = await context.read("ec2:DescribeSubnets", { SubnetIds: subnets }, "which Availability Zones the service subnets are in");
      if (!described) return { evidence };
      const zones = [...new Set((described.Subnets ?? []).map((s) => s.AvailabilityZone ?? "?"))];
      evidence.push({ source: "ec2:DescribeSubnets", observed: `${subnets.length} subnet(s) in ${zones.length} Availability Zone(s): ${zones.join(", ")}` });
      if (zones.length > 1) return { evidence };
      return {
        evidence,
        explanation: `${detection2.explanation} All of this service's subnets are in ${zones[0]}, so when that zone is short of Fargate capacity no task can start anywhere.`,
        fix: [
          "Add subnets in other Availability Zones to the service:",
          `aws ecs update-service ${serviceArgs(signal.resource)} --network-configuration ${networkConfigurationArg(awsvpc, [...subnets, "<subnet-in-another-az>"])}`
        ].join("\n")
      };
    }
    return investigateEc2Capacity(detection2, signal, context);
  }
});

// shared/rules/health-check-grace-period/ecs-service.ts
function millis(value) {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? void 0 : value.getTime();
  if (typeof value === "number") return value < 1e11 ? value * 1e3 : value;
  if (typeof value === "string") {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? void 0 : parsed;
  }
  return void 0;
}
function secondsBetween(from, to) {
  const start = millis(from);
  const end = millis(to);
  if (start === void 0 || end === void 0 || end < start) return void 0;
  return Math.round((end - start) / 1e3);
}
function serviceNamedIn2(text) {
  const match = /\(service ([A-Za-z0-9_.-]+)[),]/i.exec(text) ?? /^\s*service ([A-Za-z0-9_.-]+)\s/i.exec(text);
  const name = match?.[1];
  return name && name !== "service-name" ? name : void 0;
}
function serviceTarget(resource) {
  if (!resource.cluster || !resource.service) return void 0;
  return { cluster: resource.cluster, service: resource.service };
}
function missingTargetReason(resource) {
  if (!resource.service) return "the input names no service";
  return `the input names service ${resource.service} but not its cluster`;
}
async function describeService(context, target, purpose) {
  const answer = await context.read("ecs:DescribeServices", { cluster: target.cluster, services: [target.service] }, purpose);
  if (!answer) return void 0;
  const service = answer.services?.find((s) => s.serviceName === target.service || arnName(s.serviceArn) === target.service);
  if (!service) {
    const failure = answer.failures?.[0];
    context.unchecked(purpose, `service ${target.service} not found in cluster ${target.cluster}${failure?.reason ? ` (${failure.reason})` : ""}`);
  }
  return service;
}
var DESCRIBE_TASKS_BATCH = 100;
async function stoppedTasks(context, cluster, filter, purpose) {
  const listed = await context.read("ecs:ListTasks", { cluster, ...filter, desiredStatus: "STOPPED" }, purpose);
  if (!listed) return void 0;
  const arns = (listed.taskArns ?? []).slice(0, DESCRIBE_TASKS_BATCH);
  if (arns.length === 0) return [];
  const described = await context.read("ecs:DescribeTasks", { cluster, tasks: arns }, purpose);
  return described?.tasks;
}
function percentsText(min, max) {
  const part = (name, value) => `${name} ${value ?? "not set"}`;
  return `${part("minimumHealthyPercent", min)}, ${part("maximumPercent", max)}`;
}

// shared/rules/health-check-grace-period/start-up.ts
var STEP_SECONDS = 30;
var MAX_RECOMMENDED_SECONDS = 600;
var CONTAINER_CHECK_DEFAULTS = { interval: 30, retries: 3, startPeriod: 0 };
var MAX_MEASURED_SECONDS = 1800;
function roundUpToStep(seconds) {
  return Math.max(STEP_SECONDS, Math.ceil(seconds / STEP_SECONDS) * STEP_SECONDS);
}
function targetGroupWindow(group) {
  const interval = group.HealthCheckIntervalSeconds;
  const threshold = group.UnhealthyThresholdCount;
  return interval !== void 0 && threshold !== void 0 ? interval * threshold : void 0;
}
function describeTargetGroup(group) {
  const name = group.TargetGroupName ?? group.TargetGroupArn ?? "target group";
  const path = group.HealthCheckPath ? ` ${group.HealthCheckPath}` : "";
  const port = group.HealthCheckPort ? ` on port ${group.HealthCheckPort}` : "";
  const window = targetGroupWindow(group);
  return `${name}: ${group.HealthCheckProtocol ?? "health check"}${path}${port}, every ${group.HealthCheckIntervalSeconds ?? "?"} s, unhealthy after ${group.UnhealthyThresholdCount ?? "?"} failures${window !== void 0 ? ` (\u2248${window} s for a target that is not answering yet)` : ""}`;
}
function containerChecks(containers) {
  const checks = [];
  for (const container of containers ?? []) {
    if (!container.healthCheck) continue;
    const startPeriod = container.healthCheck.startPeriod ?? CONTAINER_CHECK_DEFAULTS.startPeriod;
    const interval = container.healthCheck.interval ?? CONTAINER_CHECK_DEFAULTS.interval;
    const retries = container.healthCheck.retries ?? CONTAINER_CHECK_DEFAULTS.retries;
    checks.push({ container: container.name ?? "(unnamed)", startPeriod, interval, retries, window: startPeriod + interval * retries });
  }
  return checks;
}
function describeContainerCheck(check) {
  return `container ${check.container}: healthCheck startPeriod ${check.startPeriod} s, interval ${check.interval} s, retries ${check.retries} (\u2248${check.window} s before a container that is not ready yet is UNHEALTHY)`;
}
function lifetimes(tasks) {
  const seconds = [];
  for (const task of tasks) {
    const lived = secondsBetween(task.startedAt, task.stoppingAt ?? task.stoppedAt);
    if (lived !== void 0) seconds.push(lived);
  }
  return seconds;
}
var startedTasks = /has started \d+ tasks?/i;
var steadyState = /has reached a steady state/i;
var healthFailure = /is unhealthy in|failed container health checks|failed ELB health checks/i;
function measuredStartUp(events) {
  const ordered = [...events ?? []].map((event2) => ({ at: millis(event2.createdAt), message: event2.message ?? "" })).filter((event2) => event2.at !== void 0).sort((a, b) => a.at - b.at);
  let started;
  let measured;
  for (const event2 of ordered) {
    if (startedTasks.test(event2.message)) started = event2.at;
    else if (healthFailure.test(event2.message)) started = void 0;
    else if (steadyState.test(event2.message) && started !== void 0) {
      const seconds = Math.round((event2.at - started) / 1e3);
      if (seconds <= MAX_MEASURED_SECONDS) measured = { seconds, startedAt: new Date(started).toISOString() };
      started = void 0;
    }
  }
  return measured;
}
function recommendGrace(input) {
  const { currentGrace, measured } = input;
  if (measured) {
    const seconds2 = Math.min(MAX_RECOMMENDED_SECONDS, roundUpToStep(measured.seconds * 1.5));
    return {
      seconds: seconds2,
      basis: `measured: tasks started at ${measured.startedAt} and the service reached steady state ${measured.seconds} s later; 1.5 \xD7 ${measured.seconds} s, rounded up to ${STEP_SECONDS} s`,
      alreadyCovered: currentGrace >= seconds2
    };
  }
  const longest = input.lifetimes.length > 0 ? Math.max(...input.lifetimes) : void 0;
  const lowerBound = longest ?? (input.detectionWindow !== void 0 ? currentGrace + input.detectionWindow : void 0);
  if (lowerBound === void 0) return void 0;
  const seconds = Math.min(MAX_RECOMMENDED_SECONDS, Math.max(roundUpToStep(lowerBound * 2), roundUpToStep(currentGrace + STEP_SECONDS)));
  const source = longest !== void 0 ? `the longest lifetime of the killed tasks (${longest} s)` : `the current grace period plus the health-check window (${lowerBound} s, estimated from the settings)`;
  return {
    seconds,
    basis: `not measured (no task of this service reached steady state in the events ECS keeps): 2 \xD7 ${source}, rounded up to ${STEP_SECONDS} s${seconds === MAX_RECOMMENDED_SECONDS ? `, capped at ${MAX_RECOMMENDED_SECONDS} s` : ""}; that lifetime is only a lower bound on start-up time`,
    alreadyCovered: false
  };
}

// shared/rules/health-check-grace-period/index.ts
var elbKill = [
  /Task failed ELB health checks/i,
  // Scheduler event: "(service X) (port 8000) is unhealthy in (target-group arn:…) due to (reason Health checks failed)."
  /is unhealthy in \(?(?:target-group|elb)\b/i
];
var containerKill = [/failed container health checks/i];
var sameKill = {
  elb: /failed ELB health checks/i,
  container: /failed container health checks/i
};
var causeOf = { elb: "elb-health-check", container: "container-health-check" };
var AFTER_START_UP_SLACK_SECONDS = 300;
var UNKNOWN_WINDOW_SECONDS = 60;
var otherElbCauses = "The same message also comes from: an app that is genuinely unhealthy (crashes, errors or hangs on the health-check path), a target group that checks the wrong path or port, a task security group that does not let the load balancer in on the container port, or a container too small (CPU/memory) to answer within the timeout.";
var otherContainerCauses = "The same message also comes from: a health-check command that cannot succeed (curl or wget missing from the image, localhost vs 127.0.0.1, the wrong port), an app that is genuinely unhealthy, or a container too small (CPU/memory) to answer within the timeout.";
function explanationFor3(kind) {
  return kind === "elb" ? `ECS stopped the task because the load balancer marked it unhealthy, and started a replacement. When this repeats right after start, the health-check grace period is shorter than the app's start-up: the target group checks the task as soon as it registers, the app is still booting, it fails the unhealthy-threshold number of checks in a row, ECS replaces it, and the new task boots just as slowly, in an endless loop. ${otherElbCauses}` : `ECS stopped the task because an essential container's own health check (healthCheck in the task definition) reported UNHEALTHY, and started a replacement. When this repeats right after start, the check begins before the app is ready: healthCheck.startPeriod and the service's health-check grace period are shorter than start-up. ${otherContainerCauses}`;
}
function genericFix(kind, service, targetGroup) {
  const update = `aws ecs update-service --cluster <cluster> --service ${shellArg(service, "service")} --health-check-grace-period-seconds <1.5 \xD7 start-up seconds>`;
  return kind === "elb" ? [
    update,
    `then see why targets fail: aws elbv2 describe-target-health --target-group-arn ${shellArg(targetGroup, "target-group-arn")} (Target.Timeout, Target.ResponseCodeMismatch, Target.FailedHealthChecks)`
  ].join("\n") : [
    `in the task definition, set the container's "healthCheck": { \u2026, "startPeriod": <1.5 \xD7 start-up seconds, at most 300> }, register the revision and update the service, or:`,
    update
  ].join("\n");
}
async function readTargetGroups(context, arns, evidence) {
  if (arns.length === 0) return [];
  const answer = await context.read(
    "elasticloadbalancing:DescribeTargetGroups",
    { TargetGroupArns: arns },
    "the target group's health-check interval and unhealthy threshold"
  );
  const groups = answer?.TargetGroups ?? [];
  for (const group of groups) evidence.push({ source: "elasticloadbalancing:DescribeTargetGroups", observed: describeTargetGroup(group) });
  return groups;
}
async function readContainerChecks(context, taskDefinition, evidence) {
  if (!taskDefinition) return [];
  const answer = await context.read("ecs:DescribeTaskDefinition", { taskDefinition }, "the containers' health checks (startPeriod, interval, retries)");
  if (!answer) return [];
  const checks = containerChecks(answer.taskDefinition?.containerDefinitions);
  evidence.push({
    source: "ecs:DescribeTaskDefinition",
    observed: checks.length > 0 ? checks.map(describeContainerCheck).join("; ") : `${taskDefinition}: no container defines a health check`
  });
  return checks;
}
function longestWindow(kind, groups, checks) {
  const windows = kind === "elb" ? groups.map(targetGroupWindow) : checks.map((c) => c.window);
  const known = windows.filter((w) => w !== void 0);
  return known.length > 0 ? Math.max(...known) : void 0;
}
function lifetimeRange(lived) {
  const low = Math.min(...lived);
  const high = Math.max(...lived);
  return low === high ? `${low} s` : `${low}\u2013${high} s`;
}
function loopState(f) {
  const running = f.service.runningCount ?? 0;
  const desired = f.service.desiredCount ?? 0;
  const kills = `${f.killed.length} task${f.killed.length === 1 ? "" : "s"} of service ${f.target.service} failed the same health check in the last hour (ECS keeps stopped tasks about an hour)`;
  const ongoing = f.killed.length >= 2 && running < desired;
  const state = ongoing ? `The loop is ongoing: ${running} of ${desired} desired tasks are running.` : running >= desired ? `The service is at its desired count (${running} of ${desired}) now, so the loop may have ended.` : `${running} of ${desired} desired tasks are running.`;
  return { ongoing, text: `${kills}. ${state}` };
}
function refine(kind, f, evidence) {
  const { cluster, service } = f.target;
  const loop = loopState(f);
  const graceText = `The service's health-check grace period is ${f.grace} s${f.grace === 0 ? " (not set)" : ""}`;
  const windowText = f.window !== void 0 ? kind === "elb" ? `, and the target group gives up on a target that is not answering after \u2248${f.window} s` : `, and the container health check gives up on a container that is not ready after \u2248${f.window} s` : "";
  const others = kind === "elb" ? otherElbCauses : otherContainerCauses;
  const severity = loop.ongoing || f.killed.length >= 2 ? "critical" : "warning";
  const afterStartUp = f.lived.length > 0 && Math.min(...f.lived) > f.grace + (f.window ?? UNKNOWN_WINDOW_SECONDS) + AFTER_START_UP_SLACK_SECONDS;
  if (afterStartUp || f.recommendation?.alreadyCovered) {
    const why = afterStartUp ? `The killed tasks ran ${lifetimeRange(f.lived)} before failing, long after start-up: they were healthy first and became unhealthy while serving, so the grace period (which only covers start-up) is not the cause.` : `The grace period already covers the start-up the service measured (${f.recommendation?.basis}), so it is not the cause.`;
    return {
      severity,
      evidence,
      explanation: `${loop.text} ${graceText}${windowText}. ${why} ${others}`,
      fix: kind === "elb" ? `aws elbv2 describe-target-health --target-group-arn ${shellArg(f.service.loadBalancers?.[0]?.targetGroupArn, "target-group-arn")}
then check the app's logs and CPU/memory at the time the checks failed` : `aws ecs describe-tasks --cluster ${shellArg(cluster, "cluster")} --tasks ${shellArg(f.killed[0]?.taskArn, "task-arn")} (containers[].healthStatus), then run the health-check command by hand in the image and read the app's logs`
    };
  }
  const lifetimeText = f.lived.length > 0 ? ` The killed tasks lived only ${lifetimeRange(f.lived)} (started \u2192 stopping).` : "";
  const recommendation = f.recommendation;
  const seconds = recommendation?.seconds;
  const update = `aws ecs update-service --cluster ${shellArg(cluster, "cluster")} --service ${shellArg(service, "service")} --health-check-grace-period-seconds ${seconds ?? "<1.5 \xD7 start-up seconds>"}`;
  const basis = recommendation ? `# ${seconds} s: ${recommendation.basis}.` : "# measure start-up (first log line \u2192 ready) and set 1.5\xD7 that.";
  const capNote = seconds === MAX_RECOMMENDED_SECONDS ? `
# if tasks still fail with ${MAX_RECOMMENDED_SECONDS} s of grace, the grace period is not the cause: see the other causes above.` : "";
  const containerStep = kind === "container" && seconds !== void 0 ? `
and in the task definition set the container's "healthCheck": { \u2026, "startPeriod": ${Math.min(seconds, 300)} } (at most 300), then register the revision and update the service.` : "";
  if (recommendation) evidence.push({ source: "ecs-medic", observed: `recommended grace period ${seconds} s; basis: ${recommendation.basis}` });
  return {
    severity,
    evidence,
    explanation: `${loop.text} ${graceText}${windowText}.${lifetimeText} A task that needs longer than that to boot is killed before it can answer, and its replacement boots just as slowly. If a longer grace period does not end the loop, look at the other causes. ${others}`,
    fix: `${update}
${basis}${capNote}${containerStep}`
  };
}
var health_check_grace_period_default = defineRule({
  meta: {
    id: "health-check-grace-period",
    title: "Tasks are killed by health checks, likely before they finish starting",
    seed: 3,
    severity: "critical",
    signals: ["text", "task-stopped"],
    triggers: 'stoppedReason "Task failed ELB health checks in (target-group \u2026)" / "(elb \u2026)" or "Task failed container health checks"; service events "\u2026 is unhealthy in (target-group \u2026) due to (reason \u2026)" and "\u2026 failed container health checks"',
    checks: [
      "the service's healthCheckGracePeriodSeconds, load balancer target groups and running vs desired count",
      "each target group's health-check interval \xD7 unhealthy threshold, path and port",
      "the containers' health checks (startPeriod, interval, retries)",
      "how many recently stopped tasks of the service failed the same check and how long each lived",
      "a start-up time the service measured (tasks started \u2192 steady state), else a lower bound from those lifetimes"
    ],
    needs: [
      "ecs:DescribeServices",
      "elasticloadbalancing:DescribeTargetGroups",
      "ecs:DescribeTaskDefinition",
      "ecs:ListTasks",
      "ecs:DescribeTasks"
    ],
    causes: ["elb-health-check", "container-health-check"],
    autoFix: "grace-period"
  },
  detect(signal) {
    const kind = firstMatch(signal.text, elbKill) ? "elb" : firstMatch(signal.text, containerKill) ? "container" : null;
    if (!kind) return null;
    const targetGroups = arnsIn(signal.text, "elasticloadbalancing");
    const service = signal.resource.service ?? serviceNamedIn2(signal.text);
    return {
      cause: causeOf[kind],
      specificity: "symptom",
      explanation: explanationFor3(kind),
      fix: genericFix(kind, service, targetGroups[0]),
      evidence: [quoted(signal.source, signal.text)],
      ...service && !signal.resource.service ? { resource: { service } } : {},
      kind,
      targetGroups
    };
  },
  async investigate(detection2, signal, context) {
    const resource = { ...signal.resource, ...detection2.resource };
    const target = serviceTarget(resource);
    if (!target) {
      context.unchecked("the service's grace period, health-check settings and restart history", missingTargetReason(resource));
      return void 0;
    }
    const service = await describeService(context, target, "the service's health-check grace period and load balancers");
    if (!service) return void 0;
    const grace = service.healthCheckGracePeriodSeconds ?? 0;
    const evidence = [
      {
        source: "ecs:DescribeServices",
        observed: `healthCheckGracePeriodSeconds ${service.healthCheckGracePeriodSeconds ?? "not set (0)"}; ${service.runningCount ?? "?"} of ${service.desiredCount ?? "?"} desired tasks running; load balancers: ${(service.loadBalancers ?? []).map((lb) => lb.targetGroupArn ?? lb.loadBalancerName).join(", ") || "none"}`
      }
    ];
    const serviceGroups = (service.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((arn) => arn !== void 0);
    const groups = detection2.kind === "elb" ? await readTargetGroups(context, [.../* @__PURE__ */ new Set([...detection2.targetGroups, ...serviceGroups])], evidence) : [];
    const taskDefinition = "task" in signal ? signal.task.taskDefinitionArn ?? service.taskDefinition : service.taskDefinition;
    const checks = await readContainerChecks(context, taskDefinition, evidence);
    const recent = await stoppedTasks(context, target.cluster, { serviceName: target.service }, "the service's recently stopped tasks and how long they lived") ?? [];
    const killed = recent.filter((task) => sameKill[detection2.kind].test(task.stoppedReason ?? ""));
    const lived = lifetimes(killed);
    if (recent.length > 0) {
      evidence.push({
        source: "ecs:DescribeTasks",
        observed: `${killed.length} of ${recent.length} recently stopped tasks failed the same health check${lived.length > 0 ? `; they lived ${lifetimeRange(lived)} (started \u2192 stopping)` : ""}`
      });
    }
    const window = longestWindow(detection2.kind, groups, checks);
    const recommendation = recommendGrace({ currentGrace: grace, measured: measuredStartUp(service.events), lifetimes: lived, detectionWindow: window });
    return refine(detection2.kind, { target, service, grace, window, killed, lived, recommendation }, evidence);
  }
});

// shared/rules/minimum-healthy-percent/index.ts
var deadlockMessage = [
  /unable to stop or start tasks during a deployment/i,
  /Update the minimumHealthyPercent or maximumPercent value/i
];
var configuringCalls = /* @__PURE__ */ new Set(["CreateService", "UpdateService"]);
function deploymentRoom(desired, min, max) {
  return {
    canStop: desired - Math.ceil(desired * min / 100) > 0,
    canStart: Math.floor(desired * max / 100) - desired > 0
  };
}
function isDeadlock(min, max, desired) {
  if (min === void 0 || max === void 0) return false;
  if (desired === void 0 || desired < 1) return min >= 100 && max <= 100;
  const room = deploymentRoom(desired, min, max);
  return !room.canStop && !room.canStart;
}
function numberField(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : void 0;
}
function recordField(value) {
  return value && typeof value === "object" && !Array.isArray(value) ? value : void 0;
}
function calledService(request) {
  const named = request.serviceName ?? request.service;
  const service = typeof named === "string" ? arnName(named) ?? named : void 0;
  const cluster = typeof request.cluster === "string" ? arnName(request.cluster) ?? request.cluster : "default";
  return { cluster, service };
}
var zeroCapacityExplanation = "minimumHealthyPercent 0 lets ECS stop every running task of the service before the new ones are healthy. During each deployment the service has zero capacity until the new tasks pass their health checks, and if the new revision is broken it stays at zero until someone rolls back. Since November 2025 Fargate rolling deployments respect this setting too, so it is no longer harmless on Fargate.";
var singleTaskNote = " With desiredCount 1 every deployment is an outage.";
var deadlockExplanation = "The deployment cannot make progress: the minimum healthy percent forbids ECS from stopping an old task, and the maximum percent forbids it from starting a new one, so the new revision never rolls out (the old tasks keep running). ECS rounds the minimum up and the maximum down: minimum 75% of 2 tasks cannot stop any task, maximum 125% of 3 tasks cannot start any. Since November 2025 Fargate rolling deployments respect these settings too.";
function updateCommand(cluster, service, configuration) {
  const argument = configuration.includes("{") ? `"${configuration}"` : configuration;
  return `aws ecs update-service --cluster ${shellArg(cluster, "cluster")} --service ${shellArg(service, "service")} --deployment-configuration ${argument}`;
}
function fixFor4(cause, cluster, service, desired, rollbackOff) {
  const breaker = rollbackOff ? "deploymentCircuitBreaker={enable=true,rollback=true}," : "";
  const lines = [updateCommand(cluster, service, `${breaker}minimumHealthyPercent=100,maximumPercent=200`)];
  lines.push("# 100/200 starts new tasks before stopping old ones: never below desiredCount, briefly double capacity.");
  if (desired === void 0 || desired >= 2) {
    const min = desired === void 0 ? 50 : Math.floor(100 * (desired - 1) / desired);
    const kept = desired === void 0 ? "half the" : `${Math.ceil(desired * min / 100)} of ${desired}`;
    lines.push(`# without room for extra tasks (cost-constrained): minimumHealthyPercent=${min},maximumPercent=100 keeps ${kept} tasks serving during a deploy.`);
  }
  if (cause === "zero-capacity" && rollbackOff) lines.push("# rollback=true returns a broken revision to the last working one automatically.");
  return lines.join("\n");
}
function detectApiCall(signal) {
  const { detail } = signal;
  if (!configuringCalls.has(detail.eventName) || detail.errorCode) return null;
  const request = recordField(detail.requestParameters);
  const config = recordField(request?.deploymentConfiguration);
  if (!request || !config) return null;
  if (request.schedulingStrategy === "DAEMON") return null;
  const min = numberField(config.minimumHealthyPercent);
  const max = numberField(config.maximumPercent);
  const desired = numberField(request.desiredCount);
  const cause = min === 0 ? "zero-capacity" : isDeadlock(min, max, desired) ? "deployment-deadlock" : null;
  if (!cause) return null;
  const { cluster, service } = calledService(request);
  const observed = `${detail.eventName} by ${detail.userIdentity?.arn ?? "an unknown principal"}: ${percentsText(min, max)}${desired !== void 0 ? `, desiredCount ${desired}` : ""}`;
  return {
    cause,
    specificity: "root-cause",
    severity: cause === "zero-capacity" ? "critical" : "warning",
    explanation: cause === "zero-capacity" ? `${zeroCapacityExplanation}${desired === void 0 || desired === 1 ? singleTaskNote : ""}` : deadlockExplanation,
    fix: fixFor4(cause, cluster, service, desired, false),
    evidence: [{ source: "detail.requestParameters.deploymentConfiguration", observed }],
    resource: service ? { cluster, service } : { cluster }
  };
}
function describeConfiguration(service) {
  const config = service.deploymentConfiguration;
  const breaker = config?.deploymentCircuitBreaker;
  const alarms = config?.alarms;
  return [
    `desiredCount ${service.desiredCount ?? "?"} (${service.runningCount ?? "?"} running)`,
    percentsText(config?.minimumHealthyPercent, config?.maximumPercent),
    `circuit breaker ${breaker?.enable ? `on, rollback ${breaker.rollback ? "on" : "off"}` : "off"}`,
    `deployment alarms ${alarms?.enable ? `on (${(alarms.alarmNames ?? []).join(", ")}), rollback ${alarms.rollback ? "on" : "off"}` : "off"}`,
    `launch ${service.launchType ?? ((service.capacityProviderStrategy ?? []).map((s) => s.capacityProvider).join("+") || "?")}`
  ].join("; ");
}
function refine2(detection2, service, target) {
  const evidence = [{ source: "ecs:DescribeServices", observed: describeConfiguration(service) }];
  const config = service.deploymentConfiguration;
  const min = config?.minimumHealthyPercent;
  const max = config?.maximumPercent;
  const desired = service.desiredCount;
  const rollbackOff = !(config?.deploymentCircuitBreaker?.enable && config.deploymentCircuitBreaker.rollback);
  const fix2 = fixFor4(detection2.cause, target.cluster, target.service, desired, rollbackOff);
  if (service.schedulingStrategy === "DAEMON") {
    return { evidence, severity: "info", explanation: "This is a DAEMON service: it replaces its one task per instance in place, so minimumHealthyPercent 0 is its default and expected." };
  }
  if (detection2.cause === "zero-capacity") {
    if (min !== 0) {
      return {
        evidence,
        severity: "info",
        explanation: `A call set minimumHealthyPercent 0 on service ${target.service}, but the service now runs with ${percentsText(min, max)}: it has been changed since. ${zeroCapacityExplanation}`
      };
    }
    const severity = "critical";
    const single = desired === 1 ? ` Service ${target.service} runs a single task (desiredCount 1), so every deployment is an outage.` : "";
    const breaker = rollbackOff ? " Its circuit breaker does not roll back, so a broken revision leaves it at zero capacity until someone rolls back by hand." : " Its circuit breaker rolls a broken revision back, but the service still has no capacity while that happens.";
    return { evidence, severity, fix: fix2, explanation: `${zeroCapacityExplanation}${single}${breaker}` };
  }
  if (desired !== void 0 && min !== void 0 && max !== void 0 && desired >= 1) {
    const room = deploymentRoom(desired, min, max);
    const stopText = `with ${desired} desired task${desired === 1 ? "" : "s"}, minimumHealthyPercent ${min} keeps at least ${Math.ceil(desired * min / 100)} running (so ECS ${room.canStop ? "can" : "cannot"} stop one first)`;
    const startText = `maximumPercent ${max} allows at most ${Math.floor(desired * max / 100)} (so ECS ${room.canStart ? "can" : "cannot"} start one first)`;
    const state = room.canStop || room.canStart ? "The current settings leave room, so the deadlock has been fixed since." : "The current settings still deadlock every deployment.";
    return { evidence, fix: fix2, severity: room.canStop || room.canStart ? "info" : "warning", explanation: `${deadlockExplanation} For service ${target.service}: ${stopText}, and ${startText}. ${state}` };
  }
  return { evidence, fix: fix2 };
}
var minimum_healthy_percent_default = defineRule({
  meta: {
    id: "minimum-healthy-percent",
    title: "The service's deployment percentages cause downtime or block deployments",
    seed: 6,
    severity: "warning",
    signals: ["text", "api-call"],
    triggers: 'service event "service X was unable to stop or start tasks during a deployment because of the service deployment configuration"; a CreateService/UpdateService call setting minimumHealthyPercent 0, or a minimum and maximum that leave no room to stop or start a task',
    checks: [
      "the service's desiredCount and current minimumHealthyPercent / maximumPercent",
      "whether the deployment circuit breaker and rollback, or deployment alarms, are on",
      "whether it is a DAEMON service (for which minimumHealthyPercent 0 is expected)"
    ],
    needs: ["ecs:DescribeServices"],
    causes: ["zero-capacity", "deployment-deadlock"],
    autoFix: null
  },
  detect(signal) {
    if (signal.kind === "api-call") return detectApiCall(signal);
    if (!firstMatch(signal.text, deadlockMessage)) return null;
    const service = serviceNamedIn2(signal.text);
    return {
      cause: "deployment-deadlock",
      specificity: "root-cause",
      explanation: deadlockExplanation,
      fix: fixFor4("deployment-deadlock", void 0, service, void 0, false),
      evidence: [quoted(signal.source, signal.text)],
      ...service ? { resource: { service } } : {}
    };
  },
  async investigate(detection2, signal, context) {
    const resource = { ...signal.resource, ...detection2.resource };
    const target = serviceTarget(resource);
    if (!target) {
      context.unchecked("the service's desired count and deployment configuration", missingTargetReason(resource));
      return void 0;
    }
    const service = await describeService(context, target, "the service's desired count and deployment configuration");
    return service ? refine2(detection2, service, target) : void 0;
  }
});

// shared/rules/deployment-circuit-breaker/index.ts
var textPatterns = [
  ["alarm", [/deployment failed:?\s*alarms? detected/i]],
  [
    "tasks-failed-to-start",
    [
      /ECS deployment circuit breaker:?\s*tasks? failed to start/i,
      /deployment failed:?\s*tasks? failed to start/i,
      // CloudFormation's wording when the breaker stops a stack update.
      /ECS Deployment Circuit Breaker was triggered/i
    ]
  ],
  ["rolled-back", [/circuit breaker:?\s*rolling back to deployment/i, /\brolling back to deployment\b/i]]
];
var severityOf = {
  "tasks-failed-to-start": "critical",
  alarm: "critical",
  // The failed revision is being replaced by the last one that worked: the service recovers, the release did not ship.
  "rolled-back": "warning"
};
var explanations2 = {
  "tasks-failed-to-start": "ECS marked the service's new deployment FAILED: its deployment circuit breaker counted too many tasks that failed to start or failed their health checks (half the desired count, at least 3 and at most 200). The new revision did not ship. If rollback is on, ECS is restoring the last completed deployment; if not, the service is left with whatever tasks still run. The tasks' stoppedReasons say why they failed.",
  alarm: "ECS marked the service's new deployment FAILED because one of its deployment CloudWatch alarms went into ALARM while the new tasks were running (during the rollout or its bake time). The new revision did not ship; with rollback on, ECS restores the last completed deployment.",
  "rolled-back": "ECS is rolling the service back to its last completed deployment because the new deployment failed (deployment circuit breaker or alarm). The release did not ship: the service is returning to the previous task definition. The failed tasks' stoppedReasons say why it failed."
};
function genericFix2(cluster, service, deploymentId) {
  return [
    `aws ecs describe-services --cluster ${shellArg(cluster, "cluster")} --services ${shellArg(service, "service")} --query 'services[0].deployments'`,
    `aws ecs list-tasks --cluster ${shellArg(cluster, "cluster")} --started-by ${shellArg(deploymentId, "failed-deployment-id")} --desired-status STOPPED, then describe-tasks to read their stoppedReasons (ecs-medic explain "<stoppedReason>" names the cause)`,
    "fix that cause in a new task definition revision, then deploy it again."
  ].join("\n");
}
function failedDeploymentIn(text, cause) {
  if (cause === "rolled-back") return void 0;
  return /\(?deployment (ecs-svc\/\d+)\)?/i.exec(text)?.[1];
}
function alarmFix(alarmNames) {
  const names = alarmNames.length > 0 ? alarmNames : ["<alarm-name>"];
  return names.map((name) => `aws cloudwatch describe-alarm-history --alarm-name ${shellArg(name, "alarm-name")} --history-item-type StateUpdate  # what the new revision made worse`);
}
function causeOfText(text) {
  for (const [cause, patterns] of textPatterns) if (firstMatch(text, patterns)) return cause;
  return null;
}
function causeOfEvent(signal) {
  const { eventName } = signal.detail;
  if (eventName === "SERVICE_DEPLOYMENT_FAILED") return /alarm/i.test(signal.text) ? "alarm" : "tasks-failed-to-start";
  if (eventName === "SERVICE_DEPLOYMENT_IN_PROGRESS" && /rolling back/i.test(signal.text)) return "rolled-back";
  return null;
}
function failedDeployment(service, deploymentId, cause) {
  const deployments = service.deployments ?? [];
  const named = deployments.find((d) => d.id === deploymentId);
  if (named && cause !== "rolled-back") return named;
  return deployments.find((d) => d.rolloutState === "FAILED");
}
function describeDeployment(d) {
  const reason = d.rolloutStateReason ? ` ("${d.rolloutStateReason}")` : "";
  return `${d.id ?? "?"} ${d.status ?? ""} ${d.taskDefinition ?? ""}: rollout ${d.rolloutState ?? "?"}${reason}, ${d.runningCount ?? 0} running of ${d.desiredCount ?? "?"}, ${d.failedTasks ?? 0} failed`;
}
function stopReasons(tasks) {
  const counts = /* @__PURE__ */ new Map();
  for (const task of tasks) {
    const containers = (task.containers ?? []).filter((c) => c.reason || c.exitCode !== void 0).map((c) => `${c.name ?? "container"}: ${c.reason ?? `exit code ${c.exitCode}`}${c.reason && c.exitCode !== void 0 ? ` (exit code ${c.exitCode})` : ""}`);
    const reason = [task.stoppedReason ?? "no stoppedReason", ...containers].join("; ");
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}
var LATEST_EVENTS = 3;
async function quoteFailedTasks(context, cluster, deployment, evidence) {
  if (!deployment?.id) {
    context.unchecked("why the failed deployment's tasks stopped", "the service lists no failed deployment any more (ECS drops it once the rollback completes)");
    return void 0;
  }
  const tasks = await stoppedTasks(context, cluster, { startedBy: deployment.id }, `why the tasks of deployment ${deployment.id} stopped`);
  if (!tasks) return void 0;
  if (tasks.length === 0) {
    evidence.push({ source: "ecs:ListTasks", observed: `no stopped task of deployment ${deployment.id} is left (ECS keeps stopped tasks about an hour)` });
    return void 0;
  }
  const reasons = stopReasons(tasks);
  for (const { reason, count } of reasons) evidence.push({ source: "ecs:DescribeTasks", observed: `${count} of ${tasks.length} stopped tasks: ${reason}` });
  const top = reasons[0];
  return top ? { ...top, total: tasks.length } : void 0;
}
function refinement(detection2, service, target, failed, top, evidence) {
  const config = service.deploymentConfiguration;
  const breaker = config?.deploymentCircuitBreaker;
  const alarmsOn = config?.alarms?.enable === true;
  const rollbackOn = breaker?.rollback === true || alarmsOn && config?.alarms?.rollback === true;
  const primary = service.deployments?.find((d) => d.status === "PRIMARY");
  const revision = failed?.taskDefinition ? ` (${failed.taskDefinition})` : "";
  const why = top ? ` Its tasks stopped with: "${top.reason}" (${top.count} of ${top.total} stopped tasks).` : detection2.cause === "alarm" ? ` Alarms watched: ${(config?.alarms?.alarmNames ?? []).join(", ") || "none listed"}.` : "";
  const restored = primary && primary.id !== failed?.id ? `${primary.id} (${primary.taskDefinition})` : "the last completed deployment";
  const after = rollbackOn ? ` ECS rolls back to ${restored}.` : " Rollback is off, so ECS does not restore the previous revision: the service keeps whatever tasks still run.";
  const deployment = failed?.id ? `Deployment ${failed.id}${revision} of service ${target.service} failed.` : explanations2[detection2.cause];
  const explanation = detection2.cause === "rolled-back" ? `ECS is rolling service ${target.service} back to ${restored}: the release did not ship. ${deployment}${why}` : `${deployment}${why}${after}`;
  const diagnose = detection2.cause === "alarm" ? alarmFix(config?.alarms?.alarmNames ?? []) : [
    top ? `ecs-medic explain ${shellArg(top.reason.split("; ")[0], "stoppedReason")}  # names the cause of the stop reason` : genericFix2(target.cluster, target.service, failed?.id)
  ];
  const fixLines = [
    ...diagnose,
    `fix that cause in a new revision of ${shellArg(failed?.taskDefinition, "task-definition")}, then: aws ecs update-service --cluster ${shellArg(target.cluster, "cluster")} --service ${shellArg(target.service, "service")} --task-definition <fixed-revision>`
  ];
  if (!rollbackOn) {
    fixLines.push(
      `aws ecs update-service --cluster ${shellArg(target.cluster, "cluster")} --service ${shellArg(target.service, "service")} --deployment-configuration "deploymentCircuitBreaker={enable=true,rollback=true}"  # so the next failed deployment rolls back by itself`
    );
  }
  return { evidence, explanation, fix: fixLines.join("\n") };
}
var deployment_circuit_breaker_default = defineRule({
  meta: {
    id: "deployment-circuit-breaker",
    title: "A service deployment failed (circuit breaker or alarm)",
    seed: null,
    severity: "critical",
    signals: ["deployment", "service-action", "text"],
    triggers: 'SERVICE_DEPLOYMENT_FAILED ("ECS deployment circuit breaker: task failed to start.", or a deployment alarm), the rollback SERVICE_DEPLOYMENT_IN_PROGRESS ("\u2026 rolling back to deploymentId \u2026"), and service events "deployment failed: tasks failed to start." / "deployment failed: alarm detected."',
    checks: [
      "the service's deployments: rollout state and reason, failed task count, task definition",
      "the latest service event messages",
      "the failed deployment's stopped tasks and their stoppedReasons (quoted as evidence)",
      "whether circuit-breaker rollback or deployment alarms are on"
    ],
    needs: ["ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks"],
    causes: ["tasks-failed-to-start", "rolled-back", "alarm"],
    autoFix: null
  },
  detect(signal) {
    const cause = signal.kind === "text" ? causeOfText(signal.text) : causeOfEvent(signal);
    if (!cause) return null;
    const service = signal.resource.service ?? serviceNamedIn2(signal.text);
    const deploymentId = signal.kind === "deployment" ? signal.detail.deploymentId : failedDeploymentIn(signal.text, cause);
    const evidence = [quoted(signal.source, signal.text || (signal.kind === "text" ? "" : signal.detail.eventName))];
    if (signal.kind !== "text") evidence.push({ source: "detail.eventName", observed: `${signal.detail.eventName}${deploymentId ? ` (${deploymentId})` : ""}` });
    return {
      cause,
      specificity: "root-cause",
      severity: severityOf[cause],
      explanation: explanations2[cause],
      fix: genericFix2(signal.resource.cluster, service, cause === "rolled-back" ? void 0 : deploymentId),
      evidence,
      deploymentId,
      ...service && !signal.resource.service ? { resource: { service } } : {}
    };
  },
  async investigate(detection2, signal, context) {
    const resource = { ...signal.resource, ...detection2.resource };
    const target = serviceTarget(resource);
    if (!target) {
      context.unchecked("the service's deployments and why their tasks stopped", missingTargetReason(resource));
      return void 0;
    }
    const service = await describeService(context, target, "the service's deployments and latest events");
    if (!service) return void 0;
    const evidence = (service.deployments ?? []).map((d) => ({ source: "ecs:DescribeServices", observed: describeDeployment(d) }));
    const latest = (service.events ?? []).slice(0, LATEST_EVENTS).map((e) => e.message ?? "").filter((m) => m !== "");
    if (latest.length > 0) evidence.push({ source: "ecs:DescribeServices events", observed: latest.join("\n") });
    if (detection2.cause === "alarm") {
      context.unchecked("which deployment alarm is in ALARM", "cloudwatch:DescribeAlarms is not among the reader operations yet");
    }
    const failed = failedDeployment(service, detection2.deploymentId, detection2.cause);
    const top = await quoteFailedTasks(context, target.cluster, failed, evidence);
    return refinement(detection2, service, target, failed, top, evidence);
  }
});

// shared/rules/agent-version-drift/versions.ts
function parseVersion(value) {
  const match = /^v?(\d+(?:\.\d+)*)/i.exec(value?.trim() ?? "");
  return match ? match[1].split(".").map(Number) : null;
}
function compareVersions(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
function isOlder(version, minimum) {
  const parsed = parseVersion(version);
  const floor = parseVersion(minimum);
  return parsed !== null && floor !== null && compareVersions(parsed, floor) < 0;
}

// shared/rules/agent-version-drift/features.ts
var featureMinimums = [
  {
    feature: "container dependencies (dependsOn)",
    minimum: "1.26.0",
    source: 'ECS API reference, ContainerDependency: "container instances require at least version 1.26.0 of the container agent to use container dependencies"'
  },
  {
    feature: "awsvpc ENI trunking (awsvpcTrunking)",
    minimum: "1.28.1",
    source: "ECS Developer Guide, container-instance-eni.html (trunking conditions: ECS agent 1.28.1 or later)"
  },
  {
    feature: "Amazon EFS volumes with access points and IAM authorization",
    minimum: "1.38.0",
    source: 'ECS Developer Guide, efs-volumes.html: general availability "with Amazon ECS-optimized AMI version 20200319 with container agent version 1.38.0"'
  },
  {
    feature: "ECS Exec",
    minimum: "1.50.2",
    source: 'aws-containers/amazon-ecs-exec-checker, check-ecs-exec.sh: requiredAgentVersion="1.50.2"'
  }
];
var knownRecentAgent = {
  version: "1.105.0",
  source: "https://github.com/aws/amazon-ecs-agent/releases/tag/v1.105.0 (GitHub release dated 22 June; newer ones may exist)",
  readOn: "2026-11-26"
};
function featuresMissing(agentVersion) {
  return featureMinimums.filter((f) => isOlder(agentVersion, f.minimum));
}

// shared/rules/platform-version-drift/platforms.ts
var currentPlatform = { LINUX: "1.4.0", WINDOWS: "1.0.0" };
var currentPlatformSource = 'ECS Developer Guide, "Fargate platform versions for Amazon ECS" (platform-fargate.html): the latest Linux platform version is 1.4.0, the latest Windows platform version is 1.0.0 (read 2026-11-26)';
function familyOf2(platformFamily) {
  return typeof platformFamily === "string" && /windows/i.test(platformFamily) ? "WINDOWS" : "LINUX";
}
function isBehind(version, family) {
  return isOlder(version, currentPlatform[family]);
}
var below14 = "Below Linux 1.4.0 a task has no ECS Exec, no Amazon EFS volumes and no 20 GiB ephemeral storage, and its image pulls, secrets and logs go over the Fargate-managed network instead of the task ENI, so moving to 1.4.0 also changes networking: in private subnets 1.4.0 needs a NAT gateway or VPC endpoints for ecr.api, ecr.dkr, S3 (gateway), logs and, if secrets are used, Secrets Manager/SSM.";

// shared/rules/ecs-exec-not-ready/target.ts
function fromTaskArn(arn) {
  const segments = parseArn(arn)?.resource.split("/") ?? [];
  if (segments[0] !== "task" || segments.length < 3) return {};
  return { cluster: segments[1], task: arn };
}
function execTarget(signal) {
  if (signal.kind === "api-call") {
    const request = signal.detail.requestParameters ?? {};
    const text = (key) => typeof request[key] === "string" ? request[key] : void 0;
    const task = text("task");
    const cluster = text("cluster");
    const target = task ? fromTaskArn(task) : {};
    if (task) target.task = task;
    if (cluster) target.cluster = arnName(cluster) ?? cluster;
    const container = text("container");
    if (container) target.container = container;
    return target;
  }
  const taskArn = arnsIn(signal.text, "ecs").find((arn) => /:task\//.test(arn));
  return taskArn ? fromTaskArn(taskArn) : {};
}

// shared/rules/ecs-exec-not-ready/index.ts
var notEnabled = [
  /execute command was not enabled when the task was run/i,
  /execute command agent (?:isn['’]t|is not) running/i
];
var notConnected = [/TargetNotConnectedException/i, /The execute command failed due to an internal error/i];
var callerDenied = [/not authorized to perform:?\s*ecs:ExecuteCommand/i];
var commandMissing = [/Failed to start pty:.*(?:no such file or directory|executable file not found)/i];
var SSM_ACTIONS = "ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel and ssmmessages:OpenDataChannel";
var execAgentMinimum = featureMinimums.find((f) => f.feature === "ECS Exec")?.minimum ?? "1.50.2";
function textOf(signal) {
  if (signal.kind === "text") return signal.text;
  const { detail } = signal;
  if (detail.eventSource !== "ecs.amazonaws.com" || detail.eventName !== "ExecuteCommand" || !detail.errorCode) return null;
  return `${detail.errorCode}: ${signal.text}`;
}
function serviceFix(target, service) {
  return `aws ecs update-service --cluster ${shellArg(target.cluster, "cluster")} --service ${shellArg(service, "service")} --enable-execute-command --force-new-deployment
Then exec into a task started by the new deployment (aws ecs list-tasks --cluster ${shellArg(target.cluster, "cluster")} --service-name ${shellArg(service, "service")}).`;
}
function standaloneFix(target) {
  return `ECS Exec is fixed when a task starts: run a new task with it, e.g. aws ecs run-task --cluster ${shellArg(target.cluster, "cluster")} --task-definition <family:revision> --enable-execute-command \u2026`;
}
function redeployFix(target, service) {
  return service ? serviceFix(target, service) : standaloneFix(target);
}
function detectExec(signal) {
  const text = textOf(signal);
  if (text === null) return null;
  const target = execTarget(signal);
  const evidence = [quoted(signal.kind === "api-call" ? "detail.errorCode + detail.errorMessage" : signal.source, text)];
  const resource = { ...target.cluster ? { cluster: target.cluster } : {}, ...target.task ? { task: arnName(target.task) ?? target.task } : {}, ...target.container ? { container: target.container } : {} };
  if (firstMatch(text, callerDenied) || signal.kind === "api-call" && /^AccessDenied/i.test(signal.detail.errorCode ?? "")) {
    const { principal } = deniedPrincipal(text);
    const who = principal ?? (signal.kind === "api-call" ? signal.detail.userIdentity?.arn : void 0);
    return {
      target,
      resource,
      cause: "caller-permissions",
      specificity: "root-cause",
      explanation: `${who ? `${who} is` : "The person or role running the command is"} not allowed to call ecs:ExecuteCommand, so ECS refused before looking at the task. This is about the caller's IAM policy, not the task role. (Some tools, e.g. Copilot, scope that permission to tasks with ECS Exec turned on, so also check that the service has it.)`,
      fix: `Allow the caller ecs:ExecuteCommand on the task: add to ${who ? shellArg(who, "caller") : "the caller's"} IAM policy
{"Effect": "Allow", "Action": "ecs:ExecuteCommand", "Resource": "arn:aws:ecs:${signal.resource.region ?? "<region>"}:${signal.resource.account ?? "<account>"}:task/${target.cluster ?? "<cluster>"}/*"}`,
      evidence
    };
  }
  if (firstMatch(text, commandMissing)) {
    return {
      target,
      resource,
      cause: "command-not-found",
      specificity: "root-cause",
      severity: "info",
      explanation: "ECS Exec worked and opened a session, but the command is not an executable in the container. Either the image has no such shell (slim and distroless images often have /bin/sh but no /bin/bash, or no shell at all), or the command used shell syntax (VAR=value, pipes, &&): ECS Exec runs the first word as a program, not through a shell.",
      fix: `aws ecs execute-command --cluster ${shellArg(target.cluster, "cluster")} --task ${shellArg(target.task, "task")} --container ${shellArg(target.container, "container")} --interactive --command "/bin/sh"
For shell syntax wrap it: --command "sh -c 'VAR=value your-command'"`,
      evidence
    };
  }
  if (firstMatch(text, notEnabled)) {
    return {
      target,
      resource,
      cause: "not-enabled",
      specificity: "root-cause",
      explanation: "ECS Exec was not turned on for this task, or its execute command agent (the SSM agent ECS runs beside your container) is not running yet. ECS Exec is decided when a task starts: turning it on for a service (update-service --enable-execute-command) does not change tasks already running, they keep it off until replaced.",
      fix: `For a service's task: ${serviceFix(target)}
For a standalone task: ${standaloneFix(target)}`,
      evidence
    };
  }
  if (firstMatch(text, notConnected)) {
    return {
      target,
      resource,
      cause: null,
      specificity: "symptom",
      explanation: `ECS Exec could not reach the SSM agent inside the task ("internal error" is misleading). The documented causes are: the task role is missing or lacks ${SSM_ACTIONS}; the SSM agent is not running; or the task cannot reach Session Manager (private subnet without a NAT gateway, or an interface VPC endpoint for ECS but none for ssmmessages). AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY set in the container's environment also break it (the agent uses them instead of the task role). Right after a task starts it can also be transient: retry after a few seconds.`,
      fix: `Add to the task role: {"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], "Resource": "*"}; give private subnets a NAT gateway or a com.amazonaws.${signal.resource.region ?? "<region>"}.ssmmessages interface endpoint; then run https://github.com/aws-containers/amazon-ecs-exec-checker against the task.`,
      evidence
    };
  }
  return null;
}
function agentStatuses(task) {
  return (task.containers ?? []).flatMap(
    (container) => (container.managedAgents ?? []).filter((agent) => agent.name === "ExecuteCommandAgent").map((agent) => ({ container: container.name ?? "?", status: agent.lastStatus ?? "UNKNOWN", ...agent.reason ? { reason: agent.reason } : {} }))
  );
}
async function platformTooOld(task, cluster, context) {
  if (task.launchType === "FARGATE" || task.platformVersion) {
    if (!isOlder(task.platformVersion, currentPlatform.LINUX) || /windows/i.test(task.platformFamily ?? "")) return null;
    return { source: "ecs:DescribeTasks", observed: `platformVersion ${task.platformVersion}; ECS Exec needs Fargate 1.4.0 or later` };
  }
  if (!task.containerInstanceArn) return null;
  const described = await context.read(
    "ecs:DescribeContainerInstances",
    { cluster, containerInstances: [task.containerInstanceArn] },
    "the ECS agent version of the task's container instance"
  );
  const version = described?.containerInstances?.[0]?.versionInfo?.agentVersion;
  if (!isOlder(version, execAgentMinimum)) return null;
  return { source: "ecs:DescribeContainerInstances", observed: `agent ${version}; ECS Exec needs agent ${execAgentMinimum} or later` };
}
function staticCredentials(containers) {
  return containers.filter((c) => (c.environment ?? []).some((e) => e.name === "AWS_ACCESS_KEY_ID" || e.name === "AWS_SECRET_ACCESS_KEY")).map((c) => c.name ?? "?");
}
async function missingSsmEndpoint(task, region, context) {
  const subnet = task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === "subnetId")?.value;
  if (!subnet || !region) {
    context.unchecked("whether the task can reach Session Manager (ssmmessages)", subnet ? "the event names no region" : "the task has no awsvpc subnet to inspect");
    return null;
  }
  const subnets = await context.read("ec2:DescribeSubnets", { SubnetIds: [subnet] }, `the VPC of subnet ${subnet}`);
  const vpc = subnets?.Subnets?.[0]?.VpcId;
  if (!vpc) return null;
  const endpoints = await context.read("ec2:DescribeVpcEndpoints", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }, `the VPC endpoints of ${vpc}`);
  if (!endpoints) return null;
  const names = (endpoints.VpcEndpoints ?? []).map((e) => e.ServiceName ?? "?");
  const wanted = `com.amazonaws.${region}.ssmmessages`;
  context.unchecked(`whether subnet ${subnet} routes to the internet (NAT)`, "route checks for ECS Exec are not implemented; the exec-checker does not make them either");
  if (names.length === 0 || names.includes(wanted)) return null;
  return { source: "ec2:DescribeVpcEndpoints", observed: `${vpc} has endpoints (${names.join(", ")}) but none for ${wanted}` };
}
function definitionBlocker(definition, task, target, service) {
  const withKeys = staticCredentials(definition.containerDefinitions ?? []);
  if (withKeys.length > 0) {
    return {
      cause: "static-credentials",
      evidence: { source: "ecs:DescribeTaskDefinition", observed: `AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment of: ${withKeys.join(", ")}` },
      explanation: `Container(s) ${withKeys.join(", ")} set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY as environment variables. The SSM agent ECS Exec runs inside the task picks those up instead of the task role, and they rarely allow ssmmessages, so the agent never connects (reported in aws/copilot-cli#3408 and aws-containers/amazon-ecs-exec-checker#49).`,
      fix: `Rename those variables (e.g. APP_AWS_ACCESS_KEY_ID) or better drop them for the task role, register the new task definition revision, then ${redeployFix(target, service)}`
    };
  }
  if (definition.taskRoleArn || task.launchType === "EC2") return null;
  return {
    cause: "task-role-permissions",
    evidence: { source: "ecs:DescribeTaskDefinition", observed: `${definition.family}:${definition.revision} has no taskRoleArn` },
    explanation: `Task definition ${definition.family}:${definition.revision} has no task role. ECS Exec's agent authenticates to Session Manager with the task role, so without one it cannot connect.`,
    fix: `Create a task role allowing ${SSM_ACTIONS} (trusting ecs-tasks.amazonaws.com), set it as taskRoleArn in a new revision of ${definition.family}, then ${redeployFix(target, service)}`
  };
}
async function investigateTask(detection2, region, context) {
  const { target } = detection2;
  if (!target.cluster || !target.task) {
    context.unchecked("the task's ECS Exec settings", "the failure names no cluster and task");
    return void 0;
  }
  const cluster = target.cluster;
  const described = await context.read("ecs:DescribeTasks", { cluster, tasks: [target.task] }, `ECS Exec settings of task ${arnName(target.task) ?? target.task}`);
  const task = described?.tasks?.[0];
  if (!task) return void 0;
  const service = task.group?.startsWith("service:") ? task.group.slice("service:".length) : void 0;
  const agents = agentStatuses(task);
  const evidence = [
    {
      source: "ecs:DescribeTasks",
      observed: `enableExecuteCommand ${task.enableExecuteCommand ?? "not set"}; ExecuteCommandAgent ${agents.length > 0 ? agents.map((a) => `${a.container}: ${a.status}${a.reason ? ` (${a.reason})` : ""}`).join(", ") : "absent"}; started ${task.startedAt ? new Date(task.startedAt).toISOString() : "unknown"}`
    }
  ];
  const resource = service ? { service } : {};
  const definition = task.taskDefinitionArn ? (await context.read("ecs:DescribeTaskDefinition", { taskDefinition: task.taskDefinitionArn }, "the task role and container environment"))?.taskDefinition : void 0;
  if (definition) evidence.push({ source: "ecs:DescribeTaskDefinition", observed: `taskRoleArn ${definition.taskRoleArn ?? "not set"}` });
  const blocker = definition ? definitionBlocker(definition, task, target, service) : null;
  if (blocker) evidence.push(blocker.evidence);
  if (task.enableExecuteCommand !== true) {
    let serviceOn;
    if (service) {
      const services = await context.read("ecs:DescribeServices", { cluster, services: [service] }, `whether service ${service} has ECS Exec on`);
      serviceOn = services?.services?.[0]?.enableExecuteCommand;
      if (serviceOn !== void 0) evidence.push({ source: "ecs:DescribeServices", observed: `service ${service} enableExecuteCommand ${serviceOn}` });
    }
    const why = serviceOn ? `Service ${service} has ECS Exec turned on, but task ${arnName(task.taskArn)} started before it was (its enableExecuteCommand is false). ECS Exec is fixed when a task starts, so tasks running at the time the service setting changed keep it off until a new deployment replaces them.` : `ECS Exec is off for task ${arnName(task.taskArn)}${service ? ` and for its service ${service}` : ""}. It must be on when a task starts; it cannot be switched on for a running task.`;
    return {
      cause: "not-enabled",
      resource,
      evidence,
      explanation: blocker ? `${why} Turning it on will not be enough: ${blocker.explanation}` : why,
      fix: blocker ? blocker.fix : redeployFix(target, service)
    };
  }
  const tooOld = await platformTooOld(task, cluster, context);
  const stalled = agents.find((a) => a.status !== "RUNNING");
  if (tooOld || stalled) {
    if (tooOld) evidence.push(tooOld);
    return {
      cause: "agent-not-running",
      resource,
      evidence,
      explanation: tooOld ? `ECS Exec is on for the task, but its ${tooOld.observed}: the execute command agent cannot run there.` : `ECS Exec is on for the task, but the execute command agent in container ${stalled?.container} is ${stalled?.status}${stalled?.reason ? ` (${stalled.reason})` : ""}. PENDING right after start is normal for a few seconds; STOPPED means the agent failed, most often because the task role lacks ${SSM_ACTIONS} or the task cannot reach Session Manager.`,
      fix: tooOld ? tooOld.source === "ecs:DescribeTasks" ? `aws ecs update-service --cluster ${shellArg(cluster, "cluster")} --service ${shellArg(service, "service")} --platform-version 1.4.0 --enable-execute-command --force-new-deployment` : `aws ecs update-container-agent --cluster ${shellArg(cluster, "cluster")} --container-instance ${shellArg(arnName(task.containerInstanceArn), "container-instance-id")}` : stalled?.status === "PENDING" ? "Wait a few seconds and run the same aws ecs execute-command again." : blocker?.fix ?? `Give the task role ${SSM_ACTIONS}, make ssmmessages reachable, then ${redeployFix(target, service)}`
    };
  }
  if (blocker) return { cause: blocker.cause, resource, evidence, explanation: blocker.explanation, fix: blocker.fix };
  if (definition?.taskRoleArn) {
    context.unchecked(`whether ${definition.taskRoleArn} allows ${SSM_ACTIONS}`, "needs iam:SimulatePrincipalPolicy, which the reader does not offer yet");
  }
  const noEndpoint = await missingSsmEndpoint(task, region, context);
  if (noEndpoint) {
    return {
      cause: "network",
      resource,
      evidence: [...evidence, noEndpoint],
      explanation: `The task's VPC uses interface endpoints but has none for Session Manager messages (${noEndpoint.observed}). A VPC with endpoints usually has private subnets without internet access, so the ECS Exec agent cannot reach ssmmessages.`,
      fix: `aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id <vpc-id> --service-name com.amazonaws.${region}.ssmmessages --subnet-ids <task-subnets> --security-group-ids <sg-allowing-443-from-tasks> --private-dns-enabled`
    };
  }
  return { resource, evidence };
}
var ecs_exec_not_ready_default = defineRule({
  meta: {
    id: "ecs-exec-not-ready",
    title: "ECS Exec (aws ecs execute-command) cannot open a session in the task",
    seed: 5,
    severity: "warning",
    signals: ["api-call", "text"],
    triggers: 'A failed ExecuteCommand call (CloudTrail) or pasted error: InvalidParameterException "execute command was not enabled when the task was run\u2026", TargetNotConnectedException "\u2026failed due to an internal error", AccessDenied on ecs:ExecuteCommand, "Unable to start command: Failed to start pty"',
    checks: [
      "the task's enableExecuteCommand and ExecuteCommandAgent status (DescribeTasks)",
      "the service's enableExecuteCommand, to catch tasks started before it was turned on (DescribeServices)",
      "Fargate platform \u2265 1.4.0, or EC2 agent \u2265 1.50.2 (DescribeContainerInstances)",
      "the task role and AWS_ACCESS_KEY_ID in container environments (DescribeTaskDefinition)",
      "an ssmmessages VPC endpoint where the VPC uses endpoints (DescribeSubnets, DescribeVpcEndpoints)"
    ],
    needs: [
      "ecs:DescribeTasks",
      "ecs:DescribeServices",
      "ecs:DescribeTaskDefinition",
      "ecs:DescribeContainerInstances",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcEndpoints"
    ],
    causes: ["not-enabled", "agent-not-running", "task-role-permissions", "static-credentials", "network", "caller-permissions", "command-not-found"],
    autoFix: null
  },
  detect: detectExec,
  async investigate(detection2, signal, context) {
    if (detection2.cause === "caller-permissions") {
      context.unchecked("whether the caller's IAM policy allows ecs:ExecuteCommand", "needs iam:SimulatePrincipalPolicy, which the reader does not offer yet");
      return void 0;
    }
    if (detection2.cause === "command-not-found") return void 0;
    const region = signal.resource.region ?? (signal.kind === "api-call" ? signal.detail.awsRegion : void 0);
    return investigateTask(detection2, region, context);
  }
});

// shared/rules/agent-version-drift/index.ts
var missingAttribute = [
  /is missing an attribute required by your task/i,
  /TaskFailedToStart:\s*ATTRIBUTE\b/i,
  /encountered error\s*"?ATTRIBUTE\b/i,
  /^\s*ATTRIBUTE\s*$/i
];
var agentNotConnected = [/TaskFailedToStart:\s*AGENT\b/i, /encountered error\s*"?AGENT\b/i, /^\s*AGENT\s*$/i];
var highestMinimum = featureMinimums[featureMinimums.length - 1]?.minimum;
function updateFix(cluster, instances) {
  const commands = (instances.length > 0 ? instances : [void 0]).map(
    (id) => `aws ecs update-container-agent --cluster ${shellArg(cluster, "cluster")} --container-instance ${shellArg(id, "container-instance-id")}`
  );
  return [
    ...commands,
    "UpdateContainerAgent works on the ECS-optimized Amazon Linux AMIs; elsewhere run the SSM document AWS-UpdateAmazonECSAgent, update the ecs-init package, or set ECS_AGENT_UPDATE_ENABLED=true in /etc/ecs/ecs.config.",
    "Lasting fix: move the Auto Scaling group's launch template to the current ECS-optimized AMI and replace old instances (instance refresh), so new and old instances stop differing."
  ].join("\n");
}
function featureList(features) {
  return features.map((f) => `${f.feature} (needs ${f.minimum})`).join(", ");
}
function instanceDetection(signal) {
  const version = signal.detail.versionInfo?.agentVersion;
  const missing = featuresMissing(version);
  if (missing.length === 0) return null;
  const instance = signal.resource.containerInstance;
  return {
    cause: "below-feature-minimum",
    specificity: "root-cause",
    explanation: `The ECS agent on container instance ${instance ?? "(unknown)"} is version ${version}, too old for: ${featureList(missing)}. Tasks whose definitions use these features cannot be placed on this instance (ECS reports "missing an attribute required by your task"), while they work on newer instances. The newest agent release known to this rule is ${knownRecentAgent.version} (a snapshot read ${knownRecentAgent.readOn}).`,
    fix: updateFix(signal.resource.cluster, instance ? [arnName(signal.detail.containerInstanceArn) ?? instance] : []),
    evidence: [{ source: "detail.versionInfo.agentVersion", observed: `${version} on ${instance ?? signal.detail.containerInstanceArn}` }]
  };
}
function placementDetection(signal) {
  if (firstMatch(signal.text, missingAttribute)) {
    return {
      cause: "missing-attribute",
      specificity: "symptom",
      explanation: "ECS could not place the task because no container instance registers an attribute the task definition requires. An old ECS agent that does not register a newer capability is one cause (e.g. ECS Exec needs agent 1.50.2, container dependencies 1.26.0). Others: a capability the agent supports but was not enabled in /etc/ecs/ecs.config (e.g. ECS_ENABLE_TASK_IAM_ROLE), a Docker volume plugin not installed on the instances, a task for another OS or CPU architecture than the instances, or a custom attribute in a placement constraint that no instance carries.",
      fix: `Compare the task definition's requiresAttributes with the instances' attributes: aws ecs describe-task-definition --task-definition <family:revision> --query taskDefinition.requiresAttributes and aws ecs describe-container-instances --cluster ${shellArg(signal.resource.cluster, "cluster")} --container-instances <id> --query 'containerInstances[].[versionInfo.agentVersion,attributes]'. If the agent is old:
${updateFix(signal.resource.cluster, [])}`,
      evidence: [quoted(signal.source, signal.text)]
    };
  }
  if (firstMatch(signal.text, agentNotConnected)) {
    return {
      cause: "agent-disconnected",
      specificity: "symptom",
      explanation: "ECS could not place the task because the ECS agent on the closest container instance was not connected. Short disconnects happen several times an hour and are normal; a placement failure means it stayed disconnected. Common causes: the instance lost its route to the ECS endpoint (NAT, VPC endpoint, security group), the agent or the Docker daemon stopped or hung, the instance role lacks ecs:Poll/ecs:Submit*, or the instance is being stopped.",
      fix: `Find disconnected instances: aws ecs describe-container-instances --cluster ${shellArg(signal.resource.cluster, "cluster")} --container-instances $(aws ecs list-container-instances --cluster ${shellArg(signal.resource.cluster, "cluster")} --query containerInstanceArns --output text) --query 'containerInstances[?agentConnected==\`false\`].[ec2InstanceId,versionInfo.agentVersion]'
Then on each: sudo systemctl restart ecs (and read /var/log/ecs/ecs-agent.log), or drain and replace the instance.`,
      evidence: [quoted(signal.source, signal.text)]
    };
  }
  return null;
}
function fleetOf(instances) {
  const versions = /* @__PURE__ */ new Map();
  for (const instance of instances) {
    const version = instance.versionInfo?.agentVersion ?? "unknown";
    const id = instance.ec2InstanceId ?? arnName(instance.containerInstanceArn) ?? "?";
    versions.set(version, [...versions.get(version) ?? [], id]);
  }
  return { instances, versions };
}
function fleetEvidence(fleet) {
  const parts = [...fleet.versions].map(([version, ids]) => `${version}: ${ids.length} (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", \u2026" : ""})`);
  return { source: "ecs:DescribeContainerInstances", observed: `agent versions across ${fleet.instances.length} instance(s): ${parts.join("; ")}` };
}
function refineWithFleet(cause, cluster, fleet) {
  const evidence = [fleetEvidence(fleet)];
  if (cause === "agent-disconnected") {
    const disconnected = fleet.instances.filter((i) => i.status === "ACTIVE" && i.agentConnected === false);
    const ids = disconnected.map((i) => i.ec2InstanceId ?? arnName(i.containerInstanceArn) ?? "?");
    evidence.push({
      source: "ecs:DescribeContainerInstances",
      observed: ids.length > 0 ? `ACTIVE with agentConnected false: ${ids.join(", ")}` : "every ACTIVE instance has its agent connected now (it may have reconnected)"
    });
    return { evidence };
  }
  const old = fleet.instances.filter((i) => featuresMissing(i.versionInfo?.agentVersion).length > 0);
  if (old.length === 0) {
    if (cause === "missing-attribute") {
      evidence.push({ source: "ecs:DescribeContainerInstances", observed: `every agent is at least ${highestMinimum}, so an old agent is unlikely to be the missing attribute` });
    }
    return { evidence };
  }
  const oldIds = old.map((i) => arnName(i.containerInstanceArn) ?? i.ec2InstanceId ?? "?");
  const drift = fleet.versions.size > 1;
  const oldVersions = [...new Set(old.map((i) => i.versionInfo?.agentVersion ?? "unknown"))].join(", ");
  const missing = featuresMissing(old[0]?.versionInfo?.agentVersion);
  return {
    cause: drift ? "fleet-drift" : "below-feature-minimum",
    evidence,
    explanation: drift ? `Cluster ${cluster} runs ${fleet.versions.size} different ECS agent versions. ${old.length} of ${fleet.instances.length} instance(s) run ${oldVersions}, too old for: ${featureList(missing)}. Tasks using those features place on the newer instances and fail on the old ones, so the same deployment succeeds or fails depending on where the scheduler puts it.` : `Every instance in cluster ${cluster} runs agent ${oldVersions}, too old for: ${featureList(missing)}. No instance can run tasks that use these features.`,
    fix: updateFix(cluster, oldIds.slice(0, 10))
  };
}
var agent_version_drift_default = defineRule({
  meta: {
    id: "agent-version-drift",
    title: "The ECS container agent on EC2 instances is too old or differs across the cluster",
    seed: 9,
    severity: "warning",
    signals: ["container-instance", "service-action", "task-stopped", "text"],
    triggers: 'A container instance event whose versionInfo.agentVersion is below a feature minimum (e.g. ECS Exec 1.50.2); placement failures "missing an attribute required by your task" / ATTRIBUTE; "encountered error \\"AGENT\\"" / AGENT',
    checks: [
      "the agent version of every container instance in the cluster (one ListContainerInstances + one DescribeContainerInstances)",
      "whether the fleet mixes agent versions, and which instances are below which feature minimum",
      "which ACTIVE instances have their agent disconnected"
    ],
    needs: ["ecs:ListContainerInstances", "ecs:DescribeContainerInstances"],
    causes: ["below-feature-minimum", "fleet-drift", "missing-attribute", "agent-disconnected"],
    autoFix: null
  },
  detect(signal) {
    if (signal.kind === "container-instance") return instanceDetection(signal);
    return placementDetection(signal);
  },
  async investigate(detection2, signal, context) {
    const cluster = signal.resource.cluster;
    if (!cluster) {
      context.unchecked("the agent versions across the cluster", "the signal names no cluster");
      return void 0;
    }
    const listed = await context.read("ecs:ListContainerInstances", { cluster }, `the container instances of cluster ${cluster}`);
    const arns = listed?.containerInstanceArns ?? [];
    if (!listed) return void 0;
    if (arns.length === 0) {
      return { evidence: [{ source: "ecs:ListContainerInstances", observed: `cluster ${cluster} has no registered container instances` }] };
    }
    const described = await context.read(
      "ecs:DescribeContainerInstances",
      { cluster, containerInstances: arns.slice(0, 100) },
      `the agent versions of cluster ${cluster}`
    );
    if (!described) return void 0;
    if (listed.nextToken || arns.length > 100) context.unchecked("agent versions beyond the first 100 instances", "the rule reads one page only");
    return refineWithFleet(detection2.cause, cluster, fleetOf(described.containerInstances ?? []));
  }
});

// shared/rules/platform-version-drift/index.ts
var launchingCalls = /* @__PURE__ */ new Set(["CreateService", "UpdateService", "RunTask"]);
function isFargateRequest(request, response) {
  if (request.launchType === "FARGATE" || response?.launchType === "FARGATE") return true;
  const strategy = request.capacityProviderStrategy ?? response?.capacityProviderStrategy;
  return Array.isArray(strategy) && strategy.some((item) => /^FARGATE(_SPOT)?$/.test(String(item.capacityProvider)));
}
function fix(resource, family) {
  const version = currentPlatform[family];
  if (!resource.service) {
    return `Start the task with an explicit platform version: aws ecs run-task --cluster ${shellArg(resource.cluster, "cluster")} --launch-type FARGATE --platform-version ${version} \u2026 (or set PlatformVersion in the schedule's ECS target).`;
  }
  return `aws ecs update-service --cluster ${shellArg(resource.cluster, "cluster")} --service ${shellArg(resource.service, "service")} --platform-version ${version} --force-new-deployment`;
}
function behindDetection(version, family, resource, evidence) {
  return {
    version,
    cause: "behind-latest",
    specificity: "root-cause",
    severity: "warning",
    explanation: `${resource.service ? `Service ${resource.service}` : "This task"} runs on Fargate platform version ${version}, older than the current ${family === "LINUX" ? "Linux" : "Windows"} version ${currentPlatform[family]} (${currentPlatformSource}). Old platform versions miss features and patches and are eventually retired, forcing an unplanned move.${family === "LINUX" ? ` ${below14}` : ""}`,
    fix: fix(resource, family),
    evidence,
    resource
  };
}
function apiCallDetection(signal) {
  const { detail } = signal;
  if (detail.eventSource !== "ecs.amazonaws.com" || !launchingCalls.has(detail.eventName) || detail.errorCode) return null;
  const request = detail.requestParameters ?? {};
  const responseService = detail.responseElements?.service;
  if (!isFargateRequest(request, responseService)) return null;
  const requested = typeof request.platformVersion === "string" ? request.platformVersion : void 0;
  if (detail.eventName === "UpdateService" && requested === void 0) return null;
  const service = [request.serviceName, request.service].find((v) => typeof v === "string");
  const resource = {};
  const cluster = typeof request.cluster === "string" ? arnName(request.cluster) ?? request.cluster : void 0;
  if (cluster) resource.cluster = cluster;
  if (service) resource.service = arnName(service) ?? service;
  const family = familyOf2(responseService?.platformFamily);
  const evidence = [
    { source: `detail.requestParameters.platformVersion (${detail.eventName})`, observed: requested ?? "not set (ECS uses LATEST)" }
  ];
  if (requested === void 0 || /^latest$/i.test(requested)) {
    return {
      version: "LATEST",
      cause: "unpinned",
      specificity: "root-cause",
      severity: "info",
      explanation: `${detail.eventName} asks for Fargate platform LATEST${requested ? "" : " (by omitting platformVersion)"}. LATEST is resolved when each task starts; today it means ${currentPlatform[family]}. That is the patched, recommended choice (Security Hub ECS.10 checks for it), but it is not reproducible: when AWS moves LATEST, tasks started after the move run a different kernel and runtime than tasks started before, even within one deployment (LATEST moved from 1.3.0 to 1.4.0 on 2021-03-19 and changed how tasks reach ECR, Secrets Manager and CloudWatch Logs). Keep LATEST deliberately and watch for mixed versions, or pin and test upgrades explicitly.`,
      fix: `To pin: ${fix(resource, family).replace(" --force-new-deployment", "")}
To keep LATEST, nothing to change; ecs-medic reports when tasks of one service run on different platform versions.`,
      evidence,
      resource
    };
  }
  if (!isBehind(requested, family)) return null;
  return behindDetection(requested, family, resource, evidence);
}
function taskDetection(signal) {
  const { task } = signal;
  const fargate = task.launchType === "FARGATE" || /^FARGATE/.test(task.capacityProviderName ?? "");
  if (!fargate || task.lastStatus !== "RUNNING" || !task.platformVersion) return null;
  const family = familyOf2(task.platformFamily);
  if (!isBehind(task.platformVersion, family)) return null;
  return behindDetection(task.platformVersion, family, {}, [{ source: "detail.platformVersion", observed: `${task.platformVersion} (task ${signal.resource.task ?? task.taskArn})` }]);
}
function versionsOf(tasks) {
  const versions = /* @__PURE__ */ new Map();
  for (const task of tasks) {
    const version = task.platformVersion ?? "unknown";
    versions.set(version, [...versions.get(version) ?? [], arnName(task.taskArn) ?? "?"]);
  }
  return versions;
}
var platform_version_drift_default = defineRule({
  meta: {
    id: "platform-version-drift",
    title: "Fargate platform version is unpinned, mixed within a service, or behind the current one",
    seed: 10,
    severity: "info",
    signals: ["api-call", "task-state"],
    triggers: "CloudTrail CreateService/UpdateService/RunTask for Fargate with platformVersion LATEST or unset (info) or pinned below the current version; a RUNNING Fargate task whose resolved platformVersion is below the current one",
    checks: [
      "the service's requested platform version (DescribeServices)",
      "the resolved platformVersion of each of the service's running tasks (one ListTasks + one DescribeTasks), to find mixed versions"
    ],
    needs: ["ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks"],
    causes: ["unpinned", "behind-latest", "mixed-versions"],
    autoFix: null
  },
  detect(signal) {
    return signal.kind === "api-call" ? apiCallDetection(signal) : taskDetection(signal);
  },
  async investigate(detection2, signal, context) {
    const { cluster, service } = { ...signal.resource, ...detection2.resource };
    if (signal.kind !== "task-state" || !cluster || !service) return void 0;
    const evidence = [];
    const services = await context.read("ecs:DescribeServices", { cluster, services: [service] }, `the platform version service ${service} requests`);
    const requested = services?.services?.[0]?.platformVersion;
    if (requested) evidence.push({ source: "ecs:DescribeServices", observed: `service ${service} requests platform version ${requested}` });
    const listed = await context.read("ecs:ListTasks", { cluster, serviceName: service }, `the running tasks of service ${service}`);
    const arns = listed?.taskArns ?? [];
    if (arns.length === 0) return { evidence };
    const described = await context.read("ecs:DescribeTasks", { cluster, tasks: arns.slice(0, 100) }, `the platform versions of service ${service}'s tasks`);
    if (!described) return { evidence };
    const versions = versionsOf(described.tasks ?? []);
    evidence.push({
      source: "ecs:DescribeTasks",
      observed: [...versions].map(([version, ids]) => `${version}: ${ids.length} task(s) (${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", \u2026" : ""})`).join("; ")
    });
    const family = familyOf2(described.tasks?.[0]?.platformFamily);
    if (versions.size < 2) {
      return requested && !/^latest$/i.test(requested) ? { evidence, explanation: `${detection2.explanation} The service pins ${requested}, so every new task starts on it too.` } : { evidence };
    }
    const summary = [...versions].map(([version, ids]) => `${ids.length} on ${version}`).join(", ");
    return {
      cause: "mixed-versions",
      severity: "warning",
      evidence,
      explanation: `The running tasks of service ${service} are on different Fargate platform versions (${summary}). Tasks keep the platform they started on, so tasks from an older deployment or pinned version, or started before LATEST moved, still run beside newer ones: the same service behaves differently depending on which task serves a request, and a problem on one version cannot be reproduced on the other. A new deployment puts every task on one version. ${detection2.version !== "LATEST" && family === "LINUX" && isBehind(detection2.version, "LINUX") ? below14 : ""}`.trim(),
      fix: fix({ cluster, service }, family)
    };
  }
});

// shared/rules/spot-interruption/index.ts
var spotInterrupted = /Your Spot Task was interrupted/i;
function isSpotStop(signal) {
  if (spotInterrupted.test(signal.text)) return true;
  if (signal.kind !== "task-stopped") return false;
  const { stopCode } = signal.task;
  return stopCode === "SpotInterruption" || stopCode === "TerminationNotice" && signal.text.trim() === "";
}
function isStandalone(signal) {
  return signal.kind === "task-stopped" && !signal.resource.service;
}
var serviceExplanation = "AWS reclaimed the Spot capacity under this task: it got SIGTERM and a two-minute warning, then was stopped. This is how Spot works, not a fault; the service scheduler starts a replacement \u2014 on Spot again, if Spot capacity is available.";
function mixedStrategyCommand(cluster, service) {
  return `aws ecs update-service --cluster ${shellArg(cluster, "cluster")} --service ${shellArg(service, "service")} --capacity-provider-strategy capacityProvider=FARGATE,base=1,weight=1 capacityProvider=FARGATE_SPOT,weight=3 --force-new-deployment`;
}
var sigtermAdvice = 'Handle SIGTERM within the two-minute warning: stop taking work, finish or checkpoint in-flight work, and set "stopTimeout": 120 in the container definition (the Fargate maximum; the default is 30 seconds).';
function strategyText(strategy) {
  return strategy.map((p) => `${p.capacityProvider} (base ${p.base ?? 0}, weight ${p.weight ?? 0})`).join(", ");
}
async function serviceRefinement(signal, service, context) {
  const evidence = [];
  const described = await context.read(
    "ecs:DescribeServices",
    { cluster: signal.resource.cluster ?? signal.task.clusterArn, services: [service] },
    `the capacity provider strategy of service ${service}`
  );
  const found = described?.services?.[0];
  if (!found) return { evidence };
  const strategy = found.capacityProviderStrategy ?? [];
  evidence.push({
    source: "ecs:DescribeServices",
    observed: `capacityProviderStrategy: ${strategy.length > 0 ? strategyText(strategy) : "none"}; running ${found.runningCount ?? "?"} of desired ${found.desiredCount ?? "?"}`
  });
  const spotOnly = strategy.length > 0 && strategy.every((p) => p.capacityProvider === "FARGATE_SPOT");
  if (!spotOnly) return { evidence };
  return {
    evidence,
    cause: "spot-only",
    severity: "warning",
    explanation: `${serviceExplanation} Service ${service} runs on FARGATE_SPOT only, so when Spot capacity is short in the Availability Zones it cannot start replacements and runs below its desired count until capacity returns.`,
    fix: `Keep an on-demand base and put the rest on Spot:
${mixedStrategyCommand(signal.resource.cluster, service)}
${sigtermAdvice}`
  };
}
async function stopTimeoutEvidence(signal, context) {
  const taskDefinition = signal.task.taskDefinitionArn;
  if (!taskDefinition) return [];
  const described = await context.read("ecs:DescribeTaskDefinition", { taskDefinition }, "the containers' stopTimeout");
  const containers = described?.taskDefinition?.containerDefinitions ?? [];
  const short = containers.filter((c) => (c.stopTimeout ?? 30) < 120);
  if (short.length === 0) return [];
  return [
    {
      source: "ecs:DescribeTaskDefinition",
      observed: `stopTimeout below the 120 s Spot warning: ${short.map((c) => `${c.name} ${c.stopTimeout ?? "not set (30 s)"}`).join(", ")}`
    }
  ];
}
var spot_interruption_default = defineRule({
  meta: {
    id: "spot-interruption",
    title: "A Spot task was interrupted when AWS reclaimed the capacity",
    seed: null,
    severity: "info",
    signals: ["text", "task-stopped"],
    triggers: '"Your Spot Task was interrupted." or stopCode TerminationNotice / SpotInterruption',
    checks: [
      "the service's capacity provider strategy: Spot only, or an on-demand FARGATE base (ecs:DescribeServices)",
      "running versus desired count",
      "the containers' stopTimeout against the two-minute warning (ecs:DescribeTaskDefinition)"
    ],
    needs: ["ecs:DescribeServices", "ecs:DescribeTaskDefinition"],
    causes: ["spot-only", "standalone-task"],
    autoFix: null
  },
  detect(signal) {
    if (!isSpotStop(signal)) return null;
    const evidence = [quoted(signal.source, signal.text || `stopCode ${signal.kind === "task-stopped" ? signal.task.stopCode : ""}`)];
    if (signal.kind === "task-stopped" && signal.task.capacityProviderName) {
      evidence.push({ source: "detail.capacityProviderName", observed: signal.task.capacityProviderName });
    }
    if (isStandalone(signal)) {
      return {
        cause: "standalone-task",
        specificity: "root-cause",
        severity: "warning",
        explanation: "AWS reclaimed the Spot capacity under this task: it got SIGTERM and a two-minute warning, then was stopped. It was a standalone task (RunTask, a schedule, Batch, Step Functions), so nothing restarts it: its work is lost unless the caller retries.",
        fix: [
          'Retry interrupted runs in the caller (e.g. retry when stoppedReason is "Your Spot Task was interrupted."), or run work that must not be interrupted on FARGATE:',
          `aws ecs run-task --cluster ${shellArg(signal.resource.cluster, "cluster")} --task-definition ${shellArg(signal.resource.taskFamily, "task-family")} --capacity-provider-strategy capacityProvider=FARGATE,weight=1 \u2026`,
          sigtermAdvice
        ].join("\n"),
        evidence
      };
    }
    return {
      cause: null,
      specificity: "root-cause",
      explanation: serviceExplanation,
      fix: `If the service must not run below its desired count, keep an on-demand base:
${mixedStrategyCommand(signal.resource.cluster, signal.resource.service)}
${sigtermAdvice}`,
      evidence
    };
  },
  async investigate(_detection, signal, context) {
    if (signal.kind !== "task-stopped") return void 0;
    const timeouts = await stopTimeoutEvidence(signal, context);
    const service = signal.resource.service;
    if (!service) return { evidence: timeouts };
    const refinement2 = await serviceRefinement(signal, service, context);
    return { ...refinement2, evidence: [...refinement2.evidence ?? [], ...timeouts] };
  }
});

// shared/rules/task-retirement/index.ts
var maintenance = /ECS is performing maintenance on the underlying infrastructure/i;
var howToSee = "See upcoming retirements (AWS Health, scheduled changes): aws health describe-events --region us-east-1 --filter services=ECS,eventTypeCategories=scheduledChange";
var waitPeriod = "Choose when Fargate retires tasks after the notice \u2014 0 (at once), 7 (the default) or 14 days: aws ecs put-account-setting-default --name fargateTaskRetirementWaitPeriod --value 14";
var sigterm = 'Handle SIGTERM so the stop is clean: the task gets SIGTERM, then SIGKILL after "stopTimeout" (up to 120 seconds on Fargate).';
var task_retirement_default = defineRule({
  meta: {
    id: "task-retirement",
    title: "AWS stopped the task for Fargate maintenance (task retirement)",
    seed: null,
    severity: "info",
    signals: ["text", "task-stopped"],
    triggers: '"ECS is performing maintenance on the underlying infrastructure hosting the task", or stopCode InfrastructureHealth',
    checks: ["whether the task belongs to a service (replaced automatically) or is standalone (not restarted)"],
    needs: [],
    causes: ["standalone-task"],
    autoFix: null
  },
  detect(signal) {
    const byText = maintenance.test(signal.text);
    const byCode = signal.kind === "task-stopped" && signal.task.stopCode === "InfrastructureHealth";
    if (!byText && !byCode) return null;
    const evidence = [quoted(signal.source, signal.text || "stopCode InfrastructureHealth")];
    const what = byText ? "AWS stopped this task to retire the Fargate platform revision it ran on (a security or infrastructure update) or to move it off an unhealthy host." : "AWS stopped this task because the infrastructure under it was unhealthy (stop code InfrastructureHealth).";
    if (signal.kind === "task-stopped" && !signal.resource.service) {
      return {
        cause: "standalone-task",
        specificity: "root-cause",
        severity: "warning",
        explanation: `${what} It was a standalone task (RunTask, a schedule, Batch, Step Functions), so ECS does not start a replacement: its work stopped. AWS sends a retirement notice to the AWS Health Dashboard beforehand (default 7 days).`,
        fix: [
          `Start it again on the current platform revision: aws ecs run-task --cluster ${shellArg(signal.resource.cluster, "cluster")} --task-definition ${shellArg(signal.resource.taskFamily, "task-family")} \u2026`,
          "Run long-lived work as a service (replaced automatically), or restart standalone tasks yourself when the retirement notice arrives.",
          howToSee,
          waitPeriod,
          sigterm
        ].join("\n"),
        evidence
      };
    }
    return {
      cause: null,
      specificity: "root-cause",
      explanation: `${what} Nothing is broken: a service's scheduler starts a replacement on its own (a standalone task would not be restarted). Expect this from time to time; it only hurts when a service has a single task or stops abruptly.`,
      fix: [
        "Nothing to repair. To control the timing or absorb it:",
        howToSee,
        waitPeriod,
        "Run at least two tasks per service so a retirement never takes it to zero; replace tasks early with aws ecs update-service --force-new-deployment.",
        sigterm
      ].join("\n"),
      evidence
    };
  }
});

// shared/rules/essential-container-exited/exit-codes.ts
var exitCauses = [
  "application-error",
  "not-executable",
  "command-not-found",
  "killed",
  "segfault",
  "terminated",
  "signal"
];
function exitCause(code) {
  switch (code) {
    case 126:
      return "not-executable";
    case 127:
      return "command-not-found";
    case 137:
      return "killed";
    case 139:
      return "segfault";
    case 143:
      return "terminated";
    default:
      return code > 128 && code < 160 ? "signal" : "application-error";
  }
}
function meaning(code, container) {
  switch (exitCause(code)) {
    case "not-executable":
      return `Container ${container} exited with code 126: its command exists but could not be run \u2014 a file without execute permission (chmod +x), a directory, or a binary built for another CPU architecture.`;
    case "command-not-found":
      return `Container ${container} exited with code 127: its command was not found \u2014 a typo in entryPoint/command, a binary missing from the image, or a script whose shebang interpreter is not installed.`;
    case "killed":
      return `Container ${container} was killed with SIGKILL (exit code 137) and ECS gives no OutOfMemoryError reason, so it was most likely not a memory kill: ECS sends SIGKILL when a container ignores SIGTERM for longer than its stopTimeout (30 s by default) during a deployment, a scale-in or after another essential container exited.`;
    case "segfault":
      return `Container ${container} crashed with a segmentation fault (exit code 139, SIGSEGV): a bug in native code, a library built for another libc or CPU architecture, or a stack overflow.`;
    case "terminated":
      return `Container ${container} exited on SIGTERM (exit code 143): something asked it to stop \u2014 a deployment, a scale-in, a StopTask call, or ECS stopping the task because another essential container exited first.`;
    case "signal":
      return `Container ${container} was ended by signal ${code - 128} (exit code ${code}), e.g. 134 is SIGABRT from an assertion or abort().`;
    case "application-error":
      return code === 255 ? `Container ${container} exited with code 255: its process returned -1 or failed before the application started (an entrypoint script error).` : `Container ${container} exited with code ${code}: the application stopped itself on an error \u2014 a bad configuration, a missing environment variable or secret, an unreachable dependency, or an unhandled exception.`;
  }
}
function advice(code) {
  switch (exitCause(code)) {
    case "not-executable":
    case "command-not-found":
      return "Compare entryPoint/command in the container definition with the image (docker run --rm -it --entrypoint sh <image>), and build the image for the task's CPU architecture.";
    case "killed":
      return 'Make the application exit on SIGTERM (run it as PID 1 or use "initProcessEnabled": true), and give it time with "stopTimeout" in the container definition (up to 120 seconds on Fargate).';
    case "segfault":
      return "Check the last log lines for the crashing library, and that the image matches the task's CPU architecture (runtimePlatform.cpuArchitecture).";
    case "terminated":
      return "Look for the container that exited first (its exit code is not 143), or for the deployment, scale-in or StopTask that stopped the task.";
    case "signal":
      return "Check the last log lines for the abort or crash message.";
    case "application-error":
      return "Fix the error shown in the last log lines; reproduce it with the same image and environment (docker run) if the logs are empty.";
  }
}

// shared/rules/essential-container-exited/index.ts
var essentialExited = /Essential container in task exited/i;
var exitCodeInText = /exit\s*code:?\s*(\d{1,3})\b/i;
function exitedContainers(containers) {
  return (containers ?? []).filter((c) => c.exitCode !== void 0 && c.exitCode !== 0).map((c) => ({ name: c.name, code: c.exitCode }));
}
function culprit(exited) {
  return exited.find((c) => c.code !== 143 && c.code !== 137) ?? exited[0];
}
function taskId(signal) {
  return signal.kind === "task-stopped" ? signal.resource.task : void 0;
}
function generalLogsCommand(container, task) {
  return `aws logs tail <awslogs-group> --log-stream-names <awslogs-stream-prefix>/${container}/${shellArg(task, "task-id")} --since 1h   (group and prefix: logConfiguration.options in the container definition)`;
}
function logsCommand(definition, task, region) {
  const log = definition.logConfiguration;
  if (log?.logDriver !== "awslogs") return { why: `container ${definition.name} logs with ${log?.logDriver ?? "no log driver"}, not awslogs` };
  const group = log.options?.["awslogs-group"];
  if (!group) return { why: `container ${definition.name} sets no awslogs-group` };
  const prefix = log.options?.["awslogs-stream-prefix"];
  const groupRegion = log.options?.["awslogs-region"] ?? region;
  const regionArg2 = groupRegion ? ` --region ${shellArg(groupRegion, "region")}` : "";
  const stream = prefix ? ` --log-stream-names ${shellArg(`${prefix}/${definition.name}/${task ?? "<task-id>"}`, "stream")}` : "";
  return { command: `aws logs tail ${shellArg(group, "awslogs-group")}${stream} --since 1h${regionArg2}` };
}
var essential_container_exited_default = defineRule({
  meta: {
    id: "essential-container-exited",
    title: "An essential container exited and stopped the task",
    seed: null,
    severity: "warning",
    signals: ["text", "task-stopped"],
    triggers: '"Essential container in task exited" (stopCode EssentialContainerExited) with a non-zero container exit code; only when no more specific rule explains the stop',
    checks: [
      "which container exited first, and what its exit code means (1 error, 126/127 command, 137 SIGKILL, 139 segfault, 143 SIGTERM)",
      "the container's awslogs group and stream prefix, for the exact log command (ecs:DescribeTaskDefinition)",
      "its stopTimeout when it was killed (137)"
    ],
    needs: ["ecs:DescribeTaskDefinition"],
    causes: exitCauses,
    autoFix: null
  },
  detect(signal) {
    const byCode = signal.kind === "task-stopped" && signal.task.stopCode === "EssentialContainerExited";
    if (!essentialExited.test(signal.text) && !byCode) return null;
    let failed;
    const evidence = [quoted(signal.source, signal.text || "EssentialContainerExited")];
    if (signal.kind === "task-stopped") {
      const containers = signal.task.containers ?? [];
      const exited = exitedContainers(containers);
      if (exited.length === 0 && containers.some((c) => c.exitCode === 0)) return null;
      for (const c of exited) evidence.push({ source: `detail.containers[${c.name}].exitCode`, observed: String(c.code) });
      failed = culprit(exited);
    } else {
      const code = exitCodeInText.exec(signal.text)?.[1];
      if (code !== void 0 && Number(code) === 0) return null;
      if (code !== void 0) failed = { name: "<container>", code: Number(code) };
    }
    const task = taskId(signal);
    if (!failed) {
      return {
        cause: null,
        specificity: "fallback",
        explanation: "An essential container exited, so ECS stopped every container in the task. The event gives no exit code; the container's exit code (aws ecs describe-tasks, within an hour) and its last log lines tell why.",
        fix: generalLogsCommand("<container>", task),
        evidence
      };
    }
    const container = failed.name === "<container>" ? void 0 : failed.name;
    return {
      cause: exitCause(failed.code),
      specificity: "fallback",
      explanation: `${meaning(failed.code, container ?? "the essential container")} Because it is essential, ECS stopped the whole task; a service starts a new one, which fails the same way until the cause is fixed.`,
      fix: `Read its last log lines:
${generalLogsCommand(container ?? "<container>", task)}
${advice(failed.code)}`,
      evidence,
      ...container ? { resource: { container } } : {}
    };
  },
  async investigate(detection2, signal, context) {
    if (signal.kind !== "task-stopped") return void 0;
    const container = detection2.resource?.container;
    const taskDefinition = signal.task.taskDefinitionArn;
    if (!container || !taskDefinition) return void 0;
    const described = await context.read("ecs:DescribeTaskDefinition", { taskDefinition }, `the log configuration of container ${container}`);
    const definition = described?.taskDefinition?.containerDefinitions?.find((c) => c.name === container);
    if (!definition) return void 0;
    const code = signal.task.containers?.find((c) => c.name === container)?.exitCode;
    const { command, why } = logsCommand(definition, signal.resource.task, signal.resource.region);
    const evidence = [
      {
        source: "ecs:DescribeTaskDefinition",
        observed: `container ${container}: essential ${definition.essential !== false}, log driver ${definition.logConfiguration?.logDriver ?? "none"}, stopTimeout ${definition.stopTimeout ?? "not set (30 s)"}`
      }
    ];
    const refinement2 = { evidence };
    if (command) refinement2.fix = `Read its last log lines:
${command}${code === void 0 ? "" : `
${advice(code)}`}`;
    else if (why) context.unchecked(`the logs of container ${container}`, why);
    return refinement2;
  }
});

// shared/rules/catalogue.ts
var catalogue = [
  secrets_pull_failure_default,
  task_execution_role_confusion_default,
  log_group_missing_default,
  cloudwatch_logs_unreachable_default,
  efs_mount_failure_default,
  image_pull_failure_default,
  container_start_failure_default,
  container_oom_killed_default,
  awsvpc_ip_exhaustion_default,
  fargate_task_size_default,
  capacity_pending_default,
  health_check_grace_period_default,
  minimum_healthy_percent_default,
  deployment_circuit_breaker_default,
  ecs_exec_not_ready_default,
  agent_version_drift_default,
  platform_version_drift_default,
  spot_interruption_default,
  task_retirement_default,
  essential_container_exited_default
];

// shared/diagnose.ts
var specificityOrder = { "root-cause": 0, symptom: 1, fallback: 2 };
function mergeEvidence(into, more) {
  for (const item of more) {
    if (!into.some((e) => e.source === item.source && e.observed === item.observed)) into.push(item);
  }
}
function detect(signals2, rules = catalogue) {
  const candidates = [];
  for (const signal of signals2) {
    for (const rule of rules) {
      if (!rule.meta.signals.includes(signal.kind)) continue;
      const detection2 = rule.detect(signal);
      if (!detection2) continue;
      const same = candidates.find((c) => c.rule === rule && c.detection.cause === detection2.cause);
      if (same) mergeEvidence(same.detection.evidence, detection2.evidence);
      else candidates.push({ rule, detection: detection2, signal });
    }
  }
  const specific = candidates.some((c) => c.detection.specificity !== "fallback");
  const kept = specific ? candidates.filter((c) => c.detection.specificity !== "fallback") : candidates;
  const order = (c) => rules.indexOf(c.rule);
  return kept.sort(
    (a, b) => specificityOrder[a.detection.specificity] - specificityOrder[b.detection.specificity] || severityOrder[a.detection.severity ?? a.rule.meta.severity] - severityOrder[b.detection.severity ?? b.rule.meta.severity] || order(a) - order(b)
  );
}

// tests/fixtures/events.ts
import { readFileSync } from "node:fs";
function awsSample(name) {
  return JSON.parse(readFileSync(new URL(`./aws-samples/${name}.json`, import.meta.url), "utf8"));
}
function stoppedTaskEvent(options) {
  const event2 = awsSample("task-running-fargate-2025");
  const detail = event2.detail;
  detail.lastStatus = "STOPPED";
  detail.desiredStatus = "STOPPED";
  detail.stoppedReason = options.stoppedReason;
  if (options.stopCode) detail.stopCode = options.stopCode;
  if (options.group) detail.group = options.group;
  if (options.launchType) detail.launchType = options.launchType;
  if (options.platformVersion) detail.platformVersion = options.platformVersion;
  if (options.startedAt) detail.startedAt = options.startedAt;
  detail.stoppingAt = options.stoppedAt ?? "2025-05-06T11:04:34.325Z";
  detail.stoppedAt = options.stoppedAt ?? "2025-05-06T11:04:40.111Z";
  detail.version = 5;
  detail.containers = detail.containers.map((container, i) => {
    const override = options.containers?.[i];
    const stopped = { ...container, lastStatus: "STOPPED" };
    if (override?.name) stopped.name = override.name;
    if (override?.exitCode !== void 0) stopped.exitCode = override.exitCode;
    if (override?.reason !== void 0) stopped.reason = override.reason;
    return stopped;
  });
  return event2;
}

// bench/prof-tmp2.ts
var event = stoppedTaskEvent({
  stoppedReason: "Essential container in task exited",
  stopCode: "EssentialContainerExited",
  group: "service:webserver",
  containers: [{ exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" }, { exitCode: 0 }, { exitCode: 0 }]
});
var r = parseEvent(event);
if (r.status !== "valid") throw 1;
var signals = signalsOf(r.event);
for (let i = 0; i < 4e5; i++) detect(signals);
