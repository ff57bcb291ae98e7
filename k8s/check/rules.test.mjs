// The k8s checks fail when they should: each case breaks one thing in the
// rendered dev overlay and expects the matching complaint.
//   node --test k8s/check/
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { build, readSuite, root, validateSchema } from "./check.mjs";
import { checkAll } from "./rules.mjs";

const { graph, ports, apis } = readSuite();
const pristine = build(join(root, "k8s", "overlays", "dev"));

function broken(change) {
  const objects = structuredClone(pristine);
  change(objects);
  return checkAll(objects, graph, ports, apis);
}
const find = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const container = (objects, name) => find(objects, "Deployment", name).spec.template.spec.containers[0];

function expectProblem(change, pattern) {
  const problems = broken(change);
  assert.ok(problems.some((p) => pattern.test(p)), `expected ${pattern}, got:\n${problems.join("\n")}`);
}

test("the call graph is read from the services' flags", () => {
  assert.deepEqual(graph.identify, ["loyalty"]);
  assert.deepEqual(graph.loyalty, ["identify"]);
  assert.deepEqual([...graph.complaints].sort(), ["identify", "loyalty", "segment"]);
  assert.equal(ports.segment, 50054);
});

test("the dev overlay passes as it is", () => {
  assert.deepEqual(checkAll(pristine, graph, ports, apis), []);
});

test("a container without probes, resources or a locked-down security context fails", () => {
  expectProblem((o) => delete container(o, "crm-loyalty").readinessProbe, /crm-loyalty.*readiness and a liveness probe/);
  expectProblem((o) => delete container(o, "crm-segment").resources.limits, /crm-segment.*no limits\.memory/);
  expectProblem((o) => (container(o, "crm-identify").securityContext.readOnlyRootFilesystem = false),
                /crm-identify.*root filesystem is writable/);
  expectProblem((o) => { delete container(o, "crm-identify").securityContext.runAsNonRoot;
                         delete find(o, "Deployment", "crm-identify").spec.template.spec.securityContext; },
                /crm-identify.*may run as root/);
  expectProblem((o) => (find(o, "StatefulSet", "crm-loyalty-db").spec.template.spec.containers[0]
                          .securityContext.capabilities.drop = []), /crm-loyalty-db.*keeps capabilities/);
});

test("liveness on readiness, fixed replicas or maxUnavailable above 0 fail", () => {
  expectProblem((o) => delete container(o, "crm-complaints").livenessProbe.grpc.service, /liveness must be/);
  expectProblem((o) => (find(o, "Deployment", "crm-identify").spec.replicas = 3), /fixes replicas/);
  expectProblem((o) => (find(o, "Deployment", "crm-identify").spec.strategy.rollingUpdate.maxUnavailable = 1),
                /maxUnavailable 0/);
});

test("an autoscaler that would exhaust the database's connections fails", () => {
  expectProblem((o) => (find(o, "HorizontalPodAutoscaler", "crm-loyalty").spec.maxReplicas = 20),
                /crm-loyalty: at maxReplicas its pools open 480 database connections/);
});

test("an image tagged latest or untagged fails", () => {
  expectProblem((o) => (container(o, "crm-segment").image = "crm/segment:latest"), /uses the tag latest/);
  expectProblem((o) => (find(o, "Job", "crm-segment-migrate").spec.template.spec.containers[0].image = "crm/migrate"),
                /has no tag/);
});

test("a Secret with inline values or a password in the environment fails", () => {
  expectProblem((o) => o.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "crm-identify-db" },
                                stringData: { "app-password": "hunter2" } }), /Secret\/crm-identify-db: holds its values inline/);
  expectProblem((o) => (container(o, "crm-loyalty").env = [{ name: "CRM_DB_PASSWORD", value: "hunter2" }]),
                /CRM_DB_PASSWORD holds a secret inline/);
});

test("a NetworkPolicy that lets in a service that never calls, or blocks a real caller, fails", () => {
  const policy = (o, svc) => find(o, "NetworkPolicy", `crm-${svc}`);
  expectProblem((o) => policy(o, "complaints").spec.ingress[0].from.push(
    { podSelector: { matchLabels: { "app.kubernetes.io/name": "crm-identify" } } }), /lets identify call complaints/);
  expectProblem((o) => policy(o, "identify").spec.ingress[0].from.shift(), /blocks loyalty, which calls identify/);
  expectProblem((o) => policy(o, "segment").spec.egress.pop(), /egress reaches \[identify,loyalty\]/);
  expectProblem((o) => policy(o, "loyalty").spec.ingress.push({ ports: [{ port: 50052 }] }), /allows anyone/);
  expectProblem((o) => policy(o, "loyalty").spec.ingress.push({ from: [{ podSelector: {} }] }), /allows anyone/);
  expectProblem((o) => policy(o, "loyalty").spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }),
                /allows anywhere/);
  expectProblem((o) => policy(o, "complaints").spec.ingress.push(  // no ports: every port
    { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "crm-loyalty" } } }] }),
                /lets loyalty call complaints/);
  expectProblem((o) => o.splice(o.indexOf(find(o, "NetworkPolicy", "crm-default-deny")), 1), /no default-deny/);
});

test("a policy that admits a service beyond its calls, names no real method, or is not enforced fails", () => {
  const policyOf = (o) => o.find((x) => x.kind === "ConfigMap" && x.data?.["policy.json"]);
  const rewrite = (o, change) => {
    const holder = policyOf(o);
    const policy = JSON.parse(holder.data["policy.json"]);
    change(policy);
    holder.data["policy.json"] = JSON.stringify(policy);
  };
  expectProblem((o) => rewrite(o, (p) => p.rules["crm.segment.v1.SegmentService/GetCustomerTier"].push("service:identify")),
                /admits service:identify, which never calls crm.segment.v1.SegmentService/);
  expectProblem((o) => rewrite(o, (p) => (p.rules["crm.loyalty.v1.LoyaltyService/AdjustPoint"] = ["role:admin"])),
                /AdjustPoint: no such method/);
  expectProblem((o) => rewrite(o, (p) => p.rules["*"].push("service:segment")), /"\*" admits services/);
  expectProblem((o) => rewrite(o, (p) => p.rules["crm.segment.v1.SegmentService/*"].push("*")),
                /SegmentService\/\*: "\*" admits every certificate holder/);
  expectProblem((o) => rewrite(o, (p) => p.full_view.push("roles:admin")), /full_view: 'roles:admin'/);
  expectProblem((o) => {
    const cm = o.find((x) => x.kind === "ConfigMap" && x.metadata.name.startsWith("crm-segment-"));
    delete cm.data.CRM_AUTHZ_POLICY_FILE;
  }, /crm-segment: CRM_AUTHZ_POLICY_FILE is not set/);
  assert.ok(apis["crm.events.v1.EventFeedService"].servedBy.includes("loyalty"));
});

test("a peer target that bypasses the headless Service fails", () => {
  expectProblem((o) => {
    const cm = o.find((x) => x.kind === "ConfigMap" && x.metadata.name.startsWith("crm-complaints-"));
    cm.data.CRM_LOYALTY_TARGET = "crm-loyalty:50052";
  }, /CRM_LOYALTY_TARGET must be dns:\/\/\/crm-loyalty-headless:50052/);
});

test("schema validation rejects a malformed object", async () => {
  const deployment = structuredClone(find(pristine, "Deployment", "crm-identify"));
  assert.deepEqual(await validateSchema(deployment), []);
  deployment.spec.replicas = "three";
  assert.match((await validateSchema(deployment)).join(), /replicas must be integer/);
  assert.match((await validateSchema({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).join(),
               /no schema/);
});
