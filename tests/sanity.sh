#!/usr/bin/env bash
# ansible-test sanity on this collection, as the Ansible community runs it, without containers (--local).
# ansible-test wants the collection at .../ansible_collections/<namespace>/<name>, inside a git work tree, so the
# working tree (tracked and new files, minus ignored ones) is copied to a scratch directory first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=${ZKFORGE_SANITY_VENV:-$root/.venv}  # tests/test_matrix.py points this at an older ansible-core
python=$venv/bin/python

# ansible-test bootstraps pip in each sanity venv with get-pip-<version>.py; see get_pip_standin.py for why we
# provide it ourselves.
pip_version=$("$python" - <<'PY'
import sys, types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version="%d.%d" % sys.version_info[:2]))["pip"])
PY
)
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
install -m 0644 tests/sanity/get_pip_standin.py "$cache/get_pip_${pip_version//./_}.py"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dest=$scratch/ansible_collections/zkforge/zookeeper
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  # tracked files deleted from the work tree are not copied
  [ -e "$f" ] || [ -L "$f" ] || continue
  [ "${f#collections/}" = "$f" ] || continue  # the dev symlink back to this tree
  mkdir -p "$dest/$(dirname "$f")"
  cp -P "$f" "$dest/$f"
done
cd "$dest"
git init -q && git add -A && git -c user.name=sanity -c user.email=sanity@localhost commit -qm sanity

export PATH=$venv/bin:$PATH
exec ansible-test sanity --local --python "$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  --color no "$@"
