"""ansible-lint, production profile, over the whole collection."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ansible_lint_production_profile():
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-lint"), "--profile", "production",
                           "--offline", "--nocolor"], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections")))
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-4000:]
