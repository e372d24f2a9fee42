#!/usr/bin/env bash
# Regenerates the peer-made fixtures (see README.md). Needs Debian's pcl-tools, liblzf1 and python3-numpy:
#   apt-get install --no-install-recommends pcl-tools liblzf1 python3-numpy
# Without arguments: LZF vectors, PCL / VTK / struct files, the numpy SemanticKITTI scoring oracle. Then our writers'
# goldens and PCL's decoding of them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../../.."
/usr/bin/python3 "$here/generate_fixtures.py"
/usr/bin/python3 "$here/kitti_eval_oracle.py"
PERCEPTION_UPDATE_GOLDEN=1 dotnet test "$root/tests/Perception.Datasets.Tests" -c Release --nologo -v q \
  --filter "FullyQualifiedName~WriterGoldenTests.Writer_output_is_byte_stable"
/usr/bin/python3 "$here/generate_fixtures.py" --decode-ours
dpkg-query -W -f='${Package} ${Version}\n' pcl-tools liblzf1 python3-numpy
