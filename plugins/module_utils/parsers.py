# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""What ZooKeeper servers say, parsed: the four-letter words' and the AdminServer's answers, and server
addresses. Pure functions, no I/O; unit-tested against output captured from real servers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

NOT_SERVING = "This ZooKeeper instance is not currently serving requests"
NOT_WHITELISTED = "is not executed because it is not in the whitelist"
MODES = ("leader", "follower", "observer", "standalone", "read-only")


def split_server(server, default_port=2181):
    """'host:port', 'host' or '[v6]:port' -> (host, port)."""
    server = server.strip()
    match = re.match(r"^\[(?P<v6>[^\]]+)\](?::(?P<port6>\d+))?$", server)
    if match:
        return match.group("v6"), int(match.group("port6") or default_port)
    host, sep, port = server.rpartition(":")
    if sep and host and ":" not in host and port.isdigit():
        return host, int(port)
    return server, default_port


def server_key(server):
    """A server as every result names it, "host:port", whichever way it was written."""
    return "%s:%s" % split_server(server)


def parse_zxid(value):
    """'0x100000002' -> dict(hex=..., int=..., epoch=..., counter=...)."""
    number = int(value, 16) if value.lower().startswith("0x") else int(value)
    return {"hex": "0x%x" % number, "int": number, "epoch": number >> 32, "counter": number & 0xFFFFFFFF}


def parse_srvr(text):
    """Parse the answer to 'srvr'. Returns a dict; `mode` is 'not_serving' when the server says so."""
    if NOT_SERVING in text:
        return {"serving": False, "mode": "not_serving", "raw": {}}
    raw = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            raw[key.strip()] = value.strip()
    mode = raw.get("Mode")
    if mode not in MODES:
        raise ValueError("no known Mode in the answer to 'srvr': %r" % text[:200])
    result = {"serving": True, "mode": mode, "raw": raw}
    if "Zookeeper version" in raw:
        version = raw["Zookeeper version"]
        result["version"] = version.split("-", 1)[0].split(",", 1)[0].strip()
        result["version_full"] = version
    if "Latency min/avg/max" in raw:
        parts = raw["Latency min/avg/max"].split("/")
        if len(parts) == 3:
            result["latency"] = dict(zip(("min", "avg", "max"), (float(p) for p in parts)))
    for key, name in (("Received", "packets_received"), ("Sent", "packets_sent"),
                      ("Connections", "connections"), ("Outstanding", "outstanding_requests"),
                      ("Node count", "znode_count")):
        if raw.get(key, "").lstrip("-").isdigit():
            result[name] = int(raw[key])
    if "Zxid" in raw:
        result["zxid"] = parse_zxid(raw["Zxid"])
    return result


def parse_mntr(text):
    """Parse the answer to 'mntr': 'zk_key<TAB>value' lines. Numbers become int or float (the Prometheus
    metrics provider reports floats such as '2.0'); the 'zk_' prefix is dropped so keys match the AdminServer's."""
    if NOT_SERVING in text:
        return None
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("\t")
        if not sep:
            key, sep, value = line.partition(" ")
        if sep and key.startswith("zk_"):
            values[key[3:]] = _number(value.strip())
    if not values:
        raise ValueError("no zk_* keys in the answer to 'mntr': %r" % text[:200])
    return values


def parse_conf(text):
    """Parse the answer to 'conf' (key=value lines) into a dict of strings."""
    if NOT_SERVING in text:
        return None
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


def _number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        pass
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


# Normalized names of the details read from mntr (4lw) or the AdminServer's monitor command.
_MONITOR_KEYS = {
    "peer_state": "peer_state",
    "synced_followers": "synced_followers",
    "synced_non_voting_followers": "synced_non_voting_followers",
    "synced_observers": "synced_observers",
    "pending_syncs": "pending_syncs",
    "learners": "learners",
    "followers": "learners",  # 3.5 calls them followers
    "quorum_size": "quorum_size",
    "num_alive_connections": "connections",
    "outstanding_requests": "outstanding_requests",
    "znode_count": "znode_count",
}
LEADER_ONLY = ("synced_followers", "synced_non_voting_followers", "synced_observers", "pending_syncs", "learners")


def apply_monitor(info, monitor):
    for source, name in _MONITOR_KEYS.items():
        if source in monitor and info.get(name) is None:
            info[name] = _number(monitor[source])
    if "server_state" in monitor and info.get("mode") in (None, "unknown"):
        info["mode"] = monitor["server_state"]
    if info.get("version") is None and monitor.get("version"):
        info["version"] = str(monitor["version"]).split("-", 1)[0].split(",", 1)[0].strip()
        info["version_full"] = monitor["version"]
    if "latency" not in info and "avg_latency" in monitor:
        info["latency"] = {k: _number(monitor.get(k + "_latency")) for k in ("min", "avg", "max")}
    if "zxid" not in info and monitor.get("last_zxid") not in (None, ""):
        info["zxid"] = parse_zxid(str(monitor["last_zxid"]))


def parse_properties(text, keys=None):
    """Key/value pairs of a Java properties file such as zoo.cfg ('key=value' or 'key: value'; '#' and '!' start
    comments; the last value of a key wins, as for ZooKeeper). keys: only those, when given."""
    values = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        match = re.match(r"^([^=:\s]+)\s*[=:]\s*(.*)$", line)
        if match and (keys is None or match.group(1) in keys):
            values[match.group(1)] = match.group(2).strip()
    return values


# Keys of zoo.cfg that ZooKeeper itself rewrites once it runs with dynamic reconfiguration: it moves the server
# lines (and hierarchical-quorum groups and weights) into a dynamic file of its own, points dynamicConfigFile at
# the newest, drops peerType, and drops clientPort/clientPortAddress when a server's own spec carries its client
# address. Rewriting the file in its own order without comments, too.
ZOOKEEPER_OWNED_PREFIXES = ("server.", "group.", "weight.")
ZOOKEEPER_OWNED_KEYS = ("dynamicConfigFile", "peerType")
CLIENT_ADDRESS_KEYS = ("clientPort", "clientPortAddress")


def properties_fingerprint(text):
    """{key: short SHA-1 of the value} of a properties file: enough to tell which settings differ, without
    carrying values (zoo.cfg can hold the super user's digest) in a module's result."""
    return dict((key, hashlib.sha1(value.encode("utf-8")).hexdigest()[:16])
                for key, value in parse_properties(text).items())


def static_settings_differ(host_fingerprint, text):
    """Whether the settings of zoo.cfg `text` (rendered by the role) differ from the host's (its fingerprint),
    leaving out what ZooKeeper owns in a dynamically configured server (see ZOOKEEPER_OWNED_*): clientPort and
    clientPortAddress count only while the host's file still has them."""
    wanted = properties_fingerprint(text)

    def _owned(key):
        return key.startswith(ZOOKEEPER_OWNED_PREFIXES) or key in ZOOKEEPER_OWNED_KEYS

    on_host = dict((k, v) for k, v in host_fingerprint.items() if not _owned(k))
    rendered = dict((k, v) for k, v in wanted.items()
                    if not _owned(k) and not (k in CLIENT_ADDRESS_KEYS and k not in host_fingerprint))
    return on_host != rendered
