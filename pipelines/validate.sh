#!/usr/bin/env bash
# Checks the pipeline templates with real validators from npm: the GitHub Actions workflow with
# @action-validator/cli, the Azure Pipelines YAML against the pipeline schema
# (schema/azure-pipelines-service-schema.json, from microsoft/azure-pipelines-vscode, MIT) with
# azure-pipelines-language-service. Also checks that each rejects a broken copy, so that a
# validator that accepts everything cannot pass. The tools go to a cache folder outside the repo.
set -euo pipefail
cd "$(dirname "$0")"

tools="${BATCHBUILD_VALIDATORS:-${XDG_CACHE_HOME:-$HOME/.cache}/batchbuild-validators}"
if [[ ! -x "$tools/node_modules/.bin/action-validator" || ! -d "$tools/node_modules/azure-pipelines-language-service" ]]; then
  npm install --prefix "$tools" --no-audit --no-fund --silent \
    @action-validator/cli@0.6.0 azure-pipelines-language-service@0.9.2 vscode-languageserver-textdocument@1
fi

broken=$(mktemp -d)
trap 'rm -rf "$broken"' EXIT
# A misspelled key in a job: each validator must reject it.
sed 's/^    runs-on: ubuntu-latest$/    runs-onn: ubuntu-latest/' github-workflow.yml >"$broken/github-workflow.yml"
sed 's/^    dependsOn: Tests$/    dependzOn: Tests/' azure-pipelines.yml >"$broken/azure-pipelines.yml"

echo "GitHub Actions workflow (action-validator):"
"$tools/node_modules/.bin/action-validator" github-workflow.yml
echo "  github-workflow.yml: valid"
if "$tools/node_modules/.bin/action-validator" "$broken/github-workflow.yml" >/dev/null 2>&1; then
  echo "  the broken copy was accepted: the validator does not check" >&2
  exit 1
fi

echo "Azure Pipelines YAML (azure-pipelines-language-service):"
NODE_PATH="$tools/node_modules" node validate-azure.js schema/azure-pipelines-service-schema.json azure-pipelines.yml
if NODE_PATH="$tools/node_modules" node validate-azure.js schema/azure-pipelines-service-schema.json "$broken/azure-pipelines.yml" >/dev/null; then
  echo "  the broken copy was accepted: the validator does not check" >&2
  exit 1
fi

echo "Both templates are valid, and both validators reject a misspelled key."
