#!/usr/bin/env bash
# Installs Khronos's glTF-Validator (npm package gltf-validator, pinned by package-lock.json) into node_modules here,
# only when missing. The viewer tests run validate.mjs on every exported .glb.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ ! -f node_modules/gltf-validator/package.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
