#!/usr/bin/env bash
# Usage: bench/public/communitytoolkit.sh <clone> [dest]   (default dest: ./communitytoolkit)
# Extracts CommunityToolkit/dotnet at the pinned commit and retargets the MSTest (VSTest mode) suite
# tests/CommunityToolkit.HighPerformance.UnitTests (+ src/CommunityToolkit.HighPerformance) to net10.0
# against packages present on the package feed.
set -euo pipefail
REPO=${1:?usage: communitytoolkit.sh <clone of the repository> [dest]}
DEST=${2:-$PWD/communitytoolkit}
COMMIT=b135626dd54d33b8f05f2ff31591592c004aa848   # "Set version.json to 8.4.2", 2026-03-24
rm -rf "$DEST"; mkdir -p "$DEST"
git -C "$REPO" archive "$COMMIT" | tar -x -C "$DEST"
cd "$DEST"
# 1. net10.0 only (library + test project)
sed -i 's#<TargetFrameworks>[^<]*</TargetFrameworks>#<TargetFrameworks>net10.0</TargetFrameworks>#' \
  src/CommunityToolkit.HighPerformance/CommunityToolkit.HighPerformance.csproj \
  tests/CommunityToolkit.HighPerformance.UnitTests/CommunityToolkit.HighPerformance.UnitTests.csproj
# 2. drop Nerdbank.GitVersioning and SourceLink (need a git work tree); DotNet.ReproducibleBuilds 2.0.2 -> 2.0.5 (the one on the feed)
sed -i -e '/Nerdbank.GitVersioning/d' \
       -e 's#"DotNet.ReproducibleBuilds" Version="[^"]*"#"DotNet.ReproducibleBuilds" Version="2.0.5"#' \
       -e "s#'\$(SourceLinkEnabled)' != 'false'#'\$(SourceLinkEnabled)' == 'true'#" Directory.Build.props
# 3. no strong naming
sed -i 's#<SignAssembly>true</SignAssembly>#<SignAssembly>false</SignAssembly>#' build/Community.Toolkit.Common.props
# 4. test packages: MSTest 4.0.1 -> 4.0.2 (4.0.1 is not on the feed); Microsoft.NET.Test.Sdk 17.14.0 is kept (on the feed)
sed -i -e 's#"MSTest.TestAdapter" Version="[^"]*"#"MSTest.TestAdapter" Version="4.0.2"#' \
       -e 's#"MSTest.TestFramework" Version="[^"]*"#"MSTest.TestFramework" Version="4.0.2"#' \
  tests/CommunityToolkit.HighPerformance.UnitTests/CommunityToolkit.HighPerformance.UnitTests.csproj
echo "prepared $DEST (commit $COMMIT); test project: $DEST/tests/CommunityToolkit.HighPerformance.UnitTests/CommunityToolkit.HighPerformance.UnitTests.csproj"
