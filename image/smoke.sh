#!/usr/bin/env bash
# Starts Ferry's image archive the way the chart runs it and checks it serves: non-root
# (1000:1000), read-only root filesystem, every capability dropped, no privilege
# escalation, writable /tmp and /data only. Probes readiness and liveness, then runs a
# sandbox batch through the unified API to its results.
#
# With podman (apt-get install podman runc) the image runs as a container. Where podman
# cannot run containers, the archive's layers are unpacked and the image's own
# entrypoint, user and environment are run from them under chroot (as root: chroot needs
# it); the root filesystem is then not read-only, and the script says so.
# SMOKE_WITHOUT_PODMAN=1 takes that path on purpose.
#
#   image/smoke.sh [image.tar]     default: target/image/ferry.tar (image/build.sh makes it)
set -euo pipefail
cd "$(dirname "$0")/.."
archive="${1:-target/image/ferry.tar}"
port="${SMOKE_PORT:-18080}"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
stop=""
cleanup() { [ -n "$stop" ] && eval "$stop" > /dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# Podman's default ulimits are refused where the container runtime may not raise them;
# the container keeps the limits it inherits.
printf '[containers]\ndefault_ulimits = []\n' > "$work/containers.conf"
podman_run() {
  CONTAINERS_CONF="$work/containers.conf" podman --runtime "$(command -v runc)" "$@"
}

start_with_podman() {
  image="$(podman load -i "$archive" 2> /dev/null | sed -n 's/^Loaded image: //p' | tail -1)"
  podman_run run -d --name ferry-smoke --replace --network host \
    --read-only --user 1000:1000 --cap-drop ALL --security-opt no-new-privileges \
    --tmpfs /tmp:rw,mode=1777 --tmpfs /data:rw,mode=1777 \
    -e SERVER_PORT="$port" -e FERRY_STORAGE_PATH=/data -e FERRY_PROVIDERS_SANDBOX_PROCESSINGTIME=2s \
    "$image" > /dev/null
  stop="podman_run rm -f ferry-smoke"
  echo "started $image with podman: user 1000:1000, read-only root filesystem, no capabilities"
}

start_from_layers() {
  mkdir -p "$work/image" "$work/rootfs"
  tar -xf "$archive" -C "$work/image" 2> /dev/null
  python3 - "$work/image" "$work/rootfs" > "$work/run.env" <<'PY'
import json, os, subprocess, sys
image, rootfs = sys.argv[1], sys.argv[2]
manifest = json.load(open(os.path.join(image, "manifest.json")))[0]
for layer in manifest["Layers"]:
    subprocess.run(["tar", "-xf", os.path.join(image, layer), "-C", rootfs, "--warning=no-unknown-keyword"],
                   check=True)
config = json.load(open(os.path.join(image, manifest["Config"])))["config"]
print("USER=" + config.get("User", "0"))
print("ENTRYPOINT=" + json.dumps(config.get("Entrypoint") or []))
print("CMD=" + json.dumps(config.get("Cmd") or []))
print("ENVIRONMENT=" + json.dumps(config.get("Env") or []))
print("WORKDIR=" + (config.get("WorkingDir") or "/"))
PY
  user="$(sed -n 's/^USER=//p' "$work/run.env")"
  mkdir -p "$work/rootfs/tmp" "$work/rootfs/data" "$work/rootfs/proc"
  chmod 1777 "$work/rootfs/tmp" "$work/rootfs/data"
  # The dynamic loader finds the JRE's libraries from /proc/self/exe.
  mount -t proc proc "$work/rootfs/proc"
  mapfile -t command < <(python3 -c 'import json,sys; e=json.loads(sys.argv[1]); c=json.loads(sys.argv[2]); print("\n".join(e + c))' \
    "$(sed -n 's/^ENTRYPOINT=//p' "$work/run.env")" "$(sed -n 's/^CMD=//p' "$work/run.env")")
  mapfile -t environment < <(python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' \
    "$(sed -n 's/^ENVIRONMENT=//p' "$work/run.env")")
  env -i "${environment[@]}" SERVER_PORT="$port" FERRY_STORAGE_PATH=/data FERRY_PROVIDERS_SANDBOX_PROCESSINGTIME=2s \
    chroot --userspec="$user" "$work/rootfs" "${command[@]}" > "$work/ferry.log" 2>&1 &
  stop="kill $!; sleep 2; umount '$work/rootfs/proc'"
  echo "without podman: started the image's entrypoint from its layers under chroot as $user (root filesystem not read-only)"
}

if [ -z "${SMOKE_WITHOUT_PODMAN:-}" ] && command -v podman > /dev/null && command -v runc > /dev/null \
    && podman load -i "$archive" > /dev/null 2>&1 \
    && podman_run run --rm --network host --entrypoint /bin/true \
      "$(podman load -i "$archive" 2> /dev/null | sed -n 's/^Loaded image: //p' | tail -1)" > /dev/null 2>&1; then
  start_with_podman
else
  start_from_layers
fi

for second in $(seq 1 120); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/actuator/health/readiness")" = 200 ]; then
    echo "ready after ${second}s (readiness UP; it includes the 10 s warm-up)"
    break
  fi
  if [ "$second" = 120 ]; then
    echo "not ready after 120 s"; (podman_run logs ferry-smoke 2>/dev/null || cat "$work/ferry.log") | tail -40; exit 1
  fi
  sleep 1
done
test "$(curl -s -o /dev/null -w '%{http_code}' "$base/actuator/health/liveness")" = 200
echo "liveness UP"

created="$(curl -sf "$base/v1/batches" -H 'content-type: application/json' -d '{
  "model": "sandbox/echo-1", "endpoint": "/v1/chat/completions",
  "requests": [{"custom_id": "q1", "params": {"messages": [{"role": "user", "content": "Hello"}]}},
               {"custom_id": "q2", "params": {"messages": [{"role": "user", "content": "Bonjour"}]}}]}')"
id="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created")"
for attempt in $(seq 1 60); do
  status="$(curl -sf "$base/v1/batches/$id?provider=sandbox" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
  [ "$status" = completed ] && break
  [ "$attempt" = 60 ] && { echo "batch $id still $status after 30 s"; exit 1; }
  sleep 0.5
done
answers="$(curl -sf "$base/v1/batches/$id/results?provider=sandbox" \
  | python3 -c 'import json,sys; print(" | ".join(r["custom_id"] + ": " + r["response"]["body"]["choices"][0]["message"]["content"] for r in json.load(sys.stdin)["results"]))')"
test "$answers" = "q1: echo: Hello | q2: echo: Bonjour"
echo "sandbox batch $id completed; its results: $answers"
echo "image smoke test passed"
