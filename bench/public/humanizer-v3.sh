#!/usr/bin/env bash
# Usage: bench/public/humanizer-v3.sh <clone> [dest]   (default dest: ./humanizer-v3)
# Extracts Humanizr/Humanizer at the xUnit v3 migration (#1616), the first xUnit v3 test suite on
# Microsoft.Testing.Platform, and retargets it to net10.0 against packages on the feed. dotnet test
# runs it in the platform's mode (global.json at the root, as the commit has it).
set -euo pipefail
REPO=${1:?usage: humanizer-v3.sh <clone of the repository> [dest]}
DEST=${2:-$PWD/humanizer-v3}
COMMIT=fe648c8a14ee355b0ec49229ca021edd5e9db1b5   # "Update testing and coverage to xUnit v3 (#1616)", 2025-10-12
rm -rf "$DEST"; mkdir -p "$DEST"
git -C "$REPO" archive "$COMMIT" | tar -x -C "$DEST"
cd "$DEST"
# 1. the SDK at hand, still in the platform's mode
printf '{\n  "test": {\n    "runner": "Microsoft.Testing.Platform"\n  }\n}\n' > global.json
cd src
# 2. net10.0 only
sed -i 's#<TargetFrameworks>[^<]*</TargetFrameworks>#<TargetFrameworks>net10.0</TargetFrameworks>#' \
  Humanizer/Humanizer.csproj Humanizer.Tests/Humanizer.Tests.csproj
# 3. central package versions: drop Nerdbank.GitVersioning (needs a git work tree), Verify.* / PublicApiGenerator
#    (one public-API approval test) and the code coverage extension (not open source);
#    Polyfill 9.0.0-beta.19 -> 11.4.5; xunit.v3 3.1.0 -> xunit.v3.mtp-v2 4.0.2 (platform 2.x, which BatchBuild's
#    reporter needs); TrxReport 1.9.0 -> 2.5.3 (the platform 2.x one)
sed -i -e '/Nerdbank.GitVersioning/d' -e '/"Verify\./d' -e '/"PublicApiGenerator"/d' \
       -e '/"Microsoft.Testing.Extensions.CodeCoverage"/d' \
       -e 's#"Polyfill" Version="[^"]*"#"Polyfill" Version="11.4.5"#' \
       -e 's#"xunit.v3" Version="[^"]*"#"xunit.v3.mtp-v2" Version="4.0.2"#' \
       -e 's#"Microsoft.Testing.Extensions.TrxReport" Version="[^"]*"#"Microsoft.Testing.Extensions.TrxReport" Version="2.5.3"#' \
       Directory.Packages.props
sed -i 's#<PolyGuard>true</PolyGuard>#<PolyEnsure>true</PolyEnsure>#' Directory.Build.props   # renamed in Polyfill 11
sed -i -e '/Include="Verify\./d' -e '/Include="PublicApiGenerator"/d' \
       -e '/Include="Microsoft.Testing.Extensions.CodeCoverage"/d' \
       -e 's#PackageReference Include="xunit.v3"#PackageReference Include="xunit.v3.mtp-v2"#' \
       Humanizer.Tests/Humanizer.Tests.csproj
# 4. exclude the two test files that need Verify / PublicApiGenerator (1 public-API approval test)
sed -i 's#<ProjectReference Include="..\\Humanizer\\Humanizer.csproj" />#&\n    <Compile Remove="ApiApprover/PublicApiApprovalTest.cs;ModuleInitializer.cs" />\n    <Using Include="Xunit" />#' \
  Humanizer.Tests/Humanizer.Tests.csproj
#    (the global `using Xunit;` used to come transitively from Verify.XunitV3, so add it explicitly)
echo "prepared $DEST (commit $COMMIT); test project: $DEST/src/Humanizer.Tests/Humanizer.Tests.csproj"
