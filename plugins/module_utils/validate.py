# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""Is this input safe to put on a host? Pure functions, no I/O: the role's preflight calls them through the
filters in plugins/filter/zookeeper.py, and the unit tests call them directly.

Every problem is one sentence that names the host, the variable, the value and what is expected. The checks
are strict on purpose: a value reaches zoo.cfg, a Java command line, a systemd unit, an environment file,
logback's XML, the filesystem, the firewall or the service account, and in each of those a stray character
means another line, another option or another file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import posixpath
import re

from ansible_collections.zkforge.zookeeper.plugins.module_utils.security import secret_shape

# The comment the role gives the service account it creates; an account that carries it is ours.
ACCOUNT_COMMENT = "Apache ZooKeeper (zkforge.zookeeper)"

# zoo.cfg keys the role writes itself, from its own variables or the inventory. zookeeper_extra_config may not
# set them: a second value would be ignored or, worse, win.
MANAGED_KEYS = (
    "tickTime", "initLimit", "syncLimit", "dataDir", "dataLogDir", "clientPort", "clientPortAddress",
    "maxClientCnxns", "autopurge.snapRetainCount", "autopurge.purgeInterval", "4lw.commands.whitelist",
    "admin.enableServer", "admin.serverAddress", "admin.serverPort", "metricsProvider.className",
    "metricsProvider.httpPort", "quorumListenOnAllIPs", "peerType", "secureClientPort", "secureClientPortAddress",
    "serverCnxnFactory", "ssl.clientAuth", "sslQuorum", "portUnification", "quorum.auth.enableSasl",
    "quorum.auth.learnerRequireSasl", "quorum.auth.serverRequireSasl", "quorum.auth.learner.saslLoginContext",
    "quorum.auth.server.saslLoginContext", "authProvider.sasl", "enforce.auth.enabled", "enforce.auth.schemes",
    "DigestAuthenticationProvider.superDigest", "superUser", "sslQuorumReloadCertFiles", "client.certReload",
)
# Families of keys that describe the ensemble's membership (server.N from the inventory) or the server's
# identity; zoo.cfg has no myid key, but a dynamic configuration file would bring its own server lines.
MANAGED_KEY_PATTERNS = (
    (re.compile(r"^server\.\d+$"), "server.N"),
    (re.compile(r"^group\.\d+$"), "group.N"),
    (re.compile(r"^weight\.\d+$"), "weight.N"),
    (re.compile(r"^(dynamicConfigFile|reconfigEnabled|standaloneEnabled|myid)$"), None),
    (re.compile(r"^metricsProvider\."), "metricsProvider.*"),
    (re.compile(r"^ssl\.(quorum\.)?(keyStore|trustStore)\."), "ssl.keyStore.*, ssl.trustStore.*, ssl.quorum.*Store.*"),
)
FOUR_LETTER_WORDS = ("conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro", "mntr", "ruok",
                     "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs")
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF")
FIREWALL_BACKENDS = ("auto", "firewalld", "ufw", "none")
ROLES = ("participant", "observer")

# Directories a host's own system lives in: the role must never own, chmod or fill them. Paths under the
# pseudo and volatile filesystems are refused whole (their content is not kept, or not files at all).
SYSTEM_DIRS = frozenset((
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt",
    "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/include",
    "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/local", "/usr/local/bin", "/usr/local/lib",
    "/usr/local/sbin", "/usr/local/share", "/usr/sbin", "/usr/share", "/usr/src", "/var", "/var/backups",
    "/var/cache", "/var/lib", "/var/local", "/var/lock", "/var/log", "/var/mail", "/var/opt", "/var/run",
    "/var/spool", "/var/tmp", "/etc/systemd", "/etc/systemd/system", "/lib/systemd", "/usr/lib/systemd",
    "/etc/default", "/etc/ssl", "/etc/security",
))
VOLATILE_ROOTS = ("/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/var/run", "/var/lock")
PATH_VARIABLES = ("zookeeper_install_root", "zookeeper_conf_dir", "zookeeper_data_dir", "zookeeper_data_log_dir",
                  "zookeeper_log_dir")
# Pairs that may name the same directory (the transaction log beside the snapshots is ZooKeeper's default).
MAY_SHARE = frozenset([frozenset(("zookeeper_data_dir", "zookeeper_data_log_dir"))])

_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._@+/-]*$")
_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
_UNIT_NAME = re.compile(r"^[A-Za-z0-9_.:-]+$")
_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_JVM_SIZE = re.compile(r"^[1-9][0-9]*[kKmMgGtT]?$")
_LOGBACK_SIZE = re.compile(r"^[1-9][0-9]*(KB|MB|GB)?$", re.IGNORECASE)
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_URL = re.compile(r"^(https?|file)://[^\s\"'<>\\]+$")
_CONFIG_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_JVM_OPTION = re.compile(r"^-[^\s\"'\\$%`]+$")
# A SASL user name: it becomes a JAAS option (user_<name>) and, for the super user, part of a digest.
_SASL_USER = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
MIN_HEAP = 64 * 1024 ** 2


def _show(value):
    """A value as an operator would recognise it in the inventory (strings quoted, control characters shown)."""
    if isinstance(value, str):
        return "'%s'" % value.encode("unicode_escape").decode("ascii")
    return repr(value) if not isinstance(value, (list, dict)) else str(value)


class Problems(object):
    """Collects sentences of the form '<host>: <variable> is <value>; expected <what>.'"""

    def __init__(self, host):
        self.host = host
        self.items = []

    def add(self, variable, value, expected):
        self.items.append("%s: %s is %s; expected %s." % (self.host, variable, _show(value), expected))

    def say(self, sentence):
        self.items.append("%s: %s" % (self.host, sentence))


def is_int(value):
    """A whole number, written as one (YAML int, or digits in a string); never a bool or a float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and re.match(r"^-?[0-9]+$", value.strip()) is not None and value == value.strip()


def is_bool(value):
    return isinstance(value, bool)


def is_string_list(value):
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _int_in(problems, name, value, low, high, unit=""):
    if not is_int(value) or not low <= int(value) <= high:
        problems.add(name, value, "a whole number from %s to %s%s" % (low, high, unit))
        return None
    return int(value)


def is_ip(value):
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def is_hostname(value):
    """An RFC 1123 host name (letters, digits, hyphens; dot-separated labels), or an IP address."""
    if not isinstance(value, str) or not value or len(value) > 253:
        return False
    if is_ip(value):
        return True
    labels = value[:-1].split(".") if value.endswith(".") else value.split(".")
    return all(_HOSTNAME_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def is_source(value):
    """'any', an IP address or a network in CIDR notation (IPv4 or IPv6)."""
    if value == "any":
        return True
    try:
        ipaddress.ip_network(value, strict=False)
        return isinstance(value, str) and value.strip() == value
    except (ValueError, TypeError):
        return False


def join_host_port(address, port):
    """host:port, an IPv6 address in brackets. Every server's address is built here, once."""
    address = str(address)
    if ":" in address and not address.startswith("["):
        return "[%s]:%s" % (address, port)
    return "%s:%s" % (address, port)


def jvm_size_bytes(value):
    """'512m' -> bytes, as the JVM reads -Xmx; None when the JVM would refuse it."""
    text = str(value)
    if isinstance(value, bool) or not _JVM_SIZE.match(text):
        return None
    unit = text[-1].lower() if text[-1].isalpha() else ""
    return int(text[:-1] if unit else text) * _SIZE_UNITS[unit]


def _check_path(problems, name, value):
    if not isinstance(value, str) or not value.startswith("/"):
        problems.add(name, value, "an absolute path")
        return None
    if not _SAFE_PATH.match(value) or "//" in value or (len(value) > 1 and value.endswith("/")) \
            or posixpath.normpath(value) != value:
        problems.add(name, value, "a plain absolute path: letters, digits and . _ - + @ between single slashes,"
                                  " no '..', no trailing slash, no spaces (it is written into zoo.cfg and the"
                                  " systemd unit)")
        return None
    if value in SYSTEM_DIRS:
        problems.add(name, value, "a directory of its own, not the system directory %s (the role owns and sets"
                                  " the mode of this directory; use e.g. %s/zookeeper)" % (value, value.rstrip("/")))
        return None
    for root in VOLATILE_ROOTS:
        if value.startswith(root + "/"):
            problems.add(name, value, "a path outside %s, whose content is not kept or is not files" % root)
            return None
    return value


def _nested(a, b):
    return a == b or a.startswith(b.rstrip("/") + "/") or b.startswith(a.rstrip("/") + "/")


def _check_paths(problems, settings):
    paths = {}
    for name in PATH_VARIABLES:
        checked = _check_path(problems, name, settings.get(name))
        if checked:
            paths[name] = checked
    names = sorted(paths)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            a, b = paths[first], paths[second]
            if a == b and frozenset((first, second)) in MAY_SHARE:
                continue
            if _nested(a, b):
                how = "the same directory" if a == b else "nested in each other"
                problems.say("%s (%s) and %s (%s) are %s; each must be a directory of its own, outside the others"
                             " (only zookeeper_data_dir and zookeeper_data_log_dir may be the same), so that"
                             " owners, modes and clean-ups of one never reach the other."
                             % (first, _show(a), second, _show(b), how))
    if settings.get("zookeeper_java_home") not in ("", None):
        _check_path(problems, "zookeeper_java_home", settings["zookeeper_java_home"])


def _check_extra_config(problems, extra):
    if not isinstance(extra, dict):
        problems.add("zookeeper_extra_config", extra, "a mapping of zoo.cfg keys to values, e.g."
                                                      " {snapCount: 100000}")
        return
    managed = []
    for key, value in sorted(extra.items(), key=lambda kv: str(kv[0])):
        shown = "zookeeper_extra_config[%s]" % _show(key)
        if not isinstance(key, str) or not _CONFIG_KEY.match(key):
            problems.add("a key of zookeeper_extra_config", key, "a zoo.cfg key: letters, digits and . _ - (no"
                                                                 " spaces, '=' or line breaks)")
            continue
        if key in MANAGED_KEYS or any(pattern.match(key) for pattern, label in MANAGED_KEY_PATTERNS):
            managed.append(key)
            continue
        if isinstance(value, (dict, list, tuple)) or value is None:
            problems.add(shown, value, "a single value (a string, number or boolean)")
        elif isinstance(value, str) and (re.search(r"[\x00-\x1f\x7f]", value) or value != value.strip()
                                         or value == ""):
            problems.add(shown, value, "a value on one line, without control characters or surrounding spaces")
    if managed:
        families = sorted(set(label for pattern, label in MANAGED_KEY_PATTERNS if label))
        others = [p.pattern.strip("^$()") for p, label in MANAGED_KEY_PATTERNS if not label]
        problems.say("zookeeper_extra_config sets %s, which the role manages itself. Use the role's variables"
                     " (zookeeper_tick_time, zookeeper_client_port, ...) or the inventory (zookeeper_id,"
                     " zookeeper_role, the ensemble group) instead. Keys the role manages: %s, %s, %s."
                     % (", ".join(managed), ", ".join(MANAGED_KEYS), ", ".join(families),
                        ", ".join(others).replace("|", ", ")))


def _check_sources(problems, name, value, allow_any=True):
    if not is_string_list(value):
        problems.add(name, value, "a list of addresses or networks, e.g. ['10.0.0.0/8'] (a YAML list, not a"
                                  " string)")
        return
    bad = [v for v in value if not is_source(v) or (v == "any" and not allow_any)]
    if bad:
        problems.add(name, value, "a list of IP addresses or CIDR networks%s; not valid: %s"
                     % (" or 'any'" if allow_any else "", ", ".join(_show(v) for v in bad)))
    elif "any" in value and len(value) > 1:
        problems.add(name, value, "either ['any'] or a list of addresses and networks, not both")


def settings_problems(settings, host, controller_file=None):
    """Everything wrong with one host's settings (the role's public variables as they apply to that host).
    controller_file: a function telling whether a path is a file on the controller (zookeeper_local_tarball and
    its .sha512 are copied from there); None skips that check."""
    p = Problems(host)
    s = settings

    version = s.get("zookeeper_version")
    match = _VERSION.match(str(version)) if isinstance(version, str) else None
    if not match:
        p.add("zookeeper_version", version, "a release number X.Y.Z, quoted in YAML (e.g. '3.9.3')")
    elif tuple(int(x) for x in match.groups()) < (3, 5, 0):
        p.add("zookeeper_version", version, "3.5.0 or later (the role writes the AdminServer and 4lw whitelist"
                                            " settings that 3.5 introduced)")
    sha = s.get("zookeeper_sha512")
    if not isinstance(sha, str) or (sha and not re.match(r"^[0-9a-fA-F]{128}$", sha)):
        p.add("zookeeper_sha512", sha, "empty (read <tarball>.sha512) or 128 hex digits")
    tarball = s.get("zookeeper_local_tarball")
    if not isinstance(tarball, str) or (tarball and not (tarball.startswith("/") and _SAFE_PATH.match(tarball))):
        p.add("zookeeper_local_tarball", tarball, "empty, or the absolute path of the tarball on the controller")
    elif tarball and controller_file is not None:
        missing = [f for f in (tarball, tarball + ".sha512") if not controller_file(f)
                   and not (f.endswith(".sha512") and s.get("zookeeper_sha512"))]
        if missing:
            p.add("zookeeper_local_tarball", tarball, "a tarball on the controller with its .sha512 beside it (or"
                                                      " zookeeper_sha512 set); not found: %s" % ", ".join(missing))
    mirror = s.get("zookeeper_mirror")
    if not tarball and (not isinstance(mirror, str) or not _URL.match(mirror)):
        p.add("zookeeper_mirror", mirror, "an http://, https:// or file:// URL without spaces or quotes (or set"
                                          " zookeeper_local_tarball)")
    _int_in(p, "zookeeper_keep_releases", s.get("zookeeper_keep_releases"), 0, 100)

    for name in ("zookeeper_user", "zookeeper_system_group"):
        value = s.get(name)
        if not isinstance(value, str) or not _NAME.match(value):
            p.add(name, value, "an account name: lower-case letters, digits, _ and -, at most 32, starting with a"
                               " letter or _")
        elif value == "root":
            p.add(name, value, "an account of its own for ZooKeeper (the default 'zookeeper'); the server must"
                               " never run as or share root's identity")
    _check_paths(p, s)

    _int_in(p, "zookeeper_tick_time", s.get("zookeeper_tick_time"), 1, 60000, " milliseconds")
    _int_in(p, "zookeeper_init_limit", s.get("zookeeper_init_limit"), 1, 10000, " ticks")
    _int_in(p, "zookeeper_sync_limit", s.get("zookeeper_sync_limit"), 1, 10000, " ticks")
    _int_in(p, "zookeeper_max_client_cnxns", s.get("zookeeper_max_client_cnxns"), 0, 1000000, " (0: no limit)")
    retain = s.get("zookeeper_autopurge_snap_retain_count")
    if not is_int(retain) or not 3 <= int(retain) <= 100000:
        p.add("zookeeper_autopurge_snap_retain_count", retain, "a whole number of 3 or more (ZooKeeper keeps at"
                                                               " least 3 snapshots)")
    _int_in(p, "zookeeper_autopurge_purge_interval", s.get("zookeeper_autopurge_purge_interval"), 0, 8760,
            " hours (0: autopurge off)")

    ports = {}
    for name in ("zookeeper_client_port", "zookeeper_quorum_port", "zookeeper_election_port",
                 "zookeeper_admin_server_port", "zookeeper_metrics_port", "zookeeper_firewall_ssh_port",
                 "zookeeper_secure_client_port"):
        port = _int_in(p, name, s.get(name), 1, 65535)
        if port is not None:
            ports[name] = port
    for name in ("zookeeper_quorum_listen_on_all_ips", "zookeeper_admin_server_enabled", "zookeeper_metrics_enabled",
                 "zookeeper_allow_even_voters", "zookeeper_client_tls", "zookeeper_quorum_tls",
                 "zookeeper_quorum_sasl", "zookeeper_client_sasl", "zookeeper_client_sasl_enforce",
                 "zookeeper_client_plaintext", "zookeeper_reconfig_enabled", "zookeeper_leave",
                 "zookeeper_roll_leader_handoff"):
        if not is_bool(s.get(name)):
            p.add(name, s.get(name), "true or false (a YAML boolean; on the command line -e '{\"%s\": false}')"
                  % name)
    listening = ["zookeeper_client_port", "zookeeper_quorum_port", "zookeeper_election_port"]
    if s.get("zookeeper_admin_server_enabled") is True:
        listening.append("zookeeper_admin_server_port")
    if s.get("zookeeper_metrics_enabled") is True:
        listening.append("zookeeper_metrics_port")
    if s.get("zookeeper_client_tls") is True:
        listening.append("zookeeper_secure_client_port")
    if s.get("zookeeper_client_tls") is True or s.get("zookeeper_quorum_tls") is True:
        _check_tls(p, s, match, controller_file)
    if s.get("zookeeper_client_plaintext") is False and s.get("zookeeper_client_tls") is not True:
        p.add("zookeeper_client_plaintext", False, "true unless zookeeper_client_tls is true (without the plaintext"
                                                   " port, clients need the TLS one)")
    _check_sasl(p, s, match)
    super_shape = s.get("zookeeper_super_password") or {}
    if s.get("zookeeper_reconfig_enabled") is True and s.get("zookeeper_client_plaintext") is False:
        p.add("zookeeper_client_plaintext", False, "true with zookeeper_reconfig_enabled (a server that reconfig adds"
                                                   " names its plaintext client port in ZooKeeper's dynamic"
                                                   " configuration; TLS-only ensembles do not change members yet)")
    if s.get("zookeeper_reconfig_enabled") is True and not super_shape.get("length"):
        p.add("zookeeper_super_password", "(empty)", "a password (Ansible Vault) with zookeeper_reconfig_enabled: only"
                                                     " the super user may change the membership")
    used = {}
    for name in listening:
        if name in ports:
            used.setdefault(ports[name], []).append(name)
    for port, names in sorted(used.items()):
        if len(names) > 1:
            p.say("%s are all %s; every port this server listens on must differ." % (" and ".join(names), port))

    for name in ("zookeeper_client_port_address", "zookeeper_admin_server_address"):
        value = s.get(name)
        if not is_hostname(value):
            p.add(name, value, "an IP address (0.0.0.0 or :: for every address) or a host name")
    address = s.get("zookeeper_server_address")
    if not is_hostname(address):
        p.add("zookeeper_server_address", address, "a host name or IP address other servers and clients reach this"
                                                   " server at (no spaces, no port)")

    whitelist = s.get("zookeeper_4lw_whitelist")
    if not is_string_list(whitelist) or "srvr" not in whitelist or "*" in whitelist \
            or any(w not in FOUR_LETTER_WORDS for w in whitelist):
        p.add("zookeeper_4lw_whitelist", whitelist, "a list that contains srvr (the health gates use it), made of"
                                                    " four-letter words ZooKeeper knows (%s), not '*'"
              % ", ".join(FOUR_LETTER_WORDS))
    _check_extra_config(p, s.get("zookeeper_extra_config"))

    heap = s.get("zookeeper_heap_size")
    size = jvm_size_bytes(heap)
    if size is None:
        p.add("zookeeper_heap_size", heap, "a JVM memory size such as 512m, 2g or 1048576k (a number and k, m, g or"
                                           " t, no spaces, no 'B')")
    elif size < MIN_HEAP:
        p.add("zookeeper_heap_size", heap, "at least 64m (less does not hold a ZooKeeper server)")
    for name in ("zookeeper_jvm_gc_opts", "zookeeper_jvm_extra_opts"):
        opts = s.get(name)
        if not is_string_list(opts):
            p.add(name, opts, "a list of JVM options, e.g. ['-XX:+UseG1GC'] (a YAML list, not a string)")
            continue
        bad = [o for o in opts if not _JVM_OPTION.match(o)]
        if bad:
            p.add(name, opts, "JVM options each starting with '-', without spaces, quotes, backslashes, $, %% or `"
                              " (they are passed through the environment file); not valid: %s"
                  % ", ".join(_show(o) for o in bad))
        heap_opts = [o for o in opts if re.match(r"^-X(mx|ms)|^-XX:(Max|Initial)HeapSize=", o)]
        if heap_opts:
            p.add(name, opts, "no heap size options (%s): set zookeeper_heap_size instead" % ", ".join(heap_opts))
    level = s.get("zookeeper_log_level")
    if not isinstance(level, str) or level.upper() not in LOG_LEVELS:
        p.add("zookeeper_log_level", level, "one of %s" % ", ".join(LOG_LEVELS))
    for name in ("zookeeper_log_max_file_size", "zookeeper_log_total_size_cap"):
        value = s.get(name)
        if isinstance(value, bool) or not _LOGBACK_SIZE.match(str(value)):
            p.add(name, value, "a logback file size such as 100MB, 512KB or 2GB (a number, then KB, MB or GB)")
    _int_in(p, "zookeeper_log_max_history", s.get("zookeeper_log_max_history"), 0, 100000, " files")

    service = s.get("zookeeper_service_name")
    if not isinstance(service, str) or not _UNIT_NAME.match(service) or service.endswith(".service") \
            or "@" in service or len(service) > 200:
        p.add("zookeeper_service_name", service, "a systemd unit name without '.service' (letters, digits and"
                                                 " _ . : -)")
    _int_in(p, "zookeeper_limit_nofile", s.get("zookeeper_limit_nofile"), 1024, 1048576)
    _int_in(p, "zookeeper_stop_timeout", s.get("zookeeper_stop_timeout"), 1, 3600, " seconds")
    _int_in(p, "zookeeper_start_timeout", s.get("zookeeper_start_timeout"), 1, 86400, " seconds")
    _int_in(p, "zookeeper_roll_timeout", s.get("zookeeper_roll_timeout"), 1, 86400, " seconds")
    repair = s.get("zookeeper_roll_repair_hosts")
    if not is_string_list(repair):
        p.add("zookeeper_roll_repair_hosts", repair, "a list of inventory host names (a YAML list, not a string)")

    backend = s.get("zookeeper_firewall_backend")
    if backend not in FIREWALL_BACKENDS:
        p.add("zookeeper_firewall_backend", backend, "one of %s" % ", ".join(FIREWALL_BACKENDS))
    _check_sources(p, "zookeeper_firewall_client_sources", s.get("zookeeper_firewall_client_sources"))
    _check_sources(p, "zookeeper_firewall_admin_sources", s.get("zookeeper_firewall_admin_sources"))
    _check_sources(p, "zookeeper_firewall_metrics_sources", s.get("zookeeper_firewall_metrics_sources"))
    return p.items


TLS_CERTIFICATE_SOURCES = ("collection", "provided")
TLS_CLIENT_AUTH = ("need", "want", "none")


def _check_tls(p, s, version_match, controller_file):
    """The TLS settings, checked when a TLS listener is on. Never shows the store password."""
    if version_match and tuple(int(x) for x in version_match.groups()) < (3, 8, 0):
        p.add("zookeeper_version", s.get("zookeeper_version"), "3.8.0 or later with zookeeper_client_tls or"
              " zookeeper_quorum_tls (the stores' passwords are read from files, ssl.*.passwordPath, since 3.8.0)")
    if s.get("zookeeper_client_tls_auth") not in TLS_CLIENT_AUTH:
        p.add("zookeeper_client_tls_auth", s.get("zookeeper_client_tls_auth"), "one of %s" % ", ".join(TLS_CLIENT_AUTH))
    source = s.get("zookeeper_tls_certificates")
    if source not in TLS_CERTIFICATE_SOURCES:
        p.add("zookeeper_tls_certificates", source, "collection (a CA the role keeps on the controller) or provided"
                                                    " (zookeeper_tls_ca_file, zookeeper_tls_cert_file and"
                                                    " zookeeper_tls_key_file)")
    pki = s.get("zookeeper_tls_pki_dir")
    if not isinstance(pki, str) or not (pki.startswith("/") and _SAFE_PATH.match(pki)) or pki.rstrip("/") == "":
        p.add("zookeeper_tls_pki_dir", pki, "an absolute directory on the controller (not /)")
    _int_in(p, "zookeeper_tls_cert_days", s.get("zookeeper_tls_cert_days"), 1, 3650, " days")
    renew = _int_in(p, "zookeeper_tls_renew_days", s.get("zookeeper_tls_renew_days"), 0, 3650, " days")
    days = s.get("zookeeper_tls_cert_days")
    if renew is not None and is_int(days) and renew >= int(days):
        p.add("zookeeper_tls_renew_days", renew, "fewer days than zookeeper_tls_cert_days (%s), or every run would"
              " reissue the certificates" % days)
    shape = s.get("zookeeper_tls_store_password") or {}
    if shape.get("type") != "str" or (shape.get("length") and (shape["length"] < 6 or not shape.get("jaas_safe"))):
        p.say("zookeeper_tls_store_password (not shown) must be empty (a random password kept in"
              " zookeeper_tls_pki_dir) or a string of at least 6 printable characters on one line, without \" \\"
              " or ; (PKCS12 stores need 6).")
    if source == "provided":
        for name in ("zookeeper_tls_ca_file", "zookeeper_tls_cert_file", "zookeeper_tls_key_file"):
            value = s.get(name)
            if not isinstance(value, str) or not value.startswith("/"):
                p.add(name, value, "the absolute path of a PEM file on the controller (zookeeper_tls_certificates"
                                   " is provided)")
            elif controller_file is not None and not controller_file(value):
                p.add(name, value, "a PEM file on the controller; not found there")


def _secret_ok(p, name, shape, why):
    """A password, seen only through security.secret_shape: set, long enough, fit for the JAAS file."""
    shape = shape if isinstance(shape, dict) else {}
    if shape.get("type") != "str" or shape.get("length", 0) < 8 or not shape.get("jaas_safe"):
        p.say("%s (not shown) must be a string of at least 8 printable characters on one line, without \" \\ or ;"
              " (%s); put it in Ansible Vault." % (name, why))
        return False
    return True


def _check_sasl(p, s, version_match):
    """Quorum and client SASL (DIGEST-MD5) and the super user. Passwords arrive as shapes, never as values."""
    version = tuple(int(x) for x in version_match.groups()) if version_match else None
    if s.get("zookeeper_quorum_sasl") is True:
        user = s.get("zookeeper_quorum_sasl_user")
        if not isinstance(user, str) or not _SASL_USER.match(user):
            p.add("zookeeper_quorum_sasl_user", user, "a SASL user name: a letter, then letters, digits, _ or -"
                                                      " (at most 64)")
        _secret_ok(p, "zookeeper_quorum_sasl_password", s.get("zookeeper_quorum_sasl_password"),
                   "zookeeper_quorum_sasl is on; the same on every server")
    names = []
    if s.get("zookeeper_client_sasl") is True:
        users = s.get("zookeeper_client_sasl_users")
        # A mapping arrives as {name: shape}; anything else as one shape (its type named, never its value).
        mapping = isinstance(users, dict) and all(isinstance(shape, dict) for shape in users.values())
        if not mapping or not users:
            kind = users.get("type") if isinstance(users, dict) else type(users).__name__
            shown = "(%d users)" % len(users) if mapping else "a %s" % kind
            p.add("zookeeper_client_sasl_users", shown, "a mapping of SASL user names to their passwords, at least one"
                                                        " (the applications that connect; zookeeper_client_sasl is on)")
        else:
            for name, shape in sorted(users.items(), key=lambda kv: str(kv[0])):
                if not isinstance(name, str) or not _SASL_USER.match(name):
                    p.add("zookeeper_client_sasl_users", name, "user names made of a letter, then letters, digits,"
                                                               " _ or - (at most 64)")
                    continue
                names.append(name)
                _secret_ok(p, "the password of %s in zookeeper_client_sasl_users" % name, shape, "a client's")
        if s.get("zookeeper_client_sasl_enforce") is True and version and version < (3, 7, 0):
            p.add("zookeeper_version", s.get("zookeeper_version"), "3.7.0 or later with zookeeper_client_sasl_enforce"
                  " (enforce.auth.enabled came in 3.7.0)")
    super_shape = s.get("zookeeper_super_password") or {}
    if super_shape.get("type") != "str" or super_shape.get("length"):
        user = s.get("zookeeper_super_user")
        if not isinstance(user, str) or not _SASL_USER.match(user):
            p.add("zookeeper_super_user", user, "a user name: a letter, then letters, digits, _ or - (at most 64)")
        elif user in names:
            p.add("zookeeper_super_user", user, "a name none of zookeeper_client_sasl_users has (the super user is"
                                                " one more SASL user when client SASL is on)")
        _secret_ok(p, "zookeeper_super_password", super_shape, "or empty for no super user")


def subject_alt_names(names):
    """subjectAltName entries for a certificate: IP:<address> for IP addresses, DNS:<name> for the rest."""
    return ["%s:%s" % ("IP" if is_ip(str(n)) else "DNS", n) for n in names if str(n)]


# Settings every member must agree on (the quorum's protocol); zookeeper_servers carries each member's.
QUORUM_AGREED = ("zookeeper_quorum_tls", "zookeeper_quorum_sasl", "zookeeper_quorum_sasl_user",
                 "zookeeper_reconfig_enabled")


def member_problems(servers, host, settings):
    """What concerns this host's place in the ensemble: that it is a member, and that it uses the same ports
    as every other member (the server.N lines and the health gates assume it). `settings` are this host's."""
    p = Problems(host)
    group = settings.get("zookeeper_ensemble_group")
    if host not in [s["host"] for s in servers]:
        p.say("it is not in the inventory group %s (zookeeper_ensemble_group), which lists the ensemble's"
              " servers." % _show(group))
    mine_quorum = dict((k, settings.get(k)) for k in QUORUM_AGREED)
    mine_quorum["quorum_sasl_fingerprint"] = (settings.get("zookeeper_quorum_sasl_password") or {}).get("fingerprint")
    for server in servers:
        if server["host"] == host:
            continue
        for name, mine in sorted(mine_quorum.items()):
            theirs = server.get(name)
            if theirs is not None and mine is not None and theirs != mine:
                secret = name == "quorum_sasl_fingerprint"
                shown = "another password" if secret else "%s here but %s there" % (_show(mine), _show(theirs))
                variable = "zookeeper_quorum_sasl_password" if secret else name
                p.say("%s differs from %s (%s); every member must agree on how servers talk to each other, or"
                      " they do not form one quorum." % (variable, server["host"], shown))
        for name in ("zookeeper_client_port", "zookeeper_quorum_port", "zookeeper_election_port"):
            theirs, mine = server.get(name), settings.get(name)
            if theirs is not None and mine is not None and str(theirs) != str(mine):
                p.say("%s is %s here but %s on %s; every member must use the same %s (the server.N lines and"
                      " the health gates assume it)." % (name, _show(mine), _show(theirs), server["host"], name))
    return p.items


def ensemble_problems(servers, settings, firewall=True):
    """What is wrong with the ensemble as a whole: every member's id, role and addresses, duplicates, the
    number of voters. `servers` as zookeeper_servers() builds them; problems name the member they concern.
    firewall: whether this play may write firewall rules (it needs every member's firewall address then)."""
    group = settings.get("zookeeper_ensemble_group")
    problems = []
    if not servers:
        return ["The inventory group %s (zookeeper_ensemble_group) has no hosts; it must list the ensemble's"
                " servers." % _show(group)]
    leaving = [s["host"] for s in servers if s.get("leave")]
    servers = [s for s in servers if not s.get("leave")]
    if not servers:
        return ["Every host of %s is marked zookeeper_leave (%s); an ensemble needs servers that stay. Retire an"
                " ensemble by stopping its servers, not through membership changes." % (_show(group), ", ".join(leaving))]
    by_id, by_address = {}, {}
    for server in servers:
        p = Problems(server["host"])
        sid = server["id"]
        if sid is None:
            p.say("zookeeper_id is missing; every host in %s needs its own zookeeper_id, a whole number from 1 to"
                  " 255, set in the inventory." % _show(group))
        elif not is_int(sid) or not 1 <= int(sid) <= 255:
            p.add("zookeeper_id", sid, "a whole number from 1 to 255, unique in %s" % _show(group))
        else:
            by_id.setdefault(int(sid), []).append(server["host"])
        if server["role"] not in ROLES:
            p.add("zookeeper_role", server["role"], "participant or observer")
        if not is_hostname(server["address"]):
            p.add("zookeeper_server_address", server["address"], "a host name or IP address (no spaces, no port)")
        else:
            by_address.setdefault(str(server["address"]).lower(), []).append(server["host"])
        if firewall and settings.get("zookeeper_firewall_backend") not in (None, "none"):
            fw = server.get("firewall_address")
            if not isinstance(fw, str) or not is_source(fw) or fw == "any":
                p.add("zookeeper_firewall_address", fw, "the IP address this member's traffic comes from, as the"
                                                        " other members' firewalls see it: set it in the"
                                                        " inventory, or include the host in the play so that"
                                                        " its facts are gathered")
        problems.extend(p.items)
    for sid, hosts in sorted(by_id.items()):
        if len(hosts) > 1:
            problems.append("zookeeper_id must be unique in %s: id %d is set on %s."
                            % (_show(group), sid, " and ".join(hosts)))
    for address, hosts in sorted(by_address.items()):
        if len(hosts) > 1:
            problems.append("zookeeper_server_address must differ between members: %s is the address of %s."
                            % (address, " and ".join(hosts)))
    voters = [s["host"] for s in servers if s["role"] == "participant"]
    if voters and len(voters) % 2 == 0 and settings.get("zookeeper_allow_even_voters") is not True:
        problems.append("%s has %d voters (%s). An even number tolerates no more failures than one fewer; add or"
                        " remove a voter, make one an observer (zookeeper_role: observer), or set"
                        " zookeeper_allow_even_voters: true." % (_show(group), len(voters), ", ".join(voters)))
    members = [s["host"] for s in servers]
    repair = settings.get("zookeeper_roll_repair_hosts")
    if is_string_list(repair):
        for name in sorted(set(repair) & set(leaving)):
            problems.append("zookeeper_roll_repair_hosts names %s, which is marked zookeeper_leave: a server that"
                            " leaves is removed and stopped, not repaired." % name)
        strangers = [r for r in repair if r not in members and r not in leaving]
        if strangers:
            problems.append("zookeeper_roll_repair_hosts names %s, not in %s; expected inventory host names of the"
                            " ensemble (%s)." % (", ".join(strangers), _show(group), ", ".join(members)))
    return problems


def zookeeper_servers(members, hostvars, fallback, checks_tls=False):
    """The ensemble from the inventory: each member's id, role, addresses and ports. Role defaults are not
    visible through hostvars, so `fallback` gives the values of the host asking (role defaults included).
    client is the address health checks use: the TLS client port's (secure_client) when checks_tls."""
    servers = []
    for name in members:
        hv = hostvars[name]
        address = hv.get("zookeeper_server_address", hv.get("ansible_host", name))
        facts = hv.get("ansible_facts") or {}
        default_ipv4 = (facts.get("default_ipv4") or {}).get("address")
        server = dict(
            host=name,
            id=hv.get("zookeeper_id"),
            role=hv.get("zookeeper_role", "participant"),
            address=address,
            firewall_address=hv.get("zookeeper_firewall_address", default_ipv4 or address),
            leave=hv.get("zookeeper_leave") is True,
        )
        for port in ("zookeeper_client_port", "zookeeper_quorum_port", "zookeeper_election_port"):
            server[port] = hv.get(port, fallback.get(port))
        for name in QUORUM_AGREED:
            server[name] = hv.get(name, fallback.get(name))
        password = hv.get("zookeeper_quorum_sasl_password")
        server["quorum_sasl_fingerprint"] = (secret_shape(password) if isinstance(password, str) else
                                             fallback.get("zookeeper_quorum_sasl_password") or {}).get("fingerprint")
        if isinstance(address, str):
            server["client"] = join_host_port(address, server["zookeeper_client_port"])
            server["secure_client"] = join_host_port(address, hv.get("zookeeper_secure_client_port", fallback.get(
                "zookeeper_secure_client_port", 2281)))
            if checks_tls:
                server["client"] = server["secure_client"]
            server["quorum"] = "%s:%s" % (join_host_port(address, server["zookeeper_quorum_port"]),
                                          server["zookeeper_election_port"])
            # The server line zoo.cfg carries (templates/zoo.cfg.j2) and the running ensemble is compared with.
            server["spec"] = "server.%s=%s%s" % (server["id"], server["quorum"],
                                                 ":observer" if server["role"] == "observer" else "")
            # The same with its role and client address, as reconfig takes it.
            server["dynamic_spec"] = "server.%s=%s:%s;%s" % (
                server["id"], server["quorum"], server["role"],
                join_host_port(hv.get("zookeeper_client_port_address",
                                      fallback.get("zookeeper_client_port_address", "0.0.0.0")),
                               server["zookeeper_client_port"]))
        servers.append(server)
    return servers


def _owner_is(entry, names):
    return entry.get("owner") in names


def host_problems(settings, state, host):
    """What this host already holds that the settings would damage: an existing account, group, unit or
    directory that is not this service's. `state` is what zookeeper_host_info read on the host."""
    p = Problems(host)
    s = settings
    user, group = s.get("zookeeper_user"), s.get("zookeeper_system_group")
    account = state.get("account") or {}
    sys_max = state.get("sys_uid_max", 999)
    if account.get("exists"):
        ours = account.get("comment") == ACCOUNT_COMMENT or account.get("home") == s.get("zookeeper_data_dir")
        login = account.get("shell") not in ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false")
        if account.get("uid") == 0 or account.get("uid", 0) > sys_max or login or not ours:
            p.add("zookeeper_user", user, "a new account name (the role creates it as a system account without"
                                          " login), or an account this role created earlier. The existing account"
                                          " %s (uid %s, home %s, shell %s) is not a ZooKeeper service account, and"
                                          " the role would modify it"
                  % (user, account.get("uid"), account.get("home"), account.get("shell")))
    group_entry = state.get("group") or {}
    if group_entry.get("exists") and (group_entry.get("gid") == 0 or group_entry.get("gid", 0) > sys_max):
        p.add("zookeeper_system_group", group, "a group of its own for ZooKeeper (the role creates it); the existing"
                                               " group %s (gid %s) is not a system group for this service"
              % (group, group_entry.get("gid")))
    unit = state.get("service") or {}
    if unit.get("fragment_path") and not unit.get("ours"):
        p.add("zookeeper_service_name", s.get("zookeeper_service_name"),
              "a unit name no other service uses: %s is already defined by %s, which this role did not write"
              % (s.get("zookeeper_service_name"), unit["fragment_path"]))
    owners = {
        "zookeeper_install_root": ("root",),
        "zookeeper_conf_dir": ("root",),
        "zookeeper_data_dir": (user,),
        "zookeeper_data_log_dir": (user,),
        "zookeeper_log_dir": (user,),
    }
    paths = state.get("paths") or {}
    seen = set()
    for name, allowed in owners.items():
        entry = paths.get(s.get(name))
        if s.get(name) in seen:
            continue
        seen.add(s.get(name))
        if not entry or not entry.get("exists"):
            continue
        if not entry.get("is_dir"):
            p.add(name, s.get(name), "a directory; %s exists and is not one" % s.get(name))
            continue
        ours = _owner_is(entry, allowed)
        if name == "zookeeper_conf_dir":
            ours = ours and entry.get("group") == group
        if name == "zookeeper_install_root":
            ours = ours and entry.get("marked")
        if not ours and not entry.get("empty"):
            p.add(name, s.get(name), "a directory this role creates, or an empty one it may take over: %s exists,"
                                     " is not empty and is owned by %s:%s (mode %s). The role never changes the"
                                     " owner or mode of a directory it did not create: point %s at a new"
                                     " directory, or move the content away"
                  % (s.get(name), entry.get("owner"), entry.get("group"), entry.get("mode"), name))
    return p.items


def firewall_rules(servers, host, settings, keep=()):
    """The (port, source) pairs this host's firewall allows: the client port to the client sources and to the
    other members (their gates use it; no rule of their own when the client port is open to any), the TLS client
    port likewise when it is on, the quorum and election ports to the other members only, the
    AdminServer and metrics ports to their own sources when enabled. Source 'any' means from anywhere.
    Hosts marked zookeeper_leave are not members, except those named in keep: reconfig has not removed them yet."""
    s = settings
    peers = []
    for server in servers:
        if server.get("leave") and server["host"] not in keep:
            continue
        if server["host"] != host and server["firewall_address"] not in peers:
            peers.append(server["firewall_address"])
    rules = []

    def allow(port, sources):
        for source in sources:
            if [int(port), source] not in rules:
                rules.append([int(port), source])
    clients = list(s["zookeeper_firewall_client_sources"])
    # TLS-only clients: the plaintext port stays open to the members alone, for the health checks of the rolls that
    # take it away (nothing listens there once they are done); clients are shut out at once.
    plaintext = s.get("zookeeper_client_plaintext") is not False
    allow(s["zookeeper_client_port"], (clients if "any" in clients else clients + peers) if plaintext else peers)
    if s.get("zookeeper_client_tls") is True:
        allow(s["zookeeper_secure_client_port"], clients if "any" in clients else clients + peers)
    allow(s["zookeeper_quorum_port"], peers)
    allow(s["zookeeper_election_port"], peers)
    if s["zookeeper_admin_server_enabled"]:
        allow(s["zookeeper_admin_server_port"], s["zookeeper_firewall_admin_sources"])
    if s["zookeeper_metrics_enabled"]:
        allow(s["zookeeper_metrics_port"], s["zookeeper_firewall_metrics_sources"])
    return rules


def java_problems(settings, host):
    """The java role's variables: java_install a boolean, java_home a plain absolute path (required when Java is
    not installed by the role), java_package a package name, java_min_version a Java feature release."""
    p = Problems(host)
    s = settings
    if not is_bool(s.get("java_install")):
        p.add("java_install", s.get("java_install"), "true or false (a YAML boolean)")
    home = s.get("java_home")
    if home not in ("", None):
        _check_path(p, "java_home", home)
    elif s.get("java_install") is False:
        p.add("java_home", home, "the absolute path of an existing JVM when java_install is false")
    package = s.get("java_package")
    if not isinstance(package, str) or (package and not re.match(r"^[a-z0-9][a-z0-9+.-]+$", package)):
        p.add("java_package", package, "empty (the distribution's default) or one package name, e.g."
                                       " openjdk-17-jre-headless")
    _int_in(p, "java_min_version", s.get("java_min_version"), 8, 99)
    return p.items
