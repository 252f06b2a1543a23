#!/usr/bin/env bash
# Packs BatchBuild from this repository and runs the sample suite with it, as a user would:
# `dotnet test` on a solution of NUnit, MSTest and xUnit projects that reference the package.
# Extra arguments go to `dotnet test` (e.g. -p:BatchBuildStrategy=fixed-size -p:BatchBuildSize=3).
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
version=0.1.0-local

dotnet pack "$root/BatchBuild.sln" -c Release -o "$root/artifacts/packages" -p:Version=$version -v:quiet -nologo

# A re-packed package has the same version: drop the copy restore cached from the last pack.
packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
rm -rf "${packages%/}/batchbuild/$version"

dotnet test "$root/samples/Samples.sln" "$@"
