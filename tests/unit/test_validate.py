"""Bad input fails validation before any host changes, naming the variable and the host.

Runs the role's real validation (roles/zookeeper/tasks/validate.yml) with ansible-playbook against an
inventory of local-connection hosts; nothing is installed anywhere.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = """
- name: Validate the ensemble
  hosts: zookeeper
  gather_facts: false
  tasks:
    - name: Validate
      ansible.builtin.include_role:
        name: zkforge.zookeeper.zookeeper
        tasks_from: validate
"""


def _run(tmp_path, hostvars, groupvars=None):
    # Documentation addresses (TEST-NET-1) stand in for the facts a real play gathers for the firewall rules.
    inventory = {"zookeeper": {
        "hosts": {name: dict({"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                              "zookeeper_firewall_address": "192.0.2.%d" % (n + 1)}, **hv)
                  for n, (name, hv) in enumerate(hostvars.items())},
        "vars": groupvars or {},
    }}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"), ANSIBLE_STDOUT_CALLBACK="results_json",
               ANSIBLE_CALLBACK_PLUGINS=str(Path(__file__).parent / "callback_plugins"))
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(tmp_path / "inventory.yml"),
                           str(tmp_path / "play.yml")], capture_output=True, text=True, env=env, cwd=tmp_path)
    return proc


THREE = {"zkA": {"zookeeper_id": 1}, "zkB": {"zookeeper_id": 2}, "zkC": {"zookeeper_id": 3}}


def _with(**changes):
    hosts = {k: dict(v) for k, v in THREE.items()}
    for host, hv in changes.items():
        hosts[host].update(hv)
    return hosts


CASES = [
    ("duplicate id", _with(zkC={"zookeeper_id": 2}), {}, ["zookeeper_id must be unique", "id 2", "zkB and zkC"]),
    ("missing id", {"zkA": {"zookeeper_id": 1}, "zkB": {"zookeeper_id": 2}, "zkC": {}}, {},
     ["zkC", "zookeeper_id is missing"]),
    ("id zero", _with(zkB={"zookeeper_id": 0}), {}, ["zkB", "zookeeper_id is 0", "1 to 255"]),
    ("id too big", _with(zkB={"zookeeper_id": 256}), {}, ["zkB", "zookeeper_id is 256"]),
    ("id not integer", _with(zkB={"zookeeper_id": "two"}), {}, ["zkB", "zookeeper_id is 'two'"]),
    ("even voters", {"zkA": {"zookeeper_id": 1}, "zkB": {"zookeeper_id": 2}}, {},
     ["2 voters", "zookeeper_allow_even_voters"]),
    ("unknown role", _with(zkC={"zookeeper_role": "witness"}), {}, ["zkC", "zookeeper_role is 'witness'"]),
    ("port out of range", THREE, {"zookeeper_client_port": 70000}, ["zkA", "zookeeper_client_port is 70000", "1 to 65535"]),
    ("ports collide", THREE, {"zookeeper_election_port": 2888}, ["zkA", "zookeeper_quorum_port and zookeeper_election_port are all 2888", "must differ"]),
    ("relative data dir", THREE, {"zookeeper_data_dir": "var/lib/zk"},
     ["zkA", "zookeeper_data_dir is 'var/lib/zk'", "absolute"]),
    ("relative log dir", _with(zkB={"zookeeper_data_log_dir": "txlog"}), {},
     ["zkB", "zookeeper_data_log_dir is 'txlog'"]),
    ("version not X.Y.Z", THREE, {"zookeeper_version": "3.9"}, ["zkA", "zookeeper_version is '3.9'", "X.Y.Z"]),
    ("malformed sha512", THREE, {"zookeeper_sha512": "abc123"}, ["zkA", "zookeeper_sha512 is 'abc123'", "128 hex digits"]),
    ("tls on an old release", THREE, {"zookeeper_client_tls": True, "zookeeper_version": "3.7.2"},
     ["zkA", "zookeeper_version is '3.7.2'", "3.8.0 or later with zookeeper_client_tls"]),
    ("tls port collides", THREE, {"zookeeper_client_tls": True, "zookeeper_secure_client_port": 2181},
     ["zookeeper_client_port and zookeeper_secure_client_port are all 2181"]),
    ("tls provided files missing", THREE, {"zookeeper_client_tls": True, "zookeeper_tls_certificates": "provided",
                                           "zookeeper_tls_ca_file": "/nonexistent/ca.pem"},
     ["zookeeper_tls_ca_file is '/nonexistent/ca.pem'", "not found", "zookeeper_tls_cert_file is ''"]),
    ("tls short password not shown", THREE, {"zookeeper_client_tls": True, "zookeeper_tls_store_password": "pw1"},
     ["zookeeper_tls_store_password (not shown)", "at least 6"]),
    ("quorum sasl without a password", THREE, {"zookeeper_quorum_sasl": True},
     ["zkA: zookeeper_quorum_sasl_password (not shown)", "Ansible Vault"]),
    ("quorum sasl passwords differ", _with(zkB={"zookeeper_quorum_sasl_password": "another secret"}),
     {"zookeeper_quorum_sasl": True, "zookeeper_quorum_sasl_password": "quorum secret"},
     ["zkA: zookeeper_quorum_sasl_password differs from zkB (another password)"]),
    ("client sasl without users", THREE, {"zookeeper_client_sasl": True}, ["zkA: zookeeper_client_sasl_users"]),
    ("tls keys in extra config", THREE, {"zookeeper_extra_config": {"ssl.keyStore.location": "/x.p12"}},
     ["ssl.keyStore.location"]),
    # Choices are the argument spec's (meta/argument_specs.yml, entry point validate), checked first.
    ("unknown firewall backend", THREE, {"zookeeper_firewall_backend": "iptables"},
     ["zookeeper_firewall_backend must be one of", "iptables"]),
    ("4lw whitelist without srvr", THREE, {"zookeeper_4lw_whitelist": ["mntr"]}, ["zkA", "zookeeper_4lw_whitelist"]),
    ("4lw whitelist star", THREE, {"zookeeper_4lw_whitelist": ["srvr", "*"]}, ["zkA", "not '*'"]),
    ("group not in inventory", THREE, {"zookeeper_ensemble_group": "zk_servers"},
     ["The inventory group 'zk_servers' (zookeeper_ensemble_group) has no hosts"]),
    # Every problem is listed at once, not only the first one found.
    ("several ensemble problems", _with(zkA={"zookeeper_id": 0}, zkB={"zookeeper_id": 3},
                                        zkC={"zookeeper_role": "witness"}), {},
     ["zkA: zookeeper_id is 0", "zkC: zookeeper_role is 'witness'", "id 3 is set on zkB and zkC"]),
    ("several host problems", THREE, {"zookeeper_version": "latest", "zookeeper_heap_size": "lots",
                                      "zookeeper_log_dir": "logs", "zookeeper_quorum_port": 0},
     ["zkA: zookeeper_version is 'latest'", "zkA: zookeeper_heap_size is 'lots'",
      "zkA: zookeeper_log_dir is 'logs'", "zkA: zookeeper_quorum_port is 0"]),
]


def _failure_messages(stdout):
    report = json.loads(stdout)
    messages = []
    for play in report["plays"]:
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                if result.get("failed"):
                    messages.append(result.get("msg", ""))
                for item in result.get("results", []):
                    if item.get("failed"):
                        messages.append(item.get("msg", ""))
    return messages


@pytest.mark.parametrize("name, hostvars, groupvars, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_naming_variable_and_host(tmp_path, name, hostvars, groupvars, expected):
    proc = _run(tmp_path, hostvars, groupvars)
    assert proc.returncode != 0, proc.stdout[-3000:]
    messages = " ".join(" ".join(m.split()) for m in _failure_messages(proc.stdout))
    for fragment in expected:
        assert fragment in messages, messages


def test_valid_ensemble_passes(tmp_path):
    proc = _run(tmp_path, _with(zkC={"zookeeper_role": "observer"}, zkB={"zookeeper_id": "2"}),
                {"zookeeper_allow_even_voters": True})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_even_voters_allowed_when_asked(tmp_path):
    proc = _run(tmp_path, {"zkA": {"zookeeper_id": 1}, "zkB": {"zookeeper_id": 2}},
                {"zookeeper_allow_even_voters": True})
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_a_bad_store_password_is_never_shown(tmp_path):
    proc = _run(tmp_path, THREE, {"zookeeper_client_tls": True, "zookeeper_tls_store_password": "pw1"})
    assert proc.returncode != 0 and "zookeeper_tls_store_password" in proc.stdout
    assert "pw1" not in proc.stdout + proc.stderr


def test_no_password_is_shown_when_sasl_settings_are_refused(tmp_path):
    secrets = {"zookeeper_quorum_sasl_password": 'quorum"secret', "zookeeper_super_password": "sup;er-secret",
               "zookeeper_client_sasl_users": {"kafka": "kafka\\secret"}}
    proc = _run(tmp_path, _with(zkC={"zookeeper_quorum_sasl_password": "zkC own secret"}),
                dict(secrets, zookeeper_quorum_sasl=True, zookeeper_client_sasl=True))
    assert proc.returncode != 0
    messages = " ".join(_failure_messages(proc.stdout))
    assert "zookeeper_quorum_sasl_password (not shown)" in messages and "kafka in zookeeper_client_sasl_users" in messages
    # JSON output escapes quotes and backslashes: look for both spellings.
    for secret in ('quorum"secret', 'quorum\\"secret', "sup;er", "kafka\\secret", "kafka\\\\secret", "zkC own"):
        assert secret not in proc.stdout + proc.stderr, secret
