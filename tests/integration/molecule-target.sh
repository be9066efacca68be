#!/usr/bin/env bash
# One molecule scenario as an ansible-test integration target: tests/integration/targets/molecule-<scenario>/runme.sh
# links here, and the scenario is the target's name without "molecule-". Needs Docker and what tests/bootstrap.sh
# installs (the venv, the test images, the release fixtures).
set -euo pipefail
target=$(basename "$(cd "$(dirname "$0")" && pwd)")
root=$(cd "$(dirname "$0")/../../../.." && pwd)
export ZKFORGE_CACHE=${ZKFORGE_CACHE:-$HOME/.cache/zkforge}
export PATH=$root/.venv/bin:$PATH
cd "$root"
exec molecule test -s "${target#molecule-}"
