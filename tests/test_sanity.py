"""ansible-test sanity over plugins/, every test ansible-core ships (see tests/sanity.sh)."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORES = sorted((ROOT / "tests" / "sanity").glob("ignore-*.txt"))


def test_ansible_test_sanity_plugins():
    proc = subprocess.run(["bash", str(ROOT / "tests" / "sanity.sh"), "plugins/"], cwd=ROOT,
                          capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, "\n".join(line for line in out.splitlines()
                                          if not re.match(r"\s*(Collecting|Downloading|━)", line))[-8000:]
    assert "Running sanity test \"validate-modules\"" in out


def test_only_ignored_check_is_the_gplv3_header():
    """validate-modules insists on a GPLv3 header in every module; the collection is Apache-2.0. That one code is
    the only thing we let ansible-test ignore, nowhere but in modules."""
    for path in IGNORES:
        for line in path.read_text().splitlines():
            target, code = line.split("#")[0].split()
            assert code == "validate-modules:missing-gplv3-license", (path.name, line)
            assert re.fullmatch(r"plugins/modules/\w+\.py", target), (path.name, line)
