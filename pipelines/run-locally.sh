#!/usr/bin/env bash
# Runs the commands of the pipeline templates on this machine, on the sample solution: a batch
# server installed as a .NET tool, N agents (default 3) each running the Tests job's `dotnet test`
# in its own copy of the samples with the variables Azure Pipelines gives a parallel job, then the
# Close job's command, which prints the completion summary. Exits non-zero if any step fails.
#   pipelines/run-locally.sh [agents] [port]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
agents=${1:-3}
port=${2:-5391}
version=0.1.0-local
work=$(mktemp -d)
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Packing BatchBuild and BatchBuild.Server ($version) …"
dotnet pack "$root/BatchBuild.sln" -c Release -o "$work/artifacts/packages" -p:Version=$version -v:quiet -nologo
packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
rm -rf "${packages%/}/batchbuild/$version" "${packages%/}/batchbuild.server/$version"

echo "Installing and starting the batch server on 127.0.0.1:$port …"
dotnet tool install --tool-path "$work/tools" --add-source "$work/artifacts/packages" --version $version BatchBuild.Server >/dev/null
keys=$("$work/tools/batchbuild-server" new-key)
key=$(sed -n 's/^key: *//p' <<<"$keys")
hash=$(sed -n 's/^hash: *//p' <<<"$keys")
(cd "$work" && BatchBuild__ApiKeyHashes__0="$hash" Logging__LogLevel__Default=Warning \
  exec "$work/tools/batchbuild-server" --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/server.log"; exit 1; }

# What Azure Pipelines sets for every job of one run; the secret variables of the template.
export BUILD_BUILDID="local-$$" SYSTEM_JOBATTEMPT=1
export BATCHBUILD_SERVER_URL="http://127.0.0.1:$port" BATCHBUILD_API_KEY="$key"

echo "Running the Tests job on $agents agents …"
pids=()
for agent in $(seq "$agents"); do
  cp -r "$root/samples" "$work/agent-$agent"
  rm -rf "$work/agent-$agent"/*/bin "$work/agent-$agent"/*/obj "$work/agent-$agent"/*/*/bin "$work/agent-$agent"/*/*/obj
  (cd "$work/agent-$agent" && SYSTEM_JOBPOSITIONINPHASE=$agent SYSTEM_TOTALJOBSINPHASE=$agents \
    dotnet test Samples.sln --logger trx --results-directory "$work/TestResults-$agent" >"$work/agent-$agent.log" 2>&1) &
  pids+=($!)
done
status=0
for agent in $(seq "$agents"); do
  if wait "${pids[$((agent - 1))]}"; then result=passed; else result=failed; status=1; fi
  echo "  agent $agent of $agents: $result; $(grep -h 'BatchBuild Samples\..*: .* passed' "$work/agent-$agent.log" | sed 's/; batch.*//' | tr '\n' ' ')"
done

echo "Running the Close job …"
(cd "$work/agent-1" && dotnet msbuild -restore Samples.NUnit/Samples.NUnit.csproj -t:BatchBuildCloseBatch \
  -p:BatchBuildCloseFailOnError=true -p:BatchBuildCloseFailOnFailedTests=true -v:minimal -nologo) || status=1
curl -fsS -H "X-BatchBuild-Api-Key: $BATCHBUILD_API_KEY" "$BATCHBUILD_SERVER_URL/api/v1/batches/azure-$BUILD_BUILDID-$SYSTEM_JOBATTEMPT" || status=1
echo
exit $status
