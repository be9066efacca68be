#!/usr/bin/env bash
# Install everything the tests need on a fresh machine: the Python venvs (.venv and .venv-galaxy, from PyPI),
# the Debian test images (debootstrap + docker import) and the ZooKeeper release fixtures (Debian's builds
# repackaged). Each step is cached and skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
export ZKFORGE_CACHE=${ZKFORGE_CACHE:-$HOME/.cache/zkforge}

# The images and the release fixtures come from the Debian mirror, the venvs from PyPI: the three strands run at
# once (a fresh machine waits for the slowest instead of their sum). Each background strand logs to
# build/logs/bootstrap-<name>.log, shown when it ends.
mkdir -p build/logs
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
fi
declare -A strands=()
strand() {
  local name=$1; shift
  "$@" >"build/logs/bootstrap-$name.log" 2>&1 &
  strands[$name]=$!
}
strand image-bookworm bash tests/fixtures/build-images.sh bookworm
strand image-trixie bash tests/fixtures/build-images.sh trixie
strand releases python3 tests/fixtures/build_artifacts.py

stamp=.venv/.requirements-$(sha256sum requirements-dev.txt | cut -c1-12)
if [ ! -e "$stamp" ]; then
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements-dev.txt
  touch "$stamp"
fi

stamp=.venv-galaxy/.requirements-$(sha256sum requirements-galaxy.txt | cut -c1-12)
if [ ! -e "$stamp" ]; then
  rm -rf .venv-galaxy
  python3 -m venv .venv-galaxy
  .venv-galaxy/bin/pip install -q --upgrade pip
  .venv-galaxy/bin/pip install -q -r requirements-galaxy.txt
  touch "$stamp"
fi

# One venv per older ansible-core minor version that requires_ansible admits (the newest is .venv's).
for core in 2.16 2.17 2.18; do
  venv=.venv-core-$core
  stamp=$venv/.requirements-$(cat requirements-matrix.txt | sha256sum | cut -c1-12)
  if [ ! -e "$stamp" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "ansible-core==$core.*" -r requirements-matrix.txt
    touch "$stamp"
  fi
done

failed=0
for name in "${!strands[@]}"; do
  if ! wait "${strands[$name]}"; then
    echo "bootstrap: $name failed" >&2
    failed=1
  fi
  cat "build/logs/bootstrap-$name.log"
done
exit $failed
