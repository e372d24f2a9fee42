#!/usr/bin/env bash
# Installs what the tests need (Debian packages, only when missing), builds everything strictly, generates the
# PyTorch model fixtures, runs every test,
# then re-runs the SIMD tests with AVX-512 and with AVX2 disabled so the narrower vector paths run too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# pocl-opencl-icd: the OpenCL driver on the CPU that runs the generated kernels in the OpenCL backend's tests.
# libzstd1 / liblz4-1: MCAP chunk compression.
# libegl1, libgl1-mesa-dri, libosmesa6: Mesa's headless GL (EGL surfaceless, OSMesa) for the viewer's rendering tests;
# libglfw3 and xvfb: the windowed viewer under a virtual X server.
# cyclonedds-dev / cyclonedds-tools / gcc: Cyclone DDS 0.10.2 (libddsc.so.0debian) for the ROS 2 node, and idlc + gcc
# to build the C DDS peers of the interop tests (the tests build them into artifacts/dds-peers).
packages=(libopenblas0-pthread python3-torch python3-numpy pocl-opencl-icd ocl-icd-libopencl1 libzstd1 liblz4-1
  libegl1 libgl1-mesa-dri libosmesa6 libglfw3 xvfb cyclonedds-dev cyclonedds-tools gcc)
# npm runs the independent peers: Khronos's glTF validator on the viewer's exports, and the MCAP and ROS 2 CDR
# libraries for the recordings; some machines have Node.js (with npm) from elsewhere.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# OPENBLAS_CORETYPE=Haswell is preset on these machines and halves OpenBLAS; references run with detection.
unset OPENBLAS_CORETYPE
# Compiled OpenCL programs are cached here, not in the user's ~/.cache, so test runs leave nothing behind there.
export PERCEPTION_KERNEL_CACHE="$PWD/artifacts/kernel-cache"

dotnet build Perception.sln -c Release --nologo -v q

# Node.js peers, pinned by committed package-lock.json files and installed with npm ci only when the lock is newer
# than the install: Khronos's glTF validator (in place, in tools/gltf-validator) and the MCAP / ROS 2 CDR libraries
# (@mcap/core, @foxglove/rosmsg2-serialization, @foxglove/ws-protocol, ...; into the git-ignored artifacts/node-peers).
npm_peers() {
  local source=$1 target=$2
  if [[ ! -d $target/node_modules || $source/package-lock.json -nt $target/node_modules ]]; then
    echo "== installing the Node.js peers of $source"
    mkdir -p "$target"
    [[ $source -ef $target ]] || cp "$source/package.json" "$source/package-lock.json" "$target/"
    (cd "$target" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
    touch "$target/node_modules"
  fi
}
npm_peers tools/gltf-validator tools/gltf-validator
npm_peers tests/Perception.Ros2.Tests/peers artifacts/node-peers

# The model parity fixtures (PyTorch checkpoints and logits, about 250 MB) are generated, not committed. Debian's
# /usr/bin/python3 is the interpreter with python3-torch; regenerate only when the script is newer than the output.
fixtures=artifacts/fixtures/models
if [[ ! -f $fixtures/manifest.json || tests/fixtures/gen_model_fixtures.py -nt $fixtures/manifest.json ]]; then
  echo "== generating model parity fixtures"
  /usr/bin/python3 tests/fixtures/gen_model_fixtures.py --out "$fixtures" >/dev/null
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
run() {
  echo "== $*"
  "$@" 2>&1 | tee -a "$log" || status=1
}
run dotnet test Perception.sln -c Release --no-build --nologo
run env DOTNET_EnableAVX512=0 dotnet test tests/TorchSparse.Net.Tests -c Release --no-build --nologo \
  --filter "Category=Simd"
run env DOTNET_EnableAVX2=0 DOTNET_EnableAVX512=0 dotnet test tests/TorchSparse.Net.Tests -c Release --no-build \
  --nologo --filter "Category=Simd"

# One closing line over all runs, in the plain form CI reads.
awk '/Passed!|Failed!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
