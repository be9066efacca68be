#!/usr/bin/env bash
# The molecule scenario 'debian13' where ansible-test integration looks for targets. Needs Docker and what
# tests/bootstrap.sh installs (the venv, the test images, the release fixtures).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../../.." && pwd)
export ZKFORGE_CACHE=${ZKFORGE_CACHE:-$HOME/.cache/zkforge}
export PATH=$root/.venv/bin:$PATH
cd "$root"
exec molecule test -s debian13
