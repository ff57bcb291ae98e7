#!/usr/bin/env bash
# Creates the Secrets the manifests reference, with fresh random values, in a
# development cluster (for production, create the same names from your secret
# store). Existing Secrets are left alone.
#   k8s/dev-secrets.sh [NAMESPACE]        (default crm-dev)
#   crm-<svc>-db         root-password, app-password, migrate-password
#   crm-<svc>-tls        tls.crt, tls.key, ca.crt (a development CA, tools/dev-certs.sh)
#   crm-client-tls       the same, for client applications
#   crm-jwt-public-key   (a ConfigMap) jwt.pub, verifies bearer tokens; crm-dev-jwt-signing-key signs them
#   crm-identify-data-key data.key (seals personal data: back it up, losing it loses them)
set -euo pipefail
ns=${1:-crm-dev}
root=$(cd "$(dirname "$0")/.." && pwd)
certs=$(mktemp -d)
trap 'rm -rf "$certs"' EXIT
"$root/tools/dev-certs.sh" "$certs" "$ns" >/dev/null
random() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }
create() {  # name args...
  local name=$1; shift
  if kubectl -n "$ns" get secret "$name" >/dev/null 2>&1; then
    echo "secret/$name exists, kept"
  else
    kubectl -n "$ns" create secret generic "$name" "$@"
  fi
}
kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"
for svc in identify loyalty complaints segment; do
  create "crm-$svc-db" --from-literal=root-password="$(random)" \
    --from-literal=app-password="$(random)" --from-literal=migrate-password="$(random)"
  create "crm-$svc-tls" --from-file=tls.crt="$certs/$svc.crt" \
    --from-file=tls.key="$certs/$svc.key" --from-file=ca.crt="$certs/ca.crt"
done
# For client applications (pods labelled crm.io/client=true) and crmctl.
create crm-client-tls --from-file=tls.crt="$certs/client.crt" \
  --from-file=tls.key="$certs/client.key" --from-file=ca.crt="$certs/ca.crt"
# Bearer tokens: the services verify with the public key (a ConfigMap, not
# secret); the signing key stays in a Secret for minting development tokens:
#   kubectl get secret crm-dev-jwt-signing-key -o jsonpath='{.data.jwt\.key}' | base64 -d >jwt.key
#   crm-token --key_file=jwt.key --sub=alice --role=agent
if ! kubectl -n "$ns" get configmap crm-jwt-public-key >/dev/null 2>&1; then
  kubectl -n "$ns" create configmap crm-jwt-public-key --from-file=jwt.pub="$certs/jwt.pub"
  kubectl -n "$ns" delete secret crm-dev-jwt-signing-key --ignore-not-found
fi
create crm-dev-jwt-signing-key --from-file=jwt.key="$certs/jwt.key"
create crm-identify-data-key --from-literal=data.key="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
