#!/usr/bin/env bash
# Build the dm-bridge image without a Docker engine (buildah, chroot isolation) and run it: the
# bridge must start in the container and its HEALTHCHECK command must pass. The container runs in
# a network namespace with only loopback (discovery is on in the image's config: no multicast may
# reach the machine's network; the bridge then runs degraded and says so).
# No base image can be pulled here, so a local stand-in for node:20-bookworm-slim is made first
# (debootstrap + this machine's node/npm), as the design docs' TESTING.md describes.
# Usage (root): test/container/build-and-run.sh   Exit 0: built, started, healthcheck passed.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in buildah debootstrap ip; do
  command -v "$tool" >/dev/null || { echo "container: $tool is not installed (apt-get install -y --no-install-recommends buildah fuse-overlayfs debootstrap iproute2)"; exit 2; }
done

BASE=docker.io/library/node:20-bookworm-slim
IMAGE=localhost/dm-bridge:test
WORK=$(mktemp -d /tmp/dmb-image-XXXXXX)
NS="dmb-img-$$"
CTR=""
PROBE=""
cleanup() {
  [ -n "$CTR" ] && buildah rm "$CTR" >/dev/null 2>&1 || true
  [ -n "$PROBE" ] && buildah rm "$PROBE" >/dev/null 2>&1 || true
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  echo "==== base stand-in $BASE (debootstrap bookworm + this machine's node $(node --version))"
  ROOTFS="$WORK/rootfs"
  debootstrap --variant=minbase bookworm "$ROOTFS" >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; exit 1; }
  NODE_BIN=$(readlink -f "$(command -v node)")
  NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include"
  cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
  cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  cp -a /usr/include/node "$ROOTFS/usr/local/include/node"
  chroot "$ROOTFS" groupadd --gid 1000 node
  chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  c=$(buildah from scratch)
  buildah copy "$c" "$ROOTFS" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$c"
  buildah commit "$c" "$BASE" >/dev/null
  buildah rm "$c" >/dev/null
fi

echo "==== buildah bud $IMAGE"
# TLS to the npm registry may be intercepted here: hand the host's CA bundle to npm (mounted beside
# the image's own bundle, which its ca-certificates package must still be able to write)
CA=/etc/ssl/certs/ca-certificates.crt
# --format docker: the OCI format drops HEALTHCHECK, and the check below runs the image's own command
buildah bud --isolation=chroot --pull=never --network=host --format docker \
  -v "$CA:/run/host-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca.crt -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log"; exit 1; }
tail -5 "$WORK/build.log"

echo "==== run the image in a loopback-only network namespace"
ip netns add "$NS"
ip -n "$NS" link set lo up
CTR=$(buildah from "$IMAGE")
# a second container of the same image runs the HEALTHCHECK command (buildah locks a container
# while something runs in it); both share the namespace's loopback
PROBE=$(buildah from "$IMAGE")
# the image's own ENTRYPOINT + CMD and HEALTHCHECK (exec form: one argument a line), not copies of them
mapfile -t START < <(buildah inspect --type image --format '{{range .OCIv1.Config.Entrypoint}}{{printf "%s\n" .}}{{end}}{{range .OCIv1.Config.Cmd}}{{printf "%s\n" .}}{{end}}' "$IMAGE")
mapfile -t HEALTH < <(buildah inspect --type image --format '{{if .Docker.Config.Healthcheck}}{{range .Docker.Config.Healthcheck.Test}}{{printf "%s\n" .}}{{end}}{{end}}' "$IMAGE")
[ "${HEALTH[0]:-}" = "CMD" ] || { echo "image has no exec-form HEALTHCHECK (got: ${HEALTH[*]:-none})"; exit 1; }
HEALTH=("${HEALTH[@]:1}")
echo "start: ${START[*]}"
ip netns exec "$NS" buildah run --isolation=chroot --network=host "$CTR" -- "${START[@]}" >"$WORK/bridge.log" 2>&1 &
for _ in $(seq 1 60); do
  if ip netns exec "$NS" buildah run --isolation=chroot --network=host "$PROBE" -- "${HEALTH[@]}" 2>/dev/null; then
    echo "healthcheck passed"
    grep -o '"msg":"[^"]*"' "$WORK/bridge.log" | sort | uniq -c | head -20
    ip netns exec "$NS" buildah run --isolation=chroot --network=host "$PROBE" -- node -e 'fetch("http://127.0.0.1:7800/readyz").then(async (r) => console.log("readyz", r.status, await r.text()))' || true
    id=$(ip netns exec "$NS" buildah run --isolation=chroot --network=host "$PROBE" -- id -un)
    echo "runs as: $id"
    [ "$id" = "node" ] || { echo "expected user node"; exit 1; }
    exit 0
  fi
  sleep 1
done
echo "healthcheck did not pass within 60 s; bridge log:"
tail -30 "$WORK/bridge.log"
exit 1
