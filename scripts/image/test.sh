#!/usr/bin/env bash
# `make test-image`: runs the images `make image` built the way the chart runs them --
# read-only root filesystem, uid 10001, every capability dropped, no new privileges -- and
# checks each does its job:
#   1. todo, single binary (SQLite in its /data volume): /healthz 200, the UI at / ;
#   2. todo-ui (nginx) in a pod beside it: the UI at /, /api/ proxied to the backend;
#   3. the migration Job's command (`todo migrate`) against PostgreSQL, then twice (a no-op);
#   4. one role (`serve --role=api`, TODO_BUS=dapr) against that PostgreSQL, beside the
#      repository's Dapr sidecar double (tests/dapr-double) on the host: /readyz 200, a
#      sign-up and a task through it, and the task's event published to the sidecar.
# PostgreSQL: a throwaway one from scripts/with-postgres.sh (the role containers use the
# host's network to reach it on 127.0.0.1). Prints one line per check; exit 1 if any failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
sha=$(git rev-parse HEAD)
tag=${IMAGE_TAG:-$sha$(git diff --quiet HEAD -- . 2>/dev/null || echo -dirty)}
todo=localhost/todo:$tag
ui=localhost/todo-ui:$tag
for i in "$todo" "$ui"; do podman image exists "$i" || { echo "test-image: $i missing: run make image" >&2; exit 1; }; done

# How the chart runs every container (securityContext): no root, no capabilities, no
# privilege escalation, nothing written outside /tmp and the data volume.
secure=(--read-only --user 10001:10001 --cap-drop=ALL --security-opt no-new-privileges)
jwt=test-image-jwt-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pod=todo-test-image-$$
sidecar_pid=
logdir=$(mktemp -d)
cleanup() {
  podman pod rm -f "$pod" >/dev/null 2>&1 || true
  podman rm -f "$pod-role" >/dev/null 2>&1 || true
  [ -n "$sidecar_pid" ] && kill "$sidecar_pid" 2>/dev/null || true
  rm -rf "$logdir"
}
trap cleanup EXIT
failed=0
check() {  # check NAME COMMAND...: one line, pass or FAIL
  local name=$1; shift
  if "$@"; then echo "test-image: ok   $name"; else echo "test-image: FAIL $name"; failed=1; fi
}
# wait_http URL STATUS: polls until the URL answers STATUS (deadline 60 s, a busy machine)
wait_http() {
  local deadline=$((SECONDS + 60)) code
  while [ $SECONDS -lt $deadline ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)
    [ "$code" = "$2" ] && return 0
    sleep 0.2
  done
  echo "  $1 answered $code, not $2" >&2
  return 1
}

echo "test-image: $todo ($(podman image inspect -f '{{.Size}}' "$todo" | numfmt --to=iec) bytes), $ui ($(podman image inspect -f '{{.Size}}' "$ui" | numfmt --to=iec))"
for i in "$todo" "$ui"; do
  check "$i: OCI labels revision=$sha, source, version" bash -c '
    labels=$(podman image inspect -f "{{json .Labels}}" "$1")
    echo "$labels" | grep -q "\"org.opencontainers.image.revision\":\"$2\"" &&
    echo "$labels" | grep -q "\"org.opencontainers.image.source\":\"[^\"]" &&
    echo "$labels" | grep -q "\"org.opencontainers.image.version\":\"[^\"]"' _ "$i" "$sha"
  check "$i: runs as uid 10001" test "$(podman image inspect -f '{{.Config.User}}' "$i")" = "10001:10001"
done
check "$todo: no compiler in the image" bash -c "! podman run --rm --entrypoint /bin/sh $todo -c 'command -v g++ || command -v cc || command -v cmake'"

# 1 + 2: single binary and the UI in one pod (one network namespace): api on 8081, UI on 8080.
web=$(free_port); direct=$(free_port)
podman pod create --name "$pod" -p "127.0.0.1:$web:8080" -p "127.0.0.1:$direct:8081" >/dev/null
podman run -d --pod "$pod" --name "$pod-todo" "${secure[@]}" -e TODO_JWT_SECRET="$jwt" \
  "$todo" serve --listen 0.0.0.0:8081 --data-dir /data >/dev/null
podman run -d --pod "$pod" --name "$pod-ui" "${secure[@]}" -e TODO_API_UPSTREAM=http://127.0.0.1:8081 "$ui" >/dev/null
check "todo (single binary, read-only, uid 10001, no capabilities): /healthz 200" wait_http "http://127.0.0.1:$direct/healthz" 200
check "todo: the UI at /" bash -c "curl -fsS http://127.0.0.1:$direct/ | grep -qi '<html'"
check "todo-ui (nginx, read-only, uid 10001): the UI at /" bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$web/ 200 && curl -fsS http://127.0.0.1:$web/ | grep -qi '<html'"
check "todo-ui: /api/ proxied to the backend (sign-up through nginx: 201)" bash -c "
  code=\$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -H 'origin: http://127.0.0.1:$web' \
    -d '{\"email\":\"img-$$@example.com\",\"password\":\"Image-test-$jwt\",\"name\":\"Image\"}' http://127.0.0.1:$web/api/auth/sign-up/email)
  [ \"\$code\" = 201 ] || { echo \"  sign-up through nginx: \$code\" >&2; false; }"
check "todo-ui: security headers on /" bash -c "curl -fsSI http://127.0.0.1:$web/ | grep -qi '^content-security-policy:'"
if [ $failed -ne 0 ]; then podman logs "$pod-todo" 2>&1 | tail -20; podman logs "$pod-ui" 2>&1 | tail -20; fi

# 3: the migration Job's command against PostgreSQL (host network: PostgreSQL is on 127.0.0.1).
db_url=$TODO_TEST_DATABASE_URL
check "todo migrate (the hook Job's command) against PostgreSQL" \
  podman run --rm --network host "${secure[@]}" -e DATABASE_URL="$db_url" "$todo" migrate
check "todo migrate again: nothing to do, exit 0" \
  podman run --rm --network host "${secure[@]}" -e DATABASE_URL="$db_url" "$todo" migrate

# 4: one role against PostgreSQL, publishing through a sidecar (the double) on the host.
role_port=$(free_port); dapr_port=$(free_port); control_port=$(free_port)
app_token=test-image-app-token-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
node tests/dapr-double/sidecar.mjs --dapr-port "$dapr_port" --control-port "$control_port" --log-dir "$logdir" \
  --app-id todo-api --quiet &
sidecar_pid=$!
wait_http "http://127.0.0.1:$control_port/healthz" 200 >/dev/null
podman run -d --name "$pod-role" --network host "${secure[@]}" -e DATABASE_URL="$db_url" -e TODO_JWT_SECRET="$jwt" \
  -e TODO_BUS=dapr -e DAPR_HTTP_PORT="$dapr_port" -e APP_API_TOKEN="$app_token" \
  "$todo" serve --role=api --listen "127.0.0.1:$role_port" >/dev/null
check "todo serve --role=api against PostgreSQL: /readyz 200" wait_http "http://127.0.0.1:$role_port/readyz" 200
check "--role=api: sign-up and a task (201)" bash -c "
  set -e
  out=\$(curl -fsS -H 'content-type: application/json' -d '{\"email\":\"role-$$@example.com\",\"password\":\"Role-test-$jwt\",\"name\":\"Role\"}' http://127.0.0.1:$role_port/api/auth/sign-up/email)
  token=\$(echo \"\$out\" | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')
  id=\$(echo \"\$out\" | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"user\"][\"id\"])')
  code=\$(curl -s -o /dev/null -w '%{http_code}' -H \"authorization: Bearer \$token\" -H 'content-type: application/json' -d '{\"title\":\"from the image\"}' http://127.0.0.1:$role_port/api/\$id/tasks)
  [ \"\$code\" = 201 ]"
check "--role=api: the task's event reached the sidecar (task-events)" bash -c "
  deadline=\$((SECONDS + 60))
  until grep -rqs 'todo.task.created' '$logdir'; do [ \$SECONDS -lt \$deadline ] || exit 1; sleep 0.2; done"
check "--role=api: no file written outside /tmp (read-only root held)" bash -c "! podman diff $pod-role | grep -v -E '^[CA] /(tmp|run|etc|data)(/|\$)'"
if [ $failed -ne 0 ]; then podman logs "$pod-role" 2>&1 | tail -20; fi

if [ $failed -ne 0 ]; then echo "test-image: FAILED"; exit 1; fi
echo "test-image: all checks passed"
