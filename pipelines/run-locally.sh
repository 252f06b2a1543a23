#!/usr/bin/env bash
# Runs the commands of the pipeline templates on this machine, on the sample solution: a batch
# server installed as a .NET tool, N agents (default 3) each running the Tests job's `dotnet test`
# in its own copy of the samples with the variables Azure Pipelines gives a parallel job, then the
# Close job's command, which prints the completion summary. Exits non-zero if any step fails.
#   pipelines/run-locally.sh [agents] [port]
#
# With --rerun-failed, it plays "Rerun failed jobs" instead: every agent runs with SAMPLES_FAIL=1,
# so the agent whose share holds the sample test that fails on purpose fails; the Close job closes
# the batch with that failure; then that agent's job and the Close job run again as Azure Pipelines
# re-runs them (same BUILD_BUILDID, SYSTEM_JOBATTEMPT=2, a fresh copy of the samples, SAMPLES_FAIL
# unset). It prints the batches of the build's ID and the completion documents the server sent to
# a webhook, and exits non-zero unless the build has one batch that holds every test of attempt 1,
# re-opened and closed again by attempt 2 with no failed test.
#   pipelines/run-locally.sh --rerun-failed [agents] [port]    (BATCHBUILD_DISTRIBUTION=static for a static split)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rerun=false
if [[ "${1:-}" == "--rerun-failed" ]]; then
  rerun=true
  shift
fi
agents=${1:-3}
port=${2:-5391}
version=0.1.0-local
work=$(mktemp -d)
server=""
hook=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null || true
  [[ -n "$hook" ]] && kill "$hook" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Packing BatchBuild and BatchBuild.Server ($version) …"
dotnet pack "$root/BatchBuild.sln" -c Release -o "$work/artifacts/packages" -p:Version=$version -v:quiet -nologo
packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
rm -rf "${packages%/}/batchbuild/$version" "${packages%/}/batchbuild.server/$version"

# A webhook that keeps every completion document the server sends, one JSON document a line.
webhook=()
if $rerun; then
  hook_port=$((port + 1))
  python3 - "$hook_port" "$work/completions.jsonl" >"$work/webhook.log" 2>&1 <<'PY' &
import http.server, json, sys
port, path = int(sys.argv[1]), sys.argv[2]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(path, "a") as out:
            out.write(json.dumps(json.loads(body)) + "\n")
        self.send_response(204)
        self.end_headers()
http.server.HTTPServer(("127.0.0.1", port), Hook).serve_forever()
PY
  hook=$!
  webhook=(BatchBuild__WebhookUrls__0="http://127.0.0.1:$hook_port/hook" BatchBuild__OutboxInterval=00:00:01)
fi

echo "Installing and starting the batch server on 127.0.0.1:$port …"
dotnet tool install --tool-path "$work/tools" --add-source "$work/artifacts/packages" --version $version BatchBuild.Server >/dev/null
keys=$("$work/tools/batchbuild-server" new-key)
key=$(sed -n 's/^key: *//p' <<<"$keys")
hash=$(sed -n 's/^hash: *//p' <<<"$keys")
(cd "$work" && env BatchBuild__ApiKeyHashes__0="$hash" Logging__LogLevel__Default=Warning "${webhook[@]}" \
  "$work/tools/batchbuild-server" --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/server.log"; exit 1; }

# What Azure Pipelines sets for every job of one run; the secret variables of the template.
export BUILD_BUILDID="local-$$" SYSTEM_JOBATTEMPT=1
export BATCHBUILD_SERVER_URL="http://127.0.0.1:$port" BATCHBUILD_API_KEY="$key"
batch="azure-$BUILD_BUILDID"

# Runs the Tests job of the agents given (their indexes), each in a fresh copy of the samples;
# sets failed to the indexes of those that failed.
failed=()
tests_job() {
  local attempt=$1
  shift
  local pids=() agent
  echo "Running the Tests job (attempt $attempt) on agents $* of $agents …"
  for agent in "$@"; do
    local folder="$work/agent-$agent-attempt-$attempt"
    cp -r "$root/samples" "$folder"
    rm -rf "$folder"/*/bin "$folder"/*/obj "$folder"/*/*/bin "$folder"/*/*/obj
    (cd "$folder" && SYSTEM_JOBATTEMPT=$attempt SYSTEM_JOBPOSITIONINPHASE=$agent SYSTEM_TOTALJOBSINPHASE=$agents \
      dotnet test Samples.sln --logger trx --results-directory "$work/TestResults-$agent-$attempt" >"$folder.log" 2>&1) &
    pids+=($!)
  done
  failed=()
  local i=0 result
  for agent in "$@"; do
    if wait "${pids[$i]}"; then result=passed; else result=failed; failed+=("$agent"); fi
    i=$((i + 1))
    echo "  agent $agent of $agents: $result; $(grep -h 'BatchBuild Samples\..*: .* passed' "$work/agent-$agent-attempt-$attempt.log" | sed 's/; batch.*//' | tr '\n' ' ')"
    grep -h 'BatchBuild Samples\..*attempt [0-9]' "$work/agent-$agent-attempt-$attempt.log" | sed 's/^ */    /' | sort -u || true
  done
}

close_job() {
  echo "Running the Close job (attempt $1) …"
  (cd "$work/agent-1-attempt-1" && SYSTEM_JOBATTEMPT=$1 dotnet msbuild -restore Samples.NUnit/Samples.NUnit.csproj -t:BatchBuildCloseBatch \
    -p:BatchBuildCloseFailOnError=true -p:BatchBuildCloseFailOnFailedTests=true -v:minimal -nologo)
}

if ! $rerun; then
  status=0
  tests_job 1 $(seq "$agents")
  [[ ${#failed[@]} -eq 0 ]] || status=1
  close_job 1 || status=1
  curl -fsS -H "X-BatchBuild-Api-Key: $BATCHBUILD_API_KEY" "$BATCHBUILD_SERVER_URL/api/v1/batches/$batch" || status=1
  echo
  exit $status
fi

# Rerun failed jobs: attempt 1 with the sample failure, then the failed agents and the Close job again.
SAMPLES_FAIL=1 tests_job 1 $(seq "$agents")
[[ ${#failed[@]} -gt 0 ]] || { echo "no agent failed in attempt 1: nothing to re-run" >&2; exit 1; }
close_job 1 && { echo "the Close job of attempt 1 passed with a failed test" >&2; exit 1; }
first=$(curl -fsS -H "X-BatchBuild-Api-Key: $BATCHBUILD_API_KEY" "$BATCHBUILD_SERVER_URL/api/v1/batches/$batch")
tests_job 2 "${failed[@]}"
status=0
[[ ${#failed[@]} -eq 0 ]] || status=1
close_job 2 || status=1
sleep 3
list=$(curl -fsS -H "X-BatchBuild-Api-Key: $BATCHBUILD_API_KEY" "$BATCHBUILD_SERVER_URL/api/v1/batches?name=$batch")
python3 - "$first" "$list" "$work/completions.jsonl" <<'PY' || status=1
import json, sys
first, page, path = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
def counts(b):
    c = b["counts"]
    return f'{c["total"]} tests: {c["passed"]} passed, {c["failed"]} failed, {c["skipped"]} skipped, {c["flaky"]} flaky, {c["retried"]} retried; {c["testBatches"]} test batches on {c["agents"]} agents'
print(f'After attempt 1: batch {first["name"]} {first["state"]}, {counts(first)}')
print(f'Batches of {first["batchId"]} now: {page["total"]}')
for b in page["batches"]:
    print(f'  {b["name"]}: {b["state"]} ({b["reason"]}), rerun={str(b["rerun"]).lower()}, ciAttempt={b["ciAttempt"]}; {counts(b)}')
print("Completion documents the webhook received:")
try:
    sent = [json.loads(line) for line in open(path)]
except FileNotFoundError:
    sent = []
for doc in sent:
    c = doc["counts"]
    print(f'  {doc["name"]} sequence {doc["sequence"]}, rerun={str(doc["rerun"]).lower()}, attempt={doc["attempt"]}: {c["total"]} tests, {c["passed"]} passed, {c["failed"]} failed, {c["flaky"]} flaky')
one = page["batches"][0] if page["total"] == 1 else None
ok = (one is not None and one["sequence"] == 1 and one["rerun"] and one["ciAttempt"] == 2 and one["state"] == "closed"
      and one["counts"]["total"] == first["counts"]["total"] and one["counts"]["failed"] == 0 and first["counts"]["failed"] > 0
      and len(sent) == 2 and not sent[0]["rerun"] and sent[1]["rerun"] and sent[1]["counts"]["failed"] == 0)
print("One batch holds every test of the build, closed again by the re-run with its counts: " + ("yes" if ok else "NO"))
sys.exit(0 if ok else 1)
PY
exit $status
