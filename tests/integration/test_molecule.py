"""Every molecule scenario, on real systemd containers: create, prepare, converge, idempotence, verify, destroy,
each through its tests/integration/targets/molecule-<scenario>/runme.sh (where ansible-test looks for targets).

The scenarios' own verify playbooks hold the assertions; a scenario passes only if every step exits 0.
Output goes to build/logs/molecule-<scenario>.log; its tail is shown on failure.
"""
import os
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario):
    logs = ROOT / "build/logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"molecule-{scenario}.log"
    start = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.run(["bash", str(ROOT / f"tests/integration/targets/molecule-{scenario}/runme.sh")],
                              cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                              env=dict(os.environ, PY_COLORS="0", ANSIBLE_FORCE_COLOR="0"))
    elapsed = time.monotonic() - start
    print(f"molecule {scenario}: rc={proc.returncode} in {elapsed:.0f}s (log: {log})")
    lines = [ln for ln in log.read_text().splitlines() if "Found installed collection" not in ln]
    assert proc.returncode == 0, "\n".join(lines[-150:])
