#!/usr/bin/env bash
# Creates a development CA and a certificate per service (and one for client
# tools) for the suite's mutual TLS:
#   tools/dev-certs.sh DIR [NAMESPACE]
# DIR/ca.crt, DIR/<name>.crt, DIR/<name>.key for name in identify, loyalty,
# complaints, segment, client; DIR/jwt.key and DIR/jwt.pub for bearer tokens. Service certificates name crm-<svc>,
# crm-<svc>-headless (and their in-cluster forms in NAMESPACE, default crm),
# localhost and 127.0.0.1. Existing files are kept; delete DIR to start over.
# For a cluster: kubectl create secret generic crm-<svc>-tls \
#   --from-file=tls.crt=DIR/<svc>.crt --from-file=tls.key=DIR/<svc>.key --from-file=ca.crt=DIR/ca.crt
set -euo pipefail
dir=${1:?usage: dev-certs.sh DIR [NAMESPACE]}
ns=${2:-crm}
mkdir -p "$dir" && chmod 700 "$dir"
cd "$dir"
umask 077
if [ ! -s ca.key ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=crm development CA" -keyout ca.key -out ca.crt 2>/dev/null
fi
for name in identify loyalty complaints segment client; do
  [ -s "$name.crt" ] && continue
  if [ "$name" = client ]; then
    san="DNS:crm-client"
    usage="clientAuth"
  else
    san="DNS:crm-$name,DNS:crm-$name-headless,DNS:crm-$name.$ns.svc,DNS:crm-$name-headless.$ns.svc"
    san+=",DNS:crm-$name.$ns.svc.cluster.local,DNS:crm-$name-headless.$ns.svc.cluster.local"
    san+=",DNS:localhost,IP:127.0.0.1"
    usage="serverAuth,clientAuth"
  fi
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=crm-$name" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 397 \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$san" "$usage") \
    -out "$name.crt" 2>/dev/null
  rm -f "$name.csr"
done
# The key pair that signs (crm-token) and verifies (--jwt_public_key_file) bearer tokens.
if [ ! -s jwt.key ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out jwt.key 2>/dev/null
  openssl ec -in jwt.key -pubout -out jwt.pub 2>/dev/null
fi
chmod 644 ca.crt ./*.crt jwt.pub
echo "certificates in $dir: ca.crt, {identify,loyalty,complaints,segment,client}.{crt,key}, jwt.{key,pub}"
