# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""A small ZooKeeper client for modules: four-letter words over the client port, and pure parsers.

Managed nodes need nothing beyond the Python standard library.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import socket
import time

from urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url

NOT_SERVING = "This ZooKeeper instance is not currently serving requests"
NOT_WHITELISTED = "is not executed because it is not in the whitelist"
MODES = ("leader", "follower", "observer", "standalone", "read-only")

# Options shared by every module that talks to servers (see doc_fragments/connection.py).
CONNECTION_ARGUMENT_SPEC = dict(
    servers=dict(type="list", elements="str", default=["127.0.0.1:2181"]),
    connect_timeout=dict(type="float", default=2.0),
    method=dict(type="str", choices=["auto", "admin", "fourlw"], default="auto"),
    admin_port=dict(type="int", default=8080),
    admin_host=dict(type="str"),
    admin_tls=dict(type="bool", default=False),
    admin_validate_certs=dict(type="bool", default=True),
    admin_ca_path=dict(type="path"),
)


class ZooKeeperError(Exception):
    """A failure talking to one server, with a message an operator can act on."""


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


def four_letter_word(host, port, word, timeout):
    """Send a four-letter word and return the whole answer (the server closes the connection when done)."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.timeout:
        raise ZooKeeperError("%s:%s: connection timed out after %ss" % (host, port, timeout))
    except (OSError, socket.error) as exc:
        raise ZooKeeperError("%s:%s: cannot connect (%s)" % (host, port, getattr(exc, "strerror", None) or exc))
    chunks = []
    try:
        sock.settimeout(timeout)
        sock.sendall(word.encode("ascii"))
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except socket.timeout:
        raise ZooKeeperError("%s:%s: no complete answer to '%s' within %ss" % (host, port, word, timeout))
    except (OSError, socket.error) as exc:
        if not chunks:
            raise ZooKeeperError("%s:%s: connection lost while asking '%s' (%s)" % (host, port, word, exc))
    finally:
        sock.close()
    answer = b"".join(chunks).decode("utf-8", "replace")
    if not answer:
        raise ZooKeeperError("%s:%s: closed the connection without answering '%s'" % (host, port, word))
    if NOT_WHITELISTED in answer:
        raise ZooKeeperError("%s:%s: '%s' is not in the server's 4lw.commands.whitelist" % (host, port, word))
    return answer


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
_LEADER_ONLY = ("synced_followers", "synced_non_voting_followers", "synced_observers", "pending_syncs", "learners")


def _apply_monitor(info, monitor):
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


def admin_command(host, port, command, timeout, tls=False, validate_certs=True, ca_path=None):
    """GET /commands/<command> from the AdminServer and return the decoded JSON object."""
    url = "%s://%s:%s/commands/%s" % ("https" if tls else "http", _url_host(host), port, command)
    try:
        # Straight to the server: an HTTP proxy from the environment has no business between us and an
        # AdminServer on the ensemble's own network (or loopback).
        response = open_url(url, headers={"Accept": "application/json"}, timeout=timeout, use_proxy=False,
                            validate_certs=validate_certs, ca_path=ca_path, follow_redirects="none")
        body = response.read()
    except HTTPError as exc:
        raise ZooKeeperError("%s: HTTP %s %s" % (url, exc.code, exc.reason))
    except URLError as exc:
        raise ZooKeeperError("%s: cannot connect (%s)" % (url, exc.reason))
    except UrlsConnectionError as exc:  # TLS validation failures among them
        raise ZooKeeperError("%s: cannot connect (%s)" % (url, exc))
    except socket.timeout:
        raise ZooKeeperError("%s: no answer within %ss" % (url, timeout))
    except (OSError, socket.error, ValueError) as exc:
        raise ZooKeeperError("%s: %s" % (url, exc))
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        raise ZooKeeperError("%s: answered something that is not JSON: %r" % (url, body[:200]))
    if not isinstance(data, dict):
        raise ZooKeeperError("%s: answered JSON that is not an object: %r" % (url, body[:200]))
    return data


def _url_host(host):
    return "[%s]" % host if ":" in host else host


def _base_info(server):
    host, port = split_server(server)
    return host, port, {
        "server": "%s:%s" % (host, port), "reachable": False, "serving": False, "mode": "unreachable",
        "server_id": None, "version": None, "peer_state": None, "method": None, "raw": {}, "missing": [],
    }


def _fourlw_info(info, host, port, timeout):
    """srvr, then mntr and conf when whitelisted. Raises ZooKeeperError only if the server cannot be reached."""
    try:
        _srvr_info(info, host, port, timeout)
    except ZooKeeperError as exc:
        if "whitelist" not in str(exc):
            raise
        info.update(reachable=True, method="fourlw", mode="unknown")
        info["missing"].append("srvr: %s" % _reason(str(exc), info["server"]))
        return info
    if info.get("error"):
        return info
    if not info["serving"]:
        info["missing"].append("details: the server is not serving requests")
        return info
    for word, parser in (("mntr", parse_mntr), ("conf", parse_conf)):
        try:
            parsed = parser(four_letter_word(host, port, word, timeout))
        except ZooKeeperError as exc:
            info["missing"].append("%s: %s" % (word, _reason(str(exc), info["server"])))
            continue
        except ValueError as exc:
            info["missing"].append("%s: %s" % (word, exc))
            continue
        if parsed is None:
            info["missing"].append("%s: the server stopped serving requests" % word)
            continue
        info["raw"][word] = parsed
        if word == "mntr":
            _apply_monitor(info, parsed)
        elif parsed.get("serverId", "").isdigit():
            info["server_id"] = int(parsed["serverId"])
    return info


def _admin_info(info, host, params):
    """AdminServer commands srvr, monitor and conf. Raises ZooKeeperError if the AdminServer cannot be reached.

    srvr comes first: a server that is not serving answers it with HTTP 200 and an `error` field, while monitor
    fails with HTTP 500 on 3.9 in that state."""
    admin_host = params.get("admin_host") or host
    options = dict(timeout=params["connect_timeout"], tls=params.get("admin_tls", False),
                   validate_certs=params.get("admin_validate_certs", True), ca_path=params.get("admin_ca_path"))
    port = params.get("admin_port") or 8080
    srvr = admin_command(admin_host, port, "srvr", **options)
    info.update(reachable=True, method="admin")
    info["raw"] = {"srvr": srvr}
    if srvr.get("error"):
        info.update(mode="not_serving", serving=False)
        if NOT_SERVING not in str(srvr["error"]):
            info["error"] = "%s: AdminServer answered: %s" % (info["server"], srvr["error"])
        info["missing"].append("details: the server is not serving requests")
        return info
    stats = srvr.get("server_stats", {})
    if stats.get("server_state"):
        info["mode"] = stats["server_state"]
    if "last_processed_zxid" in stats:
        info["zxid"] = parse_zxid(str(stats["last_processed_zxid"]))
    if "node_count" in srvr:
        info["znode_count"] = srvr["node_count"]
    for command in ("monitor", "conf"):
        try:
            answer = admin_command(admin_host, port, command, **options)
        except ZooKeeperError as exc:
            info["missing"].append("%s: %s" % (command, exc))
            continue
        if answer.get("error"):
            info["missing"].append("%s: %s" % (command, answer["error"]))
            continue
        info["raw"][command] = answer
        if command == "monitor":
            _apply_monitor(info, answer)
        elif str(answer.get("server_id", "")).isdigit():
            info["server_id"] = int(answer["server_id"])
    _apply_monitor(info, stats)
    info["serving"] = info["mode"] in MODES
    return info


def _reason(message, server):
    return message[len(server) + 2:] if message.startswith(server + ": ") else message


# AdminServers that did not answer during this module run (auto method), with the reason.
_ADMIN_UNREACHABLE = {}


def server_info(server, params, details=True):
    """Everything one server says of itself. params: connect_timeout, method and the admin_* options.

    auto asks the four-letter words first (one cheap connection each) and turns to the AdminServer only for what
    they could not tell (a word missing from the whitelist); admin and fourlw use one way only. details=False
    asks 'srvr' alone, cheap enough to poll. Never raises: what could not be read is listed in `missing`,
    failures in `error`."""
    host, port, info = _base_info(server)
    method = params.get("method") or "auto"
    if not details:
        try:
            _srvr_info(info, host, port, params["connect_timeout"])
        except ZooKeeperError as exc:
            info["error"] = str(exc)
        return _finish(info)
    if method == "admin":
        try:
            _admin_info(info, host, params)
        except ZooKeeperError as exc:
            info["error"] = str(exc)
        return _finish(info)
    try:
        _fourlw_info(info, host, port, params["connect_timeout"])
    except ZooKeeperError as exc:
        info["error"] = str(exc)
        return _finish(info)
    lacking = [m for m in info["missing"] if "whitelist" in m] or (info.get("error") and info["reachable"])
    if method == "auto" and lacking:
        admin_key = (params.get("admin_host") or host, params.get("admin_port"))
        if admin_key in _ADMIN_UNREACHABLE:
            info["missing"].append("admin: %s" % _ADMIN_UNREACHABLE[admin_key])
        else:
            by_admin = _base_info(server)[2]
            try:
                _admin_info(by_admin, host, params)
            except ZooKeeperError as exc:
                # Polling: do not pay a connection timeout to an AdminServer that did not answer once.
                _ADMIN_UNREACHABLE[admin_key] = str(exc)
                info["missing"].append("admin: %s" % exc)
            else:
                by_admin["missing"] = [m for m in info["missing"] if "whitelist" not in m] + by_admin["missing"]
                info = by_admin
    return _finish(info)


def _srvr_info(info, host, port, timeout):
    answer = four_letter_word(host, port, "srvr", timeout)
    info.update(reachable=True, method="fourlw")
    try:
        info.update(parse_srvr(answer))
        info["raw"] = {"srvr": info["raw"]}
    except ValueError as exc:
        info.update(mode="not_serving", error="%s: %s" % (info["server"], exc), raw={"srvr": answer[:500]})
    return info


def _finish(info):
    """Leader-only details exist (None when unknown) on the leader, and not at all on other servers."""
    for key in _LEADER_ONLY:
        if info["mode"] == "leader":
            info.setdefault(key, None)
        else:
            info.pop(key, None)
    return info


def ensemble_summary(infos, expected_voters=None, expected_observers=None):
    """Judge the ensemble from what each server said. `problems` are sentences an operator can act on;
    `healthy` holds when there are none, mixed versions excepted (a roll passes through them)."""
    problems = []
    leaders = [i for i in infos if i["mode"] == "leader"]
    voters_serving = [i for i in infos if i["mode"] in ("leader", "follower")]
    observers = [i for i in infos if i["mode"] == "observer"]
    for info in infos:
        if not info["serving"]:
            detail = info.get("error") or info["mode"].replace("_", " ")
            problems.append("%s is not serving requests (%s)" % (info["server"], detail))
        elif info["mode"] == "standalone":
            problems.append("%s runs standalone, outside any ensemble" % info["server"])
        elif info["mode"] == "read-only":
            problems.append("%s is read-only: it cannot see a quorum" % info["server"])
    if len(leaders) > 1:
        names = ", ".join(i["server"] for i in leaders)
        problems.append("%s servers report leader: %s" % (_count_word(len(leaders)), names))
    elif not leaders and any(i["serving"] for i in infos):
        problems.append("no server reports leader")

    leader = leaders[0] if len(leaders) == 1 else None
    configured = expected_voters
    if configured is None and leader is not None and isinstance(leader.get("quorum_size"), int):
        configured = leader["quorum_size"]
    if configured is None:
        configured = len([i for i in infos if i["mode"] != "observer"])
    if leader is not None:
        name = leader["server"]
        synced = leader.get("synced_followers")
        if synced is None:
            problems.append("leader %s does not say how many followers are synced (%s)"
                            % (name, _why_missing(leader)))
        elif synced < configured - 1:
            problems.append("leader %s counts %s synced voting follower%s, expected %s"
                            % (name, synced, "" if synced == 1 else "s", configured - 1))
        if leader.get("pending_syncs"):
            problems.append("leader %s has %s pending sync%s"
                            % (name, leader["pending_syncs"], "" if leader["pending_syncs"] == 1 else "s"))
        wanted_observers = len(observers) if expected_observers is None else expected_observers
        synced_observers = leader.get("synced_observers")
        if wanted_observers and synced_observers is not None and synced_observers < wanted_observers:
            problems.append("leader %s counts %s synced observer%s, expected %s"
                            % (name, synced_observers, "" if synced_observers == 1 else "s", wanted_observers))
    if len(voters_serving) < configured and len(voters_serving) <= configured // 2:
        problems.append("only %s of %s voters serve: no quorum" % (len(voters_serving), configured))

    healthy = not problems
    versions = {}
    for info in infos:
        if info.get("version"):
            versions.setdefault(info["version"], []).append(info["server"])
    if len(versions) > 1:
        problems.append("mixed versions: " + ", ".join(
            "%s on %s" % (v, ", ".join(servers)) for v, servers in sorted(versions.items())))
    return {
        "leader": {"server": leader["server"], "id": leader.get("server_id")} if leader else None,
        "voters_configured": configured,
        "voters_serving": len(voters_serving),
        "observers_serving": len(observers),
        "versions": sorted(versions),
        "healthy": healthy,
        "problems": problems,
    }


def _count_word(number):
    return {2: "two", 3: "three", 4: "four", 5: "five"}.get(number, str(number))


def _why_missing(info):
    reasons = [m for m in info.get("missing", []) if m.startswith(("mntr", "details"))]
    return "; ".join(reasons) if reasons else "no mntr or AdminServer monitor answer"


def synced(target, infos, summary):
    """Is `target` (one server's info) back in the ensemble: a follower or observer in broadcast state whose
    leader counts every follower (or observer) as synced with no pending syncs? A leader is synced when the
    whole ensemble is healthy. Returns (bool, reason)."""
    if target["mode"] == "leader":
        return summary["healthy"], "; ".join(summary["problems"]) or "leader with every voter synced"
    if target["mode"] not in ("follower", "observer"):
        return False, "%s is %s" % (target["server"], target.get("error") or target["mode"].replace("_", " "))
    peer_state = target.get("peer_state")
    if peer_state is not None and "broadcast" not in str(peer_state):
        return False, "%s is in peer state '%s', not broadcast" % (target["server"], peer_state)
    leaders = [i for i in infos if i["mode"] == "leader"]
    if len(leaders) != 1:
        return False, "%s leaders among the servers asked" % len(leaders)
    leader = leaders[0]
    if target["mode"] == "follower":
        count, wanted, kind = leader.get("synced_followers"), summary["voters_configured"] - 1, "voting follower"
    else:
        count = leader.get("synced_observers")
        wanted, kind = max(summary["observers_serving"], 1), "observer"
    if count is None:
        why = _why_missing(leader)
        return False, "leader %s does not say how many %ss are synced (%s)" % (leader["server"], kind, why)
    if count < wanted:
        return False, "leader %s counts %s synced %ss, expected %s" % (leader["server"], count, kind, wanted)
    if leader.get("pending_syncs"):
        return False, "leader %s has %s pending syncs" % (leader["server"], leader["pending_syncs"])
    return True, "%s is a synced %s" % (target["server"], target["mode"])


def gate(infos, summary, repair=()):
    """The gate in front of every restart of a running ensemble. Returns (passed, problems).

    It passes when the ensemble is healthy. With servers named for repair (addresses as in `infos`), it also
    passes when every problem concerns only those servers: each server that is not serving is named, exactly
    one leader counts every voter as synced except at most the named ones, every unnamed follower is in
    broadcast state, pending syncs are no more than the named servers that are still syncing, and the serving
    voters hold a quorum. Restarting a server that is already out of the quorum cannot take anything more away
    from it, and every other server stays protected."""
    if summary["healthy"]:
        return True, []
    problems = list(summary["problems"])
    repair = set(repair or ())
    if not repair:
        return False, problems
    leaders = [i for i in infos if i["mode"] == "leader"]
    named = [i for i in infos if i["server"] in repair]
    others = [i for i in infos if i["server"] not in repair]
    if len(leaders) != 1:
        return False, problems
    leader = leaders[0]
    refusals = []
    for info in others:
        if not info["serving"] or info["mode"] in ("standalone", "read-only"):
            refusals.append("%s is not named in zookeeper_roll_repair_hosts" % describe(info))
        elif info["mode"] in ("follower", "observer") and info.get("peer_state") is not None \
                and "broadcast" not in str(info["peer_state"]):
            refusals.append("%s (not named for repair) is in peer state '%s', not broadcast"
                            % (info["server"], info["peer_state"]))
    named_voters = [i for i in named if i is not leader and i["mode"] != "observer"]
    synced = leader.get("synced_followers")
    wanted = summary["voters_configured"] - 1 - len(named_voters)
    if synced is None or synced < wanted:
        refusals.append("leader %s counts %s synced voting followers; with %s named for repair at least %s must be"
                        % (leader["server"], synced, len(named_voters), wanted))
    syncing = [i for i in named if i is not leader and i["serving"]
               and "broadcast" not in str(i.get("peer_state") or "")]
    if (leader.get("pending_syncs") or 0) > len(syncing):
        refusals.append("leader %s has %s pending syncs, more than the servers named for repair that are syncing"
                        % (leader["server"], leader["pending_syncs"]))
    if summary["voters_serving"] <= summary["voters_configured"] // 2:
        refusals.append("only %s of %s voters serve: no quorum"
                        % (summary["voters_serving"], summary["voters_configured"]))
    return not refusals, problems + refusals


def roll_survey(surveys, servers):
    """What the roll's survey found. surveys: play host -> zookeeper_pending's result on it; servers: the
    ensemble as zookeeper_servers() builds it. A rolling restart marks every server, but if any server still
    carried a marker from a roll that stopped (existed), the roll resumes with those alone.

    Returns resuming (bool), hosts (those waiting, in inventory order), state ([{server, mode}] of every
    surveyed server) and clients (host -> "host:port")."""
    resuming = any(result.get("existed") for result in surveys.values())
    key = "existed" if resuming else "pending"
    order = [s["host"] for s in servers]
    hosts = [h for h in order if surveys.get(h, {}).get(key)]
    hosts += [h for h in surveys if surveys[h].get(key) and h not in order]
    state = [dict(server=s["client"], mode=surveys[s["host"]]["mode"]) for s in servers
             if surveys.get(s["host"], {}).get("mode")]
    clients = dict((s["host"], s["client"]) for s in servers)
    return dict(resuming=resuming, hosts=hosts, state=state, clients=clients)


def roll_order(hosts, done, clients, state, repair=()):
    """The servers still waiting in a roll, in the order to restart them: servers named for repair first
    (unless one is the leader), then observers, followers and servers in any other state, the leader last.

    hosts: the inventory hosts that wait; done: those this roll restarted already; clients: host -> "host:port"
    of its client port; state: the ensemble's last answer ([{server, mode}]); repair: host names."""
    modes = dict((server_key(i["server"]), i.get("mode")) for i in state or [])
    waiting = []
    for host in hosts:
        if host in done:
            continue
        address = clients[host]
        waiting.append(dict(host=host, address=address, mode=modes.get(server_key(address)) or "unknown"))

    def rank(item):
        if item["mode"] == "leader":
            return 3
        if item["host"] in repair:
            return 0
        return 1 if item["mode"] == "observer" else 2
    return sorted(waiting, key=rank)


def describe(info):
    """One server's state in a few words, for messages."""
    text = "%s: %s" % (info["server"], info["mode"])
    if info.get("error"):
        text += " (%s)" % info["error"]
    return text


def _condition_met(condition, infos, targets, expected_voters):
    """(met, why-not sentences, ensemble summary or None) for one poll."""
    chosen = [i for i in infos if i["server"] in targets]
    if condition == "stopped":
        return all(not i["reachable"] for i in chosen), ["%s still answers" % i["server"] for i in chosen
                                                         if i["reachable"]], None
    if condition == "serving":
        return all(i["serving"] for i in chosen), [describe(i) for i in chosen if not i["serving"]], None
    summary = ensemble_summary(infos, expected_voters)
    if condition == "healthy":
        return summary["healthy"], summary["problems"], summary
    reasons = []
    for info in chosen:
        ok, reason = synced(info, infos, summary)
        if not ok:
            reasons.append(reason)
    return not reasons, reasons, summary


def wait_until(condition, servers, targets, params, timeout, interval, expected_voters=None, watch=None):
    """Poll `servers` until `condition` (serving | synced | healthy | stopped) holds for `targets`, or `timeout`
    seconds pass. serving and stopped need 'srvr' alone; synced and healthy need every server's details.
    `watch`, when given, is asked at every poll that does not meet the condition (its check() returns why the
    awaited server can no longer come, e.g. its JVM exited): the wait then ends at once with `gave_up` set.

    Returns a dict: met, elapsed, polls, servers (the last answers), ensemble (synced and healthy only),
    reasons (why the condition did not hold at the last poll) and gave_up (None, or why the wait ended early)."""
    details = condition in ("synced", "healthy")
    start = time.monotonic()
    polls = 0
    while True:
        infos = [server_info(s, params, details=details) for s in servers]
        polls += 1
        met, reasons, summary = _condition_met(condition, infos, targets, expected_voters)
        elapsed = round(time.monotonic() - start, 3)
        gave_up = None if met or watch is None else watch.check()
        if met or gave_up or elapsed >= timeout:
            result = dict(met=met, elapsed=elapsed, polls=polls, servers=infos, reasons=reasons, gave_up=gave_up)
            if summary is not None:
                result["ensemble"] = summary
            return result
        time.sleep(interval)
