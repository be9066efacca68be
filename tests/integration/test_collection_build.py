"""`ansible-galaxy collection build` produces a tarball that installs, and whose roles and modules run by FQCN
from the installed copy (not from this checkout)."""
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from conftest import closed_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

PLAYBOOK = """
- name: Use the installed collection
  hosts: zookeeper
  gather_facts: false
  module_defaults:
    group/zkforge.zookeeper.zookeeper:
      servers: ["127.0.0.1:{port}"]
  tasks:
    - name: Validate the ensemble with the installed role
      ansible.builtin.include_role:
        name: zkforge.zookeeper.zookeeper
        tasks_from: validate
    - name: Run the installed module against a closed port, its servers set for the module group
      zkforge.zookeeper.zookeeper_wait:
        condition: stopped
        timeout: 5
      register: waited
    - name: The module answered
      ansible.builtin.assert:
        that:
          - waited.servers[0].mode == 'unreachable'
          - waited.servers[0].server == '127.0.0.1:{port}'
"""


def test_build_install_and_run_by_fqcn(tmp_path):
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    tarball = next(tmp_path.glob("zkforge-zookeeper-*.tar.gz"))
    names = tarfile.open(tarball).getnames()
    assert "roles/zookeeper/tasks/main.yml" in names
    assert "plugins/modules/zookeeper_wait.py" in names
    assert "LICENSE" in names
    for unwanted in ("tests/", "molecule/", "collections/", ".venv/", ".venv-core-2.16/", ".ci/", "build/", ".pytest_cache/",
                     "inventories/sandbox/", "benchmarks/"):
        assert not any(n.startswith(unwanted) for n in names), unwanted
    for unwanted in ("ansible.cfg", ".ansible-lint", "Makefile"):
        assert unwanted not in names, unwanted

    # Away from this checkout: its ansible.cfg would make the checkout itself the installed collection.
    work = tmp_path / "elsewhere"
    work.mkdir()
    installed = tmp_path / "installed"
    # A community.general 12 already installed there, as an operator who keeps it current has it. PyPI's ansible 12
    # bundles 11.x, so the bundled copy's manifest is installed with its version set to 12.0.0: the manifest is what
    # ansible-galaxy reads when it checks installed collections against the tarball's dependencies.
    bundled = next((BIN.parent / "lib").glob("python3*/site-packages/ansible_collections/community/general"))
    general = installed / "ansible_collections/community/general"
    general.mkdir(parents=True)
    manifest = json.loads((bundled / "MANIFEST.json").read_text())
    manifest["collection_info"]["version"] = "12.0.0"
    (general / "MANIFEST.json").write_text(json.dumps(manifest))
    shutil.copy(bundled / "FILES.json", general / "FILES.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(installed), ANSIBLE_NOCOLOR="1")
    # Dependencies resolved (not --no-deps), and offline: nothing to fetch when the dependencies are satisfied.
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-p", str(installed), str(tarball)],
                          capture_output=True, text=True, cwd=work, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "list", "-p", str(installed)],
                            capture_output=True, text=True, cwd=work, env=env).stdout
    assert "community.general 12.0.0" in " ".join(listed.split()), listed
    assert (installed / "ansible_collections/zkforge/zookeeper/MANIFEST.json").is_file()
    (work / "inventory.ini").write_text("[zookeeper]\n" + "".join(
        f"zk{i} zookeeper_id={i} ansible_connection=local ansible_python_interpreter={sys.executable}\n"
        for i in (1, 2, 3)))
    (work / "play.yml").write_text(PLAYBOOK.format(port=closed_port()))
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", "inventory.ini", "play.yml"], cwd=work, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

    doc = subprocess.run([str(BIN / "ansible-doc"), "zkforge.zookeeper.zookeeper_wait"], cwd=work, env=env,
                         capture_output=True, text=True)
    assert doc.returncode == 0 and "condition" in doc.stdout, doc.stderr
    assert str(installed) in doc.stdout
