#!/usr/bin/env bash
# Regenerates the peer-made fixtures (see README.md). Needs Debian's pcl-tools, liblzf1 and python3-numpy:
#   apt-get install --no-install-recommends pcl-tools liblzf1 python3-numpy
# and, for the LAS fixtures, Node.js and npm (the two JavaScript LAS readers are installed into a temporary folder).
# Without arguments: LZF vectors, PCL / VTK / struct files, the numpy SemanticKITTI scoring oracle. Then our writers'
# goldens and PCL's decoding of them. Then the LAS fixtures (`generate.sh las` does only those).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../../.."

las() {
  peers="$(mktemp -d)"
  trap 'rm -rf "$peers"' RETURN
  (cd "$peers" && echo '{"private": true}' >package.json &&
    npm install --no-save --no-package-lock --no-audit --no-fund \
      copc@0.0.8 @loaders.gl/las@4.5.1 @loaders.gl/core@4.4.5 >/dev/null)
  /usr/bin/python3 "$here/generate_las_fixtures.py"
  PERCEPTION_UPDATE_GOLDEN=1 dotnet test "$root/tests/Perception.Datasets.Tests" -c Release --nologo -v q \
    --filter "FullyQualifiedName~LasWriterTests.Writer_output_is_byte_stable"
  node "$here/las_peer_dump.js" "$peers" "$here"/las/v1*.las "$here"/las/ours/*.las
  /usr/bin/python3 "$here/generate_las_fixtures.py" --check
  for package in copc @loaders.gl/las laz-perf; do
    node -e "const p = require('$peers/node_modules/$package/package.json'); console.log(p.name, p.version)"
  done
  node --version
}

if [[ "${1:-}" == "las" ]]; then
  las
  exit
fi

/usr/bin/python3 "$here/generate_fixtures.py"
/usr/bin/python3 "$here/kitti_eval_oracle.py"
PERCEPTION_UPDATE_GOLDEN=1 dotnet test "$root/tests/Perception.Datasets.Tests" -c Release --nologo -v q \
  --filter "FullyQualifiedName~WriterGoldenTests.Writer_output_is_byte_stable"
/usr/bin/python3 "$here/generate_fixtures.py" --decode-ours
dpkg-query -W -f='${Package} ${Version}\n' pcl-tools liblzf1 python3-numpy
las
