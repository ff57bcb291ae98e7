// Builds every kustomize overlay of k8s/ and checks what it renders:
//   node k8s/check/check.mjs
// 1. each overlay builds, with the pinned kustomize and with `kubectl
//    kustomize` when kubectl is installed, to the same objects;
// 2. every object is valid against the Kubernetes schemas (kubernetes-models,
//    offline, no cluster);
// 3. the project's rules (rules.mjs) hold, against the call graph read from
//    the services' own flags.
// Exits 1 with one line per problem.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tools = join(root, "tools", "node_modules");
const require = createRequire(join(tools, "noop.js"));
const YAML = require("yaml");

// Which services each service calls (its --<peer>_target flags), its port,
// and the gRPC services of protos/ with their methods and the services that
// serve them.
export function readSuite() {
  const graph = {};
  const ports = {};
  const apis = {};
  const mains = {};
  for (const svc of readdirSync(join(root, "services"))) {
    const main = join(root, "services", svc, "main.cc");
    if (!existsSync(main)) continue;
    const text = readFileSync(main, "utf8");
    mains[svc] = text;
    graph[svc] = [...text.matchAll(/ABSL_FLAG\(std::string,\s*(\w+)_target\b/g)].map((m) => m[1]);
    const port = /FromFlags\("\w+",\s*(\d+)/.exec(text);
    if (port) ports[svc] = Number(port[1]);
  }
  const protoRoot = join(root, "protos", "crm");
  for (const pkg of readdirSync(protoRoot)) {
    for (const file of readdirSync(join(protoRoot, pkg, "v1"))) {
      const text = readFileSync(join(protoRoot, pkg, "v1", file), "utf8");
      for (const m of text.matchAll(/service\s+(\w+)\s*\{([^}]*)\}/g)) {
        const servedBy = Object.keys(mains).filter((s) => s === pkg || mains[s].includes(`${m[1]}::service_full_name`));
        apis[`crm.${pkg}.v1.${m[1]}`] = { methods: [...m[2].matchAll(/rpc\s+(\w+)/g)].map((r) => r[1]), servedBy };
      }
    }
  }
  apis["grpc.health.v1.Health"] = { methods: ["Check", "Watch"], servedBy: Object.keys(mains) };
  return { graph, ports, apis };
}

function builders() {
  const list = [["kustomize " + "4.5.4", join(tools, ".bin", "kustomize"), ["build"]]];
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    list.push(["kubectl kustomize", "kubectl", ["kustomize"]]);
  } catch {
    // kubectl is optional: the pinned kustomize is always there.
  }
  return list;
}

export function build(dir) {
  let first;
  for (const [name, cmd, args] of builders()) {
    const out = execFileSync(cmd, [...args, dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const objects = YAML.parseAllDocuments(out).map((d) => d.toJSON()).filter(Boolean);
    if (!first) {
      first = { name, objects };
    } else if (JSON.stringify(objects) !== JSON.stringify(first.objects)) {
      throw new Error(`${dir}: ${name} renders differently from ${first.name}`);
    }
  }
  return first.objects;
}

export async function validateSchema(o) {
  let models;
  try {
    models = require(join(tools, "kubernetes-models", o.apiVersion, "index.js"));
  } catch {
    return [`${o.kind}/${o.metadata?.name}: no schema for apiVersion ${o.apiVersion}`];
  }
  const Model = models[o.kind];
  if (!Model) return [`${o.kind}/${o.metadata?.name}: no schema for kind ${o.kind} in ${o.apiVersion}`];
  try {
    new Model(o).validate();
    return [];
  } catch (e) {
    return [`${o.kind}/${o.metadata?.name}: ${e.message}`];
  }
}

async function main() {
  const { checkAll } = await import("./rules.mjs");
  const { graph, ports, apis } = readSuite();
  const overlays = readdirSync(join(root, "k8s", "overlays")).map((o) => join("k8s", "overlays", o));
  if (overlays.length === 0) throw new Error("k8s/overlays holds no overlay");
  let problems = 0;
  for (const dir of overlays) {
    let objects;
    try {
      objects = build(join(root, dir));
    } catch (e) {
      console.log(`${dir}: does not build: ${e.stderr || e.message}`);
      problems++;
      continue;
    }
    const errors = [];
    for (const o of objects) errors.push(...(await validateSchema(o)));
    errors.push(...checkAll(objects, graph, ports, apis));
    for (const e of errors) console.log(`${dir}: ${e}`);
    problems += errors.length;
    console.log(`${dir}: ${objects.length} objects, ${errors.length} problems`);
  }
  process.exit(problems ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
