#!/usr/bin/env bash
# Usage: bench/public/humanizer.sh <clone> [dest]   (default dest: ./humanizer)
# Extracts Humanizr/Humanizer at the last commit before the xUnit v3 migration (#1616),
# i.e. the last xUnit v2 test suite, and retargets it to net10.0 against packages on the feed.
set -euo pipefail
REPO=${1:?usage: humanizer.sh <clone of the repository> [dest]}
DEST=${2:-$PWD/humanizer}
COMMIT=c93196c02585f33101f33a29a185f75629a8c464   # "Code modernization, formatting, cleanup (#1615)", 2025-10-09
rm -rf "$DEST"; mkdir -p "$DEST"
git -C "$REPO" archive "$COMMIT" | tar -x -C "$DEST"
cd "$DEST/src"
# 1. net10.0 only
sed -i 's#<TargetFrameworks>[^<]*</TargetFrameworks>#<TargetFrameworks>net10.0</TargetFrameworks>#' \
  Humanizer/Humanizer.csproj Humanizer.Tests/Humanizer.Tests.csproj
# 2. central package versions: drop Nerdbank.GitVersioning (needs a git work tree),
#    Polyfill 9.0.0-beta.19 -> 11.4.5 (the one on the feed), Test.Sdk 18.0.0 -> 18.0.1 (CodeCoverage 18.0.0 missing); drop Verify.* / PublicApiGenerator (not on every feed / unused)
sed -i -e '/Nerdbank.GitVersioning/d' \
       -e 's#"Microsoft.NET.Test.Sdk" Version="[^"]*"#"Microsoft.NET.Test.Sdk" Version="18.0.1"#' \
       -e 's#"Polyfill" Version="[^"]*"#"Polyfill" Version="11.4.5"#' \
       -e '/"Verify\./d' -e '/"PublicApiGenerator"/d' Directory.Packages.props
sed -i 's#<PolyGuard>true</PolyGuard>#<PolyEnsure>true</PolyEnsure>#' Directory.Build.props   # renamed in Polyfill 11
sed -i -e '/Include="Verify\./d' -e '/Include="PublicApiGenerator"/d' Humanizer.Tests/Humanizer.Tests.csproj
# 3. exclude the two test files that need Verify / PublicApiGenerator (1 public-API approval test)
sed -i 's#<ProjectReference Include="..\\Humanizer\\Humanizer.csproj" />#&\n    <Compile Remove="ApiApprover/PublicApiApprovalTest.cs;ModuleInitializer.cs" />\n    <Using Include="Xunit" />#' Humanizer.Tests/Humanizer.Tests.csproj
#    (the global `using Xunit;` used to come transitively from Verify.Xunit, so add it explicitly)
echo "prepared $DEST (commit $COMMIT); test project: $DEST/src/Humanizer.Tests/Humanizer.Tests.csproj"
