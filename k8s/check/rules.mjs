// Project rules every rendered overlay must keep. Each rule returns messages
// "<Kind>/<name>: what is wrong"; an empty list means the objects pass.

const SECRETISH = /PASSWORD|SECRET|TOKEN|PRIVATE|_KEY$/;
// Connections one service's pods may hold on its database at full scale
// (HPA maxReplicas x CRM_DB_POOL_SIZE): the databases allow 500, and the
// rest is for the migration Job, backups and operators.
export const DB_CONNECTION_BUDGET = 400;

export function ref(o) {
  return `${o.kind}/${o.metadata?.name}`;
}

function podSpecOf(o) {
  if (o.kind === "Deployment" || o.kind === "StatefulSet" || o.kind === "Job") {
    return o.spec?.template?.spec;
  }
  return undefined;
}

function portOf(address) {
  return Number(String(address ?? "").split(":").pop());
}

// The ConfigMap a workload takes its environment from, as a plain object.
function configOf(o, objects) {
  const env = {};
  for (const c of podSpecOf(o)?.containers ?? []) {
    for (const from of c.envFrom ?? []) {
      const cm = objects.find((x) => x.kind === "ConfigMap" && x.metadata.name === from.configMapRef?.name);
      Object.assign(env, cm?.data ?? {});
    }
    for (const e of c.env ?? []) if ("value" in e) env[e.name] = e.value;
  }
  return env;
}

export function checkWorkloads(objects) {
  const errors = [];
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (!pod) continue;
    const podRunsAsNonRoot = pod.securityContext?.runAsNonRoot === true;
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const where = `${ref(o)} container ${c.name}`;
      if (o.kind !== "Job" && (!c.readinessProbe || !c.livenessProbe)) {
        errors.push(`${where}: needs a readiness and a liveness probe`);
      }
      for (const kind of ["requests", "limits"]) {
        for (const resource of ["cpu", "memory"]) {
          if (!c.resources?.[kind]?.[resource]) errors.push(`${where}: no ${kind}.${resource}`);
        }
      }
      const sc = c.securityContext ?? {};
      if (!podRunsAsNonRoot && sc.runAsNonRoot !== true) errors.push(`${where}: may run as root`);
      if (sc.readOnlyRootFilesystem !== true) errors.push(`${where}: root filesystem is writable`);
      if (sc.allowPrivilegeEscalation !== false) errors.push(`${where}: allows privilege escalation`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) errors.push(`${where}: keeps capabilities`);
      if (sc.privileged) errors.push(`${where}: is privileged`);
      errors.push(...checkImage(where, c.image));
      for (const e of c.env ?? []) {
        if ("value" in e && SECRETISH.test(e.name) && !e.name.endsWith("_FILE")) {
          errors.push(`${where}: env ${e.name} holds a secret inline; use a Secret`);
        }
      }
    }
  }
  return errors;
}

export function checkImage(where, image) {
  if (!image) return [`${where}: no image`];
  if (image.includes("@sha256:")) return [];
  const tag = image.split("/").pop().split(":")[1];
  if (!tag) return [`${where}: image ${image} has no tag`];
  if (tag === "latest") return [`${where}: image ${image} uses the tag latest`];
  return [];
}

export function checkSecrets(objects) {
  const errors = [];
  for (const o of objects) {
    if (o.kind === "Secret" && (Object.keys(o.data ?? {}).length || Object.keys(o.stringData ?? {}).length)) {
      errors.push(`${ref(o)}: holds its values inline; create it outside the repository`);
    }
    if (o.kind === "ConfigMap") {
      for (const [k, v] of Object.entries(o.data ?? {})) {
        if (SECRETISH.test(k) && !k.endsWith("_FILE")) {
          errors.push(`${ref(o)}: ${k} looks like a secret (${String(v).length} characters); use a Secret`);
        }
      }
    }
  }
  return errors;
}

// `graph` maps each service to the services it calls, e.g.
// {identify: [], loyalty: ["identify"], ...}: the suite's real call graph.
export function checkServices(objects, graph, ports) {
  const errors = [];
  const named = (kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
  for (const [svc, targets] of Object.entries(graph)) {
    const name = `crm-${svc}`;
    const deployment = named("Deployment", name);
    if (!deployment) {
      errors.push(`Deployment/${name}: missing`);
      continue;
    }
    const spec = deployment.spec;
    if (spec.replicas !== undefined) errors.push(`${ref(deployment)}: fixes replicas; the HPA owns them`);
    if (spec.strategy?.rollingUpdate?.maxUnavailable !== 0) {
      errors.push(`${ref(deployment)}: rolling update must keep maxUnavailable 0`);
    }
    const config = configOf(deployment, objects);
    const container = spec.template.spec.containers[0];
    const healthPort = portOf(config.CRM_HEALTH_LISTEN);
    const grpcPort = portOf(config.CRM_LISTEN);
    if (grpcPort !== ports[svc]) errors.push(`${ref(deployment)}: CRM_LISTEN is not port ${ports[svc]}`);
    const ready = container.readinessProbe?.grpc;
    const live = container.livenessProbe?.grpc;
    if (!ready || ready.port !== healthPort || (ready.service ?? "") !== "") {
      errors.push(`${ref(deployment)}: readiness must be the gRPC health of the whole server on CRM_HEALTH_LISTEN`);
    }
    if (!live || live.port !== healthPort || live.service !== "liveness") {
      errors.push(`${ref(deployment)}: liveness must be the gRPC health service "liveness" on CRM_HEALTH_LISTEN`);
    }
    const drain = seconds(config.CRM_SHUTDOWN_DELAY) + seconds(config.CRM_SHUTDOWN_GRACE ?? "20s");
    if ((spec.template.spec.terminationGracePeriodSeconds ?? 30) <= drain) {
      errors.push(`${ref(deployment)}: terminationGracePeriodSeconds must exceed shutdown delay + grace (${drain}s)`);
    }
    const annotations = spec.template.metadata?.annotations ?? {};
    if (annotations["prometheus.io/scrape"] !== "true" ||
        Number(annotations["prometheus.io/port"]) !== portOf(config.CRM_METRICS_LISTEN)) {
      errors.push(`${ref(deployment)}: Prometheus scrape annotations must name CRM_METRICS_LISTEN's port`);
    }
    for (const target of targets) {
      const want = `dns:///crm-${target}-headless:${ports[target]}`;
      const key = `CRM_${target.toUpperCase()}_TARGET`;
      if (config[key] !== want) errors.push(`${ref(deployment)}: ${key} must be ${want}`);
    }
    for (const [kind, suffix] of [["HorizontalPodAutoscaler", ""], ["PodDisruptionBudget", ""],
                                  ["Service", ""], ["Service", "-headless"], ["ServiceAccount", ""],
                                  ["NetworkPolicy", ""], ["Job", "-migrate"]]) {
      if (!named(kind, name + suffix)) errors.push(`${kind}/${name}${suffix}: missing`);
    }
    const hpa = named("HorizontalPodAutoscaler", name);
    if (hpa && hpa.spec.scaleTargetRef?.name !== name) errors.push(`${ref(hpa)}: does not scale ${name}`);
    const connections = (hpa?.spec.maxReplicas ?? 0) * Number(config.CRM_DB_POOL_SIZE ?? 8);
    if (connections > DB_CONNECTION_BUDGET) {
      errors.push(`${ref(deployment)}: at maxReplicas its pools open ${connections} database connections ` +
                  `(budget ${DB_CONNECTION_BUDGET})`);
    }
    if (named("Service", `${name}-headless`)?.spec?.clusterIP !== "None") {
      errors.push(`Service/${name}-headless: must be headless`);
    }
    errors.push(...checkNetworkPolicy(named("NetworkPolicy", name), svc, graph, ports));
  }
  return errors;
}

function seconds(duration) {
  const m = /^(\d+)(ms|s|m)$/.exec(String(duration ?? "0s"));
  if (!m) return 0;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2]];
}

function servicePeers(rule, key) {
  return (rule[key] ?? [])
    .map((peer) => peer.podSelector?.matchLabels?.["app.kubernetes.io/name"])
    .filter((n) => n && /^crm-[a-z]+$/.test(n) && !n.endsWith("-db") && !n.endsWith("-migrate"))
    .map((n) => n.slice(4));
}

function sameSet(a, b) {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export function checkNetworkPolicy(policy, svc, graph, ports) {
  if (!policy) return [];
  const errors = [];
  const callers = Object.keys(graph).filter((s) => graph[s].includes(svc)).sort();
  // A rule without ports covers every port; a named port is the container's "grpc".
  const coversGrpc = (r) => !r.ports?.length ||
    r.ports.some((p) => p.port === ports[svc] || p.port === "grpc");
  const grpcRules = (policy.spec.ingress ?? []).filter(coversGrpc);
  const allowedCallers = [...new Set(grpcRules.flatMap((r) => servicePeers(r, "from")))].sort();
  for (const c of allowedCallers) {
    if (!callers.includes(c)) errors.push(`${ref(policy)}: lets ${c} call ${svc}, which it never does`);
  }
  for (const c of callers) {
    if (!allowedCallers.includes(c)) errors.push(`${ref(policy)}: blocks ${c}, which calls ${svc}`);
  }
  // An empty selector matches every pod (or every namespace).
  const open = (peer) => (peer.podSelector && !Object.keys(peer.podSelector).length && !peer.namespaceSelector) ||
    (peer.namespaceSelector && !Object.keys(peer.namespaceSelector).length) ||
    peer.ipBlock?.cidr === "0.0.0.0/0";
  for (const r of policy.spec.ingress ?? []) {
    if (!r.from || r.from.length === 0 || r.from.some(open)) {
      errors.push(`${ref(policy)}: an ingress rule allows anyone`);
    }
  }
  const reached = [...new Set((policy.spec.egress ?? []).flatMap((r) => servicePeers(r, "to")))].sort();
  if (!sameSet(reached, [...graph[svc]].sort())) {
    errors.push(`${ref(policy)}: egress reaches [${reached}] but ${svc} calls [${graph[svc]}]`);
  }
  for (const r of policy.spec.egress ?? []) {
    if (!r.to || r.to.length === 0 || r.to.some(open)) {
      errors.push(`${ref(policy)}: an egress rule allows anywhere`);
    }
  }
  return errors;
}

export function checkDefaultDeny(objects) {
  const deny = objects.find((o) => o.kind === "NetworkPolicy" &&
    Object.keys(o.spec?.podSelector ?? {}).length === 0 && !o.spec.ingress && !o.spec.egress &&
    sameSet([...(o.spec.policyTypes ?? [])].sort(), ["Egress", "Ingress"]));
  return deny ? [] : ["NetworkPolicy: no default-deny policy for the namespace"];
}

// The suite's authorisation policy (the ConfigMap holding policy.json), read
// against the protos (`apis`: full service name -> {methods, servedBy}) and
// the call graph: every rule names a real method, and a service principal is
// admitted only to services it really calls. Every service enforces it.
export function checkPolicy(objects, graph, apis) {
  const holder = objects.find((o) => o.kind === "ConfigMap" && o.data?.["policy.json"]);
  if (!holder) return ["ConfigMap: no authorisation policy (policy.json)"];
  let policy;
  try {
    policy = JSON.parse(holder.data["policy.json"]);
  } catch (e) {
    return [`${ref(holder)}: policy.json does not parse: ${e.message}`];
  }
  const errors = [];
  const wellFormed = (p) => p === "*" || /^(service|role|user):[A-Za-z0-9_.@-]+$/.test(p);
  for (const p of policy.full_view ?? []) {
    if (!wellFormed(p) || p === "*") errors.push(`policy: full_view: '${p}' is not a service:, role: or user:`);
  }
  for (const [rule, principals] of Object.entries(policy.rules ?? {})) {
    for (const p of principals) {
      if (!wellFormed(p)) errors.push(`policy: ${rule}: '${p}' is not *, service:, role: or user:`);
    }
    if (principals.includes("*") && !rule.startsWith("grpc.health.v1.Health/")) {
      errors.push(`policy: ${rule}: "*" admits every certificate holder; name the callers`);
    }
    const services = principals.filter((p) => p.startsWith("service:")).map((p) => p.slice(8));
    if (rule === "*") {
      if (services.length) errors.push(`policy: "*" admits services (${services}) to every method`);
      continue;
    }
    const [api, method] = rule.split("/");
    if (!apis[api]) {
      errors.push(`policy: ${rule}: no service ${api} in protos/`);
      continue;
    }
    if (method !== "*" && !apis[api].methods.includes(method)) errors.push(`policy: ${rule}: no such method`);
    for (const caller of services) {
      if (!graph[caller]) errors.push(`policy: ${rule}: service:${caller} is not a service of the suite`);
      else if (!apis[api].servedBy.some((callee) => graph[caller].includes(callee))) {
        errors.push(`policy: ${rule}: admits service:${caller}, which never calls ${api}`);
      }
    }
  }
  for (const svc of Object.keys(graph)) {
    const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === `crm-${svc}`);
    if (!deployment) continue;
    const config = configOf(deployment, objects);
    for (const key of ["CRM_AUTHZ_POLICY_FILE", "CRM_TLS_CERT_FILE", "CRM_TLS_KEY_FILE", "CRM_TLS_CA_FILE"]) {
      if (!config[key]) errors.push(`${ref(deployment)}: ${key} is not set: the service must run secured`);
    }
  }
  return errors;
}

export function checkAll(objects, graph, ports, apis) {
  return [...checkWorkloads(objects), ...checkSecrets(objects), ...checkServices(objects, graph, ports),
          ...checkDefaultDeny(objects), ...(apis ? checkPolicy(objects, graph, apis) : [])];
}
