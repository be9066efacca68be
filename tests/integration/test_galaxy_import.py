"""Galaxy's importer and the antsibull linters, from PyPI in their own venv (.venv-galaxy). The importer runs on the
built tarball as Galaxy runs it on every upload: ansible-doc and ansible-lint steps on, ansible-test off (it needs
containers). Any error or warning it prints fails the test."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-galaxy/bin"
CONFIG = """[galaxy-importer]
run_ansible_test = False
run_ansible_lint = True
run_ansible_doc = True
check_changelog = True
"""


def test_galaxy_importer_accepts_the_tarball(tmp_path):
    subprocess.run([str(Path(sys.executable).parent / "ansible-galaxy"), "collection", "build", "--output-path",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    tarball = next(tmp_path.glob("zkforge-zookeeper-*.tar.gz"))
    (tmp_path / "galaxy-importer.cfg").write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(GALAXY_IMPORTER_CONFIG=str(tmp_path / "galaxy-importer.cfg"), PATH=f"{VENV}:{env['PATH']}",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([str(VENV / "python"), "-m", "galaxy_importer.main", tarball.name], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    print(output[-3000:])
    assert proc.returncode == 0, output[-6000:]
    assert "Importer processing completed successfully" in output, output[-6000:]
    complaints = [line for line in output.splitlines() if "ERROR" in line or "WARNING" in line]
    assert complaints == [], "\n".join(complaints)


def test_antsibull_docs_lint_clean():
    """Plugin and role docs as the Ansible documentation site renders them (markup, schema, references)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    site_packages = next((ROOT / ".venv/lib").glob("python3*/site-packages"))  # the dependencies, from `ansible`
    env.update(PATH=f"{VENV}:{env['PATH']}", ANSIBLE_COLLECTIONS_PATH=f"{ROOT / 'collections'}:{site_packages}")
    proc = subprocess.run([str(VENV / "antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout[-6000:] + proc.stderr[-3000:]


def test_antsibull_changelog_lint_clean():
    proc = subprocess.run([str(VENV / "antsibull-changelog"), "lint"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_changelog_rst_is_current():
    """CHANGELOG.rst is what antsibull-changelog renders from the fragments for galaxy.yml's version (`make
    changelog` rewrites it), so a fragment added without regenerating it fails here."""
    proc = subprocess.run([str(VENV / "python"), "-c", "import changelog_preview as c; print(c.render(), end='')"],
                          cwd=ROOT / "tests", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (ROOT / "CHANGELOG.rst").read_text() == proc.stdout, "CHANGELOG.rst is stale: run `make changelog`"
