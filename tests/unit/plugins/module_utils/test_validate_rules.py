"""The validation rules (module_utils/validate.py), called directly: one table of bad values per variable, each
asserting that the problem names the host, the variable and what is expected; and the defaults pass."""
from pathlib import Path

import pytest
import yaml

from ansible_collections.zkforge.zookeeper.plugins.module_utils import validate as v
from ansible_collections.zkforge.zookeeper.plugins.module_utils.security import secret_shape

ROOT = Path(__file__).resolve().parents[4]
DEFAULTS = yaml.safe_load((ROOT / "roles/zookeeper/defaults/main.yml").read_text())


def _settings(**changes):
    settings = dict(DEFAULTS, zookeeper_id=1, zookeeper_server_address="zk1.example.net",
                    zookeeper_firewall_address="192.0.2.1", zookeeper_java_home="",
                    zookeeper_firewall_ssh_port=22)
    settings.update(changes)
    # As the role passes them (vars/main.yml): secrets as shapes only.
    for name in ("zookeeper_tls_store_password", "zookeeper_quorum_sasl_password", "zookeeper_super_password"):
        settings[name] = secret_shape(settings[name])
    users = settings["zookeeper_client_sasl_users"]
    settings["zookeeper_client_sasl_users"] = (dict((k, secret_shape(p)) for k, p in users.items())
                                               if isinstance(users, dict) else secret_shape(users))
    return settings


def test_defaults_pass():
    assert v.settings_problems(_settings(), "zk1") == []


BAD = [
    # (variable, bad value, fragment of what is expected)
    ("zookeeper_version", "latest", "X.Y.Z"),
    ("zookeeper_version", 3.9, "X.Y.Z"),
    ("zookeeper_version", "3.4.14", "3.5.0 or later"),
    ("zookeeper_sha512", "abc", "128 hex digits"),
    ("zookeeper_local_tarball", "relative.tar.gz", "absolute path"),
    ("zookeeper_mirror", "ftp://mirror/zk", "http://"),
    ("zookeeper_mirror", "http://mirror/zk dist", "without spaces"),
    ("zookeeper_keep_releases", -1, "0 to 100"),
    ("zookeeper_keep_releases", "two", "0 to 100"),
    ("zookeeper_user", "root", "never run as"),
    ("zookeeper_user", "Zoo Keeper", "account name"),
    ("zookeeper_system_group", "root", "never run as"),
    ("zookeeper_data_dir", "/var", "not the system directory /var"),
    ("zookeeper_data_dir", "/", "not the system directory /"),
    ("zookeeper_log_dir", "/usr", "not the system directory /usr"),
    ("zookeeper_conf_dir", "/etc", "not the system directory /etc"),
    ("zookeeper_install_root", "/opt", "not the system directory /opt"),
    ("zookeeper_data_dir", "/tmp/zk", "outside /tmp"),
    ("zookeeper_data_dir", "/var/lib/zk data", "plain absolute path"),
    ("zookeeper_data_dir", "/var/lib/zk\ndataDir=/", "plain absolute path"),
    ("zookeeper_data_dir", "/var/lib/../zk", "no '..'"),
    ("zookeeper_data_dir", "/var/lib/zk/", "no trailing slash"),
    ("zookeeper_data_dir", "var/lib/zk", "absolute path"),
    ("zookeeper_java_home", "/usr/lib/jvm/java 17", "plain absolute path"),
    ("zookeeper_tick_time", -2000, "1 to 60000"),
    ("zookeeper_tick_time", 0, "1 to 60000"),
    ("zookeeper_tick_time", "2s", "1 to 60000"),
    ("zookeeper_tick_time", True, "1 to 60000"),
    ("zookeeper_init_limit", 0, "1 to 10000"),
    ("zookeeper_sync_limit", "five", "1 to 10000"),
    ("zookeeper_max_client_cnxns", -1, "0 to 1000000"),
    ("zookeeper_autopurge_snap_retain_count", 2, "3 or more"),
    ("zookeeper_autopurge_purge_interval", -1, "0 to 8760"),
    ("zookeeper_client_port", 70000, "1 to 65535"),
    ("zookeeper_client_port", "2181\nserver.9=evil:1:2", "1 to 65535"),
    ("zookeeper_quorum_port", 0, "1 to 65535"),
    ("zookeeper_firewall_ssh_port", "ssh", "1 to 65535"),
    ("zookeeper_metrics_enabled", "false", "true or false"),
    ("zookeeper_admin_server_enabled", "yes", "true or false"),
    ("zookeeper_client_port_address", "0.0.0.0 ", "IP address"),
    ("zookeeper_admin_server_address", "*", "IP address"),
    ("zookeeper_server_address", "zk 1.example.net", "no spaces"),
    ("zookeeper_server_address", "zk1:2181", "no spaces, no port"),
    ("zookeeper_4lw_whitelist", "srvr,mntr", "a list that contains srvr"),
    ("zookeeper_4lw_whitelist", ["srvr", "kill"], "four-letter words ZooKeeper knows"),
    ("zookeeper_4lw_whitelist", ["srvr", "*"], "not '*'"),
    ("zookeeper_extra_config", "snapCount=1", "a mapping"),
    ("zookeeper_extra_config", {"snapCount": "1\nserver.9=evil:2888:3888"}, "one line"),
    ("zookeeper_extra_config", {"snap Count": 1}, "a zoo.cfg key"),
    ("zookeeper_extra_config", {"a=b": 1}, "a zoo.cfg key"),
    ("zookeeper_extra_config", {"snapCount": [1, 2]}, "a single value"),
    ("zookeeper_extra_config", {"snapCount": " 1"}, "surrounding spaces"),
    ("zookeeper_heap_size", "1gb", "JVM memory size"),
    ("zookeeper_heap_size", "lots", "JVM memory size"),
    ("zookeeper_heap_size", "16m", "at least 64m"),
    ("zookeeper_heap_size", "1 g", "JVM memory size"),
    ("zookeeper_jvm_gc_opts", "-XX:+UseG1GC", "a YAML list"),
    ("zookeeper_jvm_extra_opts", ["-Dx=a b"], "without spaces"),
    ("zookeeper_jvm_extra_opts", ["Dfoo=1"], "starting with '-'"),
    ("zookeeper_jvm_extra_opts", ["-Xmx8g"], "set zookeeper_heap_size instead"),
    ("zookeeper_jvm_extra_opts", ["-Dx=$(reboot)"], "without spaces, quotes"),
    ("zookeeper_log_level", "VERBOSE", "one of TRACE"),
    ("zookeeper_log_max_file_size", "100 MB", "logback file size"),
    ("zookeeper_log_max_file_size", "100MB</maxFileSize><x>", "logback file size"),
    ("zookeeper_log_total_size_cap", "2TB", "logback file size"),
    ("zookeeper_log_max_history", -3, "0 to 100000"),
    ("zookeeper_service_name", "zookeeper.service", "without '.service'"),
    ("zookeeper_service_name", "zoo keeper", "systemd unit name"),
    ("zookeeper_limit_nofile", 100, "1024 to 1048576"),
    ("zookeeper_stop_timeout", 0, "1 to 3600"),
    ("zookeeper_start_timeout", "forever", "1 to 86400"),
    ("zookeeper_roll_timeout", -1, "1 to 86400"),
    ("zookeeper_roll_repair_hosts", "zk1", "a YAML list"),
    ("zookeeper_firewall_backend", "iptables", "one of auto, firewalld, ufw, none"),
    ("zookeeper_firewall_client_sources", "10.0.0.0/8", "a YAML list"),
    ("zookeeper_firewall_client_sources", ["10.0.0.0/33"], "not valid: '10.0.0.0/33'"),
    ("zookeeper_firewall_client_sources", ["any", "10.0.0.0/8"], "not both"),
    ("zookeeper_firewall_admin_sources", ["intranet"], "not valid: 'intranet'"),
    ("zookeeper_firewall_metrics_sources", "any", "a YAML list"),
]


@pytest.mark.parametrize("name, value, expected", BAD, ids=["%s=%r" % (n, val) for n, val, _ in BAD])
def test_bad_value_is_refused_naming_host_variable_value(name, value, expected):
    problems = v.settings_problems(_settings(**{name: value}), "zk1")
    assert len(problems) == 1, problems
    assert problems[0].startswith("zk1: ")
    assert name in problems[0]
    assert expected in problems[0], problems[0]


@pytest.mark.parametrize("key", ["server.4", "dataDir", "clientPort", "peerType", "dynamicConfigFile",
                                 "reconfigEnabled", "group.1", "weight.2", "metricsProvider.exportJvmInfo",
                                 "4lw.commands.whitelist", "admin.serverPort"])
def test_extra_config_may_not_set_a_managed_key(key):
    problems = v.settings_problems(_settings(zookeeper_extra_config={key: "x", "snapCount": 100000}), "zk1")
    assert len(problems) == 1, problems
    assert "zookeeper_extra_config sets %s, which the role manages itself" % key in problems[0]
    # The message lists what the role manages.
    for managed in ("server.N", "dataDir", "clientPort", "peerType", "myid"):
        assert managed in problems[0]


GOOD = [
    ("zookeeper_heap_size", "512m"), ("zookeeper_heap_size", "2G"), ("zookeeper_heap_size", "1048576k"),
    ("zookeeper_heap_size", 2147483648),
    ("zookeeper_log_max_file_size", "512kb"), ("zookeeper_log_total_size_cap", "10GB"),
    ("zookeeper_server_address", "10.1.2.3"), ("zookeeper_server_address", "2001:db8::7"),
    ("zookeeper_client_port_address", "::"), ("zookeeper_firewall_client_sources", ["10.0.0.0/8", "2001:db8::/32"]),
    ("zookeeper_extra_config", {"snapCount": 100000, "globalOutstandingLimit": "1000", "syncEnabled": True}),
    ("zookeeper_data_dir", "/srv/zookeeper/data"), ("zookeeper_data_log_dir", "/data/zk-txlog"),
    ("zookeeper_tick_time", "2000"), ("zookeeper_jvm_extra_opts", ["-Dzookeeper.snapCount=100000"]),
    ("zookeeper_version", "3.8.0"), ("zookeeper_log_level", "debug"),
]


@pytest.mark.parametrize("name, value", GOOD, ids=["%s=%r" % g for g in GOOD])
def test_good_value_passes(name, value):
    assert v.settings_problems(_settings(**{name: value}), "zk1") == []


@pytest.mark.parametrize("changes, fragment", [
    ({"zookeeper_log_dir": "/var/lib/zookeeper"}, "zookeeper_data_dir ('/var/lib/zookeeper') and zookeeper_log_dir"),
    ({"zookeeper_data_log_dir": "/var/lib/zookeeper/txlog"}, "nested in each other"),
    ({"zookeeper_conf_dir": "/var/lib/zookeeper/conf"}, "nested in each other"),
    ({"zookeeper_install_root": "/srv/zk", "zookeeper_data_dir": "/srv/zk/data",
      "zookeeper_data_log_dir": "/srv/zk/data"}, "nested in each other"),
])
def test_directories_that_would_mix_are_refused(changes, fragment):
    problems = v.settings_problems(_settings(**changes), "zk1")
    assert len(problems) >= 1 and fragment in " ".join(problems), problems


def _servers(*specs, **ports):
    servers = []
    for n, spec in enumerate(specs, 1):
        server = dict(host="zk%d" % n, id=n, role="participant", address="zk%d" % n,
                      firewall_address="192.0.2.%d" % n, zookeeper_client_port=2181, zookeeper_quorum_port=2888,
                      zookeeper_election_port=3888)
        server.update(spec)
        servers.append(server)
    return servers


def test_ensemble_checks_name_the_member():
    settings = _settings()
    servers = _servers({}, {"id": 1}, {"address": "zk 3"}, {"role": "witness", "id": None}, {"address": "ZK1"})
    problems = " ".join(v.ensemble_problems(servers, settings))
    assert "id 1 is set on zk1 and zk2" in problems
    assert "zk3: zookeeper_server_address is 'zk 3'" in problems
    assert "zk4: zookeeper_id is missing" in problems
    assert "zk4: zookeeper_role is 'witness'" in problems
    assert "zk1 is the address of zk1 and zk5" in problems
    assert "4 voters" in problems


def test_firewall_address_must_be_an_ip_unless_there_is_no_firewall():
    servers = _servers({}, {"firewall_address": "zk2.example.net"}, {})
    assert "zk2: zookeeper_firewall_address is 'zk2.example.net'" in " ".join(v.ensemble_problems(servers, _settings()))
    assert v.ensemble_problems(servers, _settings(zookeeper_firewall_backend="none")) == []


def test_every_member_uses_the_same_ports():
    servers = _servers({}, {"zookeeper_quorum_port": 2889}, {})
    problems = v.member_problems(servers, "zk1", _settings())
    assert problems == ["zk1: zookeeper_quorum_port is 2888 here but 2889 on zk2; every member must use the same"
                        " zookeeper_quorum_port (the server.N lines and the health gates assume it)."]


def test_repair_hosts_must_be_members():
    problems = v.ensemble_problems(_servers({}, {}, {}), _settings(zookeeper_roll_repair_hosts=["zk9"]))
    assert problems and "zookeeper_roll_repair_hosts names zk9" in problems[0]


def test_servers_built_once_with_ipv6_in_brackets():
    hostvars = {"a": {"zookeeper_id": 1, "ansible_host": "2001:db8::1"},
                "b": {"zookeeper_id": 2, "zookeeper_server_address": "b.example.net", "zookeeper_client_port": 2182},
                "c": {"zookeeper_id": 3, "ansible_facts": {"default_ipv4": {"address": "192.0.2.3"}}}}
    fallback = {"zookeeper_client_port": 2181, "zookeeper_quorum_port": 2888, "zookeeper_election_port": 3888}
    a, b, c = v.zookeeper_servers(["a", "b", "c"], hostvars, fallback)
    assert a["client"] == "[2001:db8::1]:2181" and a["quorum"] == "[2001:db8::1]:2888:3888"
    assert b["client"] == "b.example.net:2182" and b["zookeeper_client_port"] == 2182
    assert c["address"] == "c" and c["firewall_address"] == "192.0.2.3"


HOST_STATE = {
    "sys_uid_max": 999,
    "account": {"exists": False}, "group": {"exists": False},
    "service": {"active_state": "inactive", "fragment_path": "", "ours": False},
    "paths": {},
}


def _state(**changes):
    state = dict(HOST_STATE)
    state.update(changes)
    return state


@pytest.mark.parametrize("state, fragment", [
    (_state(account={"exists": True, "uid": 0, "home": "/root", "shell": "/bin/bash", "comment": "root"}),
     "zookeeper_user is 'zookeeper'"),
    (_state(account={"exists": True, "uid": 1000, "home": "/var/lib/zookeeper", "shell": "/usr/sbin/nologin",
                     "comment": ""}), "not a ZooKeeper service account"),
    (_state(account={"exists": True, "uid": 120, "home": "/var/lib/postgresql", "shell": "/bin/bash",
                     "comment": "PostgreSQL administrator"}), "not a ZooKeeper service account"),
    (_state(account={"exists": True, "uid": 121, "home": "/nonexistent", "shell": "/usr/sbin/nologin",
                     "comment": ""}), "not a ZooKeeper service account"),
    (_state(group={"exists": True, "gid": 1000}), "zookeeper_system_group is 'zookeeper'"),
    (_state(service={"active_state": "active", "fragment_path": "/lib/systemd/system/zookeeper.service",
                     "ours": False}), "already defined by /lib/systemd/system/zookeeper.service"),
    (_state(paths={"/var/lib/zookeeper": {"exists": True, "is_dir": True, "owner": "postgres", "group": "postgres",
                                          "mode": "0700", "empty": False}}), "never changes the owner or mode"),
    (_state(paths={"/opt/zookeeper": {"exists": True, "is_dir": True, "owner": "root", "group": "root",
                                      "mode": "0755", "empty": False, "marked": False}}), "zookeeper_install_root"),
    (_state(paths={"/var/log/zookeeper": {"exists": True, "is_dir": False}}), "a directory"),
])
def test_host_state_that_is_not_ours_is_refused(state, fragment):
    problems = v.host_problems(_settings(), state, "zk1")
    assert len(problems) == 1 and fragment in problems[0], problems


@pytest.mark.parametrize("state", [
    HOST_STATE,
    _state(account={"exists": True, "uid": 998, "home": "/var/lib/zookeeper", "shell": "/usr/sbin/nologin",
                    "comment": ""}),
    _state(account={"exists": True, "uid": 998, "home": "/srv/old", "shell": "/usr/sbin/nologin",
                    "comment": v.ACCOUNT_COMMENT}, group={"exists": True, "gid": 998}),
    _state(service={"active_state": "active", "fragment_path": "/etc/systemd/system/zookeeper.service", "ours": True}),
    _state(paths={"/var/lib/zookeeper": {"exists": True, "is_dir": True, "owner": "root", "group": "root",
                                         "mode": "0755", "empty": True},
                  "/var/log/zookeeper": {"exists": True, "is_dir": True, "owner": "zookeeper",
                                         "group": "zookeeper", "mode": "0750", "empty": False},
                  "/opt/zookeeper": {"exists": True, "is_dir": True, "owner": "root", "group": "root",
                                     "mode": "0755", "empty": False, "marked": True},
                  "/etc/zookeeper": {"exists": True, "is_dir": True, "owner": "root", "group": "zookeeper",
                                     "mode": "0750", "empty": False}}),
], ids=["fresh host", "account of an earlier run", "marked account", "our unit", "our or empty directories"])
def test_host_state_that_is_ours_passes(state):
    assert v.host_problems(_settings(), state, "zk1") == []


def test_firewall_rules_follow_the_members():
    settings = _settings(zookeeper_firewall_client_sources=["10.0.0.0/8"], zookeeper_firewall_admin_sources=[],
                         zookeeper_metrics_enabled=True, zookeeper_firewall_metrics_sources=["192.0.2.50"])
    rules = v.firewall_rules(_servers({}, {}, {}), "zk1", settings)
    assert rules == [[2181, "10.0.0.0/8"], [2181, "192.0.2.2"], [2181, "192.0.2.3"], [2888, "192.0.2.2"],
                     [2888, "192.0.2.3"], [3888, "192.0.2.2"], [3888, "192.0.2.3"], [7000, "192.0.2.50"]]
    # A member that leaves the inventory leaves the rules (the role removes what it recorded and no longer wants).
    assert [2888, "192.0.2.3"] not in v.firewall_rules(_servers({}, {}), "zk1", settings)


def test_a_server_that_leaves_keeps_its_rules_until_removed_and_is_no_member_for_validation():
    settings = _settings(zookeeper_firewall_client_sources=["10.0.0.0/8"])
    servers = _servers({}, {}, {"leave": True})
    # Until reconfig removed zk3 its peers still let it in; afterwards (or on a re-run) they do not.
    assert [2888, "192.0.2.3"] in v.firewall_rules(servers, "zk1", settings, keep=["zk3"])
    assert [2888, "192.0.2.3"] not in v.firewall_rules(servers, "zk1", settings)
    # Two voters stay: even, so refused like any inventory with two voters; zk3 is not counted.
    assert "has 2 voters (zk1, zk2)" in " ".join(v.ensemble_problems(servers, settings))
    # The same id on the host that leaves and on one that stays is a replacement, not a duplicate.
    assert v.ensemble_problems(_servers({}, {}, {}, {"id": 3, "leave": True}), settings) == []
    everyone = v.ensemble_problems(_servers({"leave": True}, {"leave": True}), settings)
    assert len(everyone) == 1 and "Every host of" in everyone[0] and "zk1, zk2" in everyone[0]
    assert "not repaired" in " ".join(v.ensemble_problems(servers, _settings(zookeeper_allow_even_voters=True,
                                                                             zookeeper_roll_repair_hosts=["zk3"])))
    assert "zookeeper_leave" in " ".join(v.settings_problems(_settings(zookeeper_leave="yes"), "zk1"))


def test_client_port_open_to_any_needs_no_rule_per_member():
    rules = v.firewall_rules(_servers({}, {}, {}), "zk1", _settings(zookeeper_firewall_client_sources=["any"]))
    assert rules == [[2181, "any"], [2888, "192.0.2.2"], [2888, "192.0.2.3"], [3888, "192.0.2.2"],
                     [3888, "192.0.2.3"]]


JAVA = {"java_install": True, "java_home": "", "java_package": "", "java_min_version": 11}


@pytest.mark.parametrize("name, value, expected", [
    ("java_install", "no", "true or false"),
    ("java_home", "/usr/lib/jvm/jdk 17", "plain absolute path"),
    ("java_package", "openjdk-17-jre-headless; reboot", "one package name"),
    ("java_min_version", 7, "8 to 99"),
])
def test_java_role_values(name, value, expected):
    problems = v.java_problems(dict(JAVA, **{name: value}), "zk1")
    assert len(problems) == 1 and name in problems[0] and expected in problems[0], problems


def test_java_home_needed_without_install():
    assert "java_home is ''" in v.java_problems(dict(JAVA, java_install=False), "zk1")[0]
    assert v.java_problems(dict(JAVA, java_install=False, java_home="/opt/jdk-17"), "zk1") == []
    assert v.java_problems(JAVA, "zk1") == []


def test_local_tarball_must_be_on_the_controller(tmp_path):
    tarball = tmp_path / "apache-zookeeper-3.9.3-bin.tar.gz"
    settings = _settings(zookeeper_local_tarball=str(tarball))
    problems = v.settings_problems(settings, "zk1", lambda path: Path(path).is_file())
    assert len(problems) == 1 and "not found: %s, %s.sha512" % (tarball, tarball) in problems[0]
    tarball.write_bytes(b"x")
    assert "not found: %s.sha512" % tarball in v.settings_problems(settings, "zk1", lambda p: Path(p).is_file())[0]
    settings["zookeeper_sha512"] = "a" * 128
    assert v.settings_problems(settings, "zk1", lambda path: Path(path).is_file()) == []


SASL_BAD = [
    # (changes, fragment expected, secret that must not show)
    ({"zookeeper_quorum_sasl": True}, "zookeeper_quorum_sasl_password (not shown) must be a string of at least 8", None),
    ({"zookeeper_quorum_sasl": True, "zookeeper_quorum_sasl_password": 'pass"word1'}, "without \" \\ or ;",
     'pass"word1'),
    ({"zookeeper_quorum_sasl": True, "zookeeper_quorum_sasl_password": "short"}, "at least 8", "short"),
    ({"zookeeper_quorum_sasl": True, "zookeeper_quorum_sasl_password": "long enough",
      "zookeeper_quorum_sasl_user": "zk quorum"}, "zookeeper_quorum_sasl_user is 'zk quorum'", "long enough"),
    ({"zookeeper_quorum_sasl": "yes"}, "zookeeper_quorum_sasl is 'yes'; expected true or false", None),
    ({"zookeeper_client_sasl": True}, "zookeeper_client_sasl_users is '(0 users)'", None),
    ({"zookeeper_client_sasl": True, "zookeeper_client_sasl_users": ["app", "secret-in-a-list"]},
     "zookeeper_client_sasl_users is 'a list'; expected a mapping", "secret-in-a-list"),
    ({"zookeeper_client_sasl": True, "zookeeper_client_sasl_users": {"kafka": "kafka1"}},
     "the password of kafka in zookeeper_client_sasl_users (not shown)", "kafka1"),
    ({"zookeeper_client_sasl": True, "zookeeper_client_sasl_users": {"user_x=1": "long enough"}},
     "zookeeper_client_sasl_users is 'user_x=1'", "long enough"),
    ({"zookeeper_client_sasl": True, "zookeeper_client_sasl_users": {"kafka": "long enough"},
      "zookeeper_version": "3.6.4"}, "3.7.0 or later with zookeeper_client_sasl_enforce", "long enough"),
    ({"zookeeper_client_sasl": True, "zookeeper_client_sasl_users": {"super": "long enough"},
      "zookeeper_super_password": "also long enough"}, "zookeeper_super_user is 'super'", "also long enough"),
    ({"zookeeper_super_password": "x;y;z;w;v"}, "zookeeper_super_password (not shown)", "x;y;z;w;v"),
    ({"zookeeper_super_password": "long enough", "zookeeper_super_user": ""}, "zookeeper_super_user is ''",
     "long enough"),
    ({"zookeeper_extra_config": {"DigestAuthenticationProvider.superDigest": "super:x"}},
     "DigestAuthenticationProvider.superDigest", None),
]


@pytest.mark.parametrize("changes, fragment, secret", SASL_BAD)
def test_sasl_settings_are_checked_without_showing_a_password(changes, fragment, secret):
    problems = " ".join(v.settings_problems(_settings(**changes), "zk1"))
    assert fragment in problems, problems
    assert problems.startswith("zk1: ")
    assert secret is None or secret not in problems


def test_sasl_everywhere_passes():
    assert v.settings_problems(_settings(
        zookeeper_quorum_sasl=True, zookeeper_quorum_sasl_password="quorum secret", zookeeper_client_sasl=True,
        zookeeper_client_sasl_users={"kafka": "kafka secret", "solr": "solr secret"},
        zookeeper_super_password="super secret"), "zk1") == []


def test_every_member_holds_the_same_quorum_credentials():
    fingerprint = secret_shape("quorum secret")["fingerprint"]
    quorum = {"zookeeper_quorum_tls": False, "zookeeper_quorum_sasl": True, "zookeeper_quorum_sasl_user": "zookeeper"}
    servers = _servers(dict(quorum, quorum_sasl_fingerprint=fingerprint),
                       dict(quorum, quorum_sasl_fingerprint=secret_shape("other secret")["fingerprint"]),
                       dict(quorum, zookeeper_quorum_sasl=False, quorum_sasl_fingerprint=fingerprint))
    problems = v.member_problems(servers, "zk1", _settings(zookeeper_quorum_sasl=True,
                                                           zookeeper_quorum_sasl_password="quorum secret"))
    text = " ".join(problems)
    assert "zk1: zookeeper_quorum_sasl_password differs from zk2 (another password)" in text
    assert "zk1: zookeeper_quorum_sasl differs from zk3 (True here but False there)" in text
    assert len(problems) == 2 and "secret" not in text


def test_servers_carry_the_quorum_settings_and_a_password_fingerprint_only():
    hostvars = {"a": {"zookeeper_id": 1, "zookeeper_quorum_sasl_password": "host secret"}, "b": {"zookeeper_id": 2}}
    fallback = _settings(zookeeper_quorum_sasl=True, zookeeper_quorum_sasl_password="role secret")
    a, b = v.zookeeper_servers(["a", "b"], hostvars, fallback)
    assert a["quorum_sasl_fingerprint"] == secret_shape("host secret")["fingerprint"]
    assert b["quorum_sasl_fingerprint"] == secret_shape("role secret")["fingerprint"]
    assert b["zookeeper_quorum_sasl"] is True and "secret" not in repr([a, b]).replace("host secret", "")


@pytest.mark.parametrize("changes, fragment", [
    ({"zookeeper_tls_renew_days": 365}, "zookeeper_tls_renew_days is 365; expected fewer days than zookeeper_tls_cert_days (365)"),
    ({"zookeeper_tls_renew_days": -1}, "zookeeper_tls_renew_days is -1; expected a whole number from 0 to 3650 days"),
    ({"zookeeper_tls_cert_days": 30, "zookeeper_tls_renew_days": 30}, "fewer days than zookeeper_tls_cert_days (30)"),
])
def test_certificates_are_not_renewed_on_every_run(changes, fragment):
    problems = " ".join(v.settings_problems(_settings(zookeeper_quorum_tls=True, zookeeper_tls_pki_dir="/srv/pki",
                                                      **changes), "zk1"))
    assert fragment in problems, problems


def test_renewal_window_shorter_than_validity_passes():
    assert v.settings_problems(_settings(zookeeper_quorum_tls=True, zookeeper_tls_cert_days=400,
                                         zookeeper_tls_renew_days=370, zookeeper_tls_pki_dir="/srv/pki"), "zk1") == []


def test_checks_reach_the_tls_client_port_when_asked():
    hostvars = {"a": {"zookeeper_id": 1}, "b": {"zookeeper_id": 2, "zookeeper_secure_client_port": 2282}}
    fallback = {"zookeeper_client_port": 2181, "zookeeper_secure_client_port": 2281, "zookeeper_quorum_port": 2888,
                "zookeeper_election_port": 3888}
    a, b = v.zookeeper_servers(["a", "b"], hostvars, fallback)
    assert (a["client"], a["secure_client"], b["secure_client"]) == ("a:2181", "a:2281", "b:2282")
    a, b = v.zookeeper_servers(["a", "b"], hostvars, fallback, True)
    assert (a["client"], b["client"]) == ("a:2281", "b:2282")


def test_tls_only_clients_need_client_tls_and_close_the_plaintext_port():
    assert "zookeeper_client_plaintext is False; expected true unless zookeeper_client_tls is true" in " ".join(
        v.settings_problems(_settings(zookeeper_client_plaintext=False), "zk1"))
    settings = _settings(zookeeper_client_plaintext=False, zookeeper_client_tls=True,
                         zookeeper_tls_pki_dir="/srv/pki", zookeeper_firewall_client_sources=["198.51.100.0/24"])
    assert v.settings_problems(settings, "zk1") == []
    rules = v.firewall_rules(_servers({}, {}, {}), "zk1", settings)
    assert sorted(source for port, source in rules if port == 2181) == ["192.0.2.2", "192.0.2.3"]
    assert "198.51.100.0/24" in [source for port, source in rules if port == 2281]
