#!/usr/bin/env bash
# Usage: bench/public/markdig.sh <clone> [dest]   (default dest: ./markdig)
# Extracts xoofx/markdig at the pinned commit and retargets the NUnit test project to net10.0
# against packages present on the package feed.
set -euo pipefail
REPO=${1:?usage: markdig.sh <clone of the repository> [dest]}
DEST=${2:-$PWD/markdig}
COMMIT=fc705234fa211d179ee1d5e7656b51ab99f70ca9
rm -rf "$DEST"; mkdir -p "$DEST"
git -C "$REPO" archive "$COMMIT" | tar -x -C "$DEST"
cd "$DEST/src"
# 1. net10.0 only (library, spec generator, tests)
sed -i 's#<TargetFrameworks>[^<]*</TargetFrameworks>#<TargetFrameworks>net10.0</TargetFrameworks>#' \
  Markdig/Markdig.targets SpecFileGen/SpecFileGen.csproj Markdig.Tests/Markdig.Tests.csproj
# 2. package versions available in the local feed (NUnit 4.5.0 / NUnit3TestAdapter 6.1.0 are not on every feed)
sed -i -e 's#"NUnit" Version="[^"]*"#"NUnit" Version="4.4.0"#' \
       -e 's#"NUnit3TestAdapter" Version="[^"]*"#"NUnit3TestAdapter" Version="6.3.1"#' \
       -e 's#"Microsoft.NET.Test.Sdk" Version="[^"]*"#"Microsoft.NET.Test.Sdk" Version="18.0.1"#' Directory.Packages.props
# 3. drop MinVer (needs a git work tree) and its version patch target
python3 - <<'PY'
import re
p='Markdig/Markdig.targets'; s=open(p).read()
s=re.sub(r'\s*<PackageReference Include="MinVer">.*?</PackageReference>', '', s, flags=re.S)
s=re.sub(r'\s*<Target Name="PatchVersion".*?</Target>', '', s, flags=re.S)
open(p,'w').write(s)
PY
echo "prepared $DEST (commit $COMMIT); test project: $DEST/src/Markdig.Tests/Markdig.Tests.csproj"
