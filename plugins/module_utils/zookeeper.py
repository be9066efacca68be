# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""A small ZooKeeper client for modules: four-letter words over the client port, and pure parsers.

Managed nodes need nothing beyond the Python standard library.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import socket

NOT_SERVING = "This ZooKeeper instance is not currently serving requests"
NOT_WHITELISTED = "is not executed because it is not in the whitelist"
MODES = ("leader", "follower", "observer", "standalone", "read-only")

# Options shared by every module that talks to servers (see doc_fragments/connection.py).
CONNECTION_ARGUMENT_SPEC = dict(
    servers=dict(type="list", elements="str", default=["127.0.0.1:2181"]),
    connect_timeout=dict(type="float", default=2.0),
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


def server_state(server, connect_timeout):
    """What one server says of itself through 'srvr'. Never raises: problems go to `error`."""
    host, port = split_server(server)
    state = {"server": "%s:%s" % (host, port), "reachable": False, "serving": False, "mode": "unreachable"}
    try:
        answer = four_letter_word(host, port, "srvr", connect_timeout)
    except ZooKeeperError as exc:
        state["error"] = str(exc)
        return state
    state["reachable"] = True
    try:
        state.update(parse_srvr(answer))
    except ValueError as exc:
        state["mode"] = "not_serving"
        state["error"] = "%s: %s" % (state["server"], exc)
    return state
