"""CHANGELOG.rst for the version galaxy.yml names, rendered by antsibull-changelog from changelogs/fragments before
that version is released. `antsibull-changelog release` consumes the fragments, so it runs on a scratch copy of the
collection; only the rendered CHANGELOG.rst comes back. At release time the maintainer runs the real release
(which writes the same file and records the version in changelogs/changelog.yaml).

    .venv-galaxy/bin/python tests/changelog_preview.py      # rewrite CHANGELOG.rst (make changelog)
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-galaxy/bin"


def render(root=ROOT):
    version = yaml.safe_load((root / "galaxy.yml").read_text())["version"]
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                           capture_output=True, check=True).stdout.decode().split("\0")
    with tempfile.TemporaryDirectory() as scratch:
        dest = Path(scratch, "ansible_collections/zkforge/zookeeper")
        for name in files:
            source = root / name
            if not name or name.startswith("collections/") or not source.is_file():
                continue
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
        # antsibull-changelog lists new plugins and roles with ansible-doc, which must find the collection.
        env = dict(os.environ, PATH=f"{VENV}:{os.environ['PATH']}", ANSIBLE_COLLECTIONS_PATH=scratch)
        proc = subprocess.run([str(VENV / "antsibull-changelog"), "release", "-v", "--version", version], cwd=dest,
                              env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("antsibull-changelog release failed:\n" + (proc.stdout + proc.stderr)[-4000:])
        return (dest / "CHANGELOG.rst").read_text()


if __name__ == "__main__":
    (ROOT / "CHANGELOG.rst").write_text(render())
    sys.exit(0)
