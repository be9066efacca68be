"""The ansible-core matrix: every minor version that meta/runtime.yml's requires_ansible admits is tested. The
newest runs everything (.venv); each older one (.venv-core-<version>, made by tests/bootstrap.sh from PyPI) runs
ansible-test sanity and the unit tests, which include the validate role run by that version's ansible-playbook."""
import concurrent.futures
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
OLDER = ["2.16", "2.17", "2.18"]
NEWEST = "2.19"


def _venv_version(venv):
    return subprocess.run([str(venv / "bin/python"), "-c", "import ansible.release as r; print(r.__version__)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def _venv(core):
    venv = ROOT / (".venv-core-%s" % core)
    version = _venv_version(venv)
    assert version.startswith(core + "."), (venv, version)
    return venv


def test_matrix_matches_requires_ansible():
    """The lowest version tested is the one requires_ansible names, each has its sanity ignore file, and the
    newest is what the development venv runs."""
    requires = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())["requires_ansible"]
    assert re.fullmatch(r">=(\d+\.\d+)\.0", requires).group(1) == OLDER[0], requires
    for core in OLDER + [NEWEST]:
        assert (ROOT / "tests/sanity" / ("ignore-%s.txt" % core)).is_file(), core
    assert _venv_version(ROOT / ".venv").startswith(NEWEST + "."), "the development venv is not ansible-core " + NEWEST


# The six runs start on first use, in two queues side by side: sanity on each older core one after the other (their
# ansible-test venvs may be the same directories), and beside it the unit tests on each. They wait on pip downloads
# and ansible-playbook start-ups as much as on the CPU, and nothing else runs beside them.
_RUNS = {}


def _job(kind, core):
    venv = _venv(core)
    if kind == "sanity":
        return subprocess.run(["bash", str(ROOT / "tests/sanity.sh"), "plugins/"], cwd=ROOT, capture_output=True,
                              text=True, env=dict(os.environ, ZKFORGE_SANITY_VENV=str(venv)))
    return subprocess.run([str(venv / "bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit"],
                          cwd=ROOT, capture_output=True, text=True)


def _result(kind, core):
    if not _RUNS:
        for each in ("sanity", "unit"):
            queue = concurrent.futures.ThreadPoolExecutor(max_workers=1)
            for version in OLDER:
                _RUNS[(each, version)] = queue.submit(_job, each, version)
    return _RUNS[(kind, core)].result()


@pytest.mark.parametrize("core", OLDER)
def test_sanity_on_older_core(core):
    proc = _result("sanity", core)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, "\n".join(line for line in out.splitlines()
                                          if not re.match(r"\s*(Collecting|Downloading|━)", line))[-8000:]
    assert "Running sanity test \"validate-modules\"" in out


@pytest.mark.parametrize("core", OLDER)
def test_unit_tests_on_older_core(core):
    proc = _result("unit", core)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    print(core, summary)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "failed" not in summary, summary
