# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""A small ZooKeeper client for modules: four-letter words over the client port, the AdminServer's commands,
everything one server says of itself, and polling until a condition holds.

Managed nodes need nothing beyond the Python standard library."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import socket
import ssl
import time

from urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url
from ansible_collections.zkforge.zookeeper.plugins.module_utils.ensemble import condition_met
from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import (
    LEADER_ONLY,
    MODES,
    NOT_SERVING,
    NOT_WHITELISTED,
    apply_monitor,
    parse_conf,
    parse_mntr,
    parse_srvr,
    parse_zxid,
    split_server,
)

# TLS towards the client port (secureClientPort) and the AdminServer (see doc_fragments/tls.py).
TLS_ARGUMENT_SPEC = dict(
    tls=dict(type="bool", default=False),
    tls_ca_path=dict(type="path"),
    tls_cert_path=dict(type="path"),
    tls_key_path=dict(type="path", no_log=False),
    tls_validate_certs=dict(type="bool", default=True),
)

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
    **TLS_ARGUMENT_SPEC
)


class ZooKeeperError(Exception):
    """A failure talking to one server, with a message an operator can act on."""


# One TLS context per module run and set of options: loading the CA and the client key costs more than a poll.
_TLS_CONTEXTS = {}


def tls_context(params):
    """The ssl.SSLContext for params' tls_* options, or None when params['tls'] is off. Raises ZooKeeperError when
    a CA, certificate or key file cannot be loaded."""
    if not params.get("tls"):
        return None
    key = tuple(params.get(k) for k in ("tls_ca_path", "tls_cert_path", "tls_key_path", "tls_validate_certs"))
    if key not in _TLS_CONTEXTS:
        ca_path, cert_path, key_path, validate = key
        try:
            context = ssl.create_default_context(cafile=ca_path)
            if validate is False:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            if cert_path:
                context.load_cert_chain(cert_path, key_path)
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise ZooKeeperError("TLS settings: cannot load %s (%s)" % (
                ", ".join(p for p in (ca_path, cert_path, key_path) if p) or "the system CA store", exc))
        _TLS_CONTEXTS[key] = context
    return _TLS_CONTEXTS[key]


def certificate_summary(der, now=None):
    """Subject, issuer, expiry and days left of a DER certificate, or None when it cannot be decoded."""
    if not der:
        return None
    decoded = _decode_certificate(der)
    if not decoded or "notAfter" not in decoded:
        return None
    not_after = datetime.datetime.fromtimestamp(ssl.cert_time_to_seconds(decoded["notAfter"]), datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)

    def _name(rdns):
        return ",".join("%s=%s" % (k, v) for rdn in rdns or () for k, v in rdn)

    return {
        "subject": _name(decoded.get("subject")),
        "issuer": _name(decoded.get("issuer")),
        "not_after": not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "days_left": int((not_after - now).total_seconds() // 86400),
        "subject_alt_names": ["%s:%s" % pair for pair in decoded.get("subjectAltName", ())],
    }


def _decode_certificate(der):
    """The standard library decodes certificates only from a PEM file (ssl._ssl._test_decode_cert)."""
    import os
    import tempfile

    decode = getattr(getattr(ssl, "_ssl", None), "_test_decode_cert", None)
    if decode is None:
        return None
    handle, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(handle, "w") as pem:
            pem.write(ssl.DER_cert_to_PEM_cert(der))
        return decode(path)
    except (OSError, ssl.SSLError, ValueError):
        return None
    finally:
        os.unlink(path)


def open_socket(host, port, timeout, tls=None, peer=None):
    """A connected socket to host:port, TLS spoken when tls (an ssl.SSLContext) is given; peer: a dict that
    receives the server's certificate (DER) under 'certificate'. Raises ZooKeeperError saying why not."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.timeout:
        raise ZooKeeperError("%s:%s: connection timed out after %ss" % (host, port, timeout))
    except (OSError, socket.error) as exc:
        raise ZooKeeperError("%s:%s: cannot connect (%s)" % (host, port, getattr(exc, "strerror", None) or exc))
    if tls is not None:
        try:
            sock = tls.wrap_socket(sock, server_hostname=host if tls.check_hostname else None)
        except socket.timeout:
            sock.close()
            raise ZooKeeperError("%s:%s: no TLS handshake within %ss (a plaintext port?)" % (host, port, timeout))
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise ZooKeeperError("%s:%s: TLS: the server's certificate is not trusted (%s)"
                                 % (host, port, exc.verify_message or exc))
        except (ssl.SSLError, OSError) as exc:
            sock.close()
            raise ZooKeeperError("%s:%s: TLS handshake failed (%s); a plaintext port, or a client certificate "
                                 "the server does not accept?" % (host, port, getattr(exc, "reason", None) or exc))
        if peer is not None:
            peer["certificate"] = sock.getpeercert(binary_form=True)
    sock.settimeout(timeout)
    return sock


def four_letter_word(host, port, word, timeout, tls=None, peer=None):
    """Send a four-letter word and return the whole answer (the server closes the connection when done).

    tls: an ssl.SSLContext to speak TLS with (the secureClientPort). peer: a dict that receives the server's
    certificate (DER) under 'certificate' when TLS is spoken."""
    sock = open_socket(host, port, timeout, tls, peer)
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
        if not chunks and tls is not None and isinstance(exc, ssl.SSLError):
            # TLS 1.3: a server refusing the client certificate says so only after the handshake.
            raise ZooKeeperError("%s:%s: TLS: the server ended the session before answering '%s' (%s); a client "
                                 "certificate it does not accept?" % (host, port, word, exc))
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


def admin_command(host, port, command, timeout, tls=False, validate_certs=True, ca_path=None, client_cert=None,
                  client_key=None):
    """GET /commands/<command> from the AdminServer and return the decoded JSON object."""
    url = "%s://%s:%s/commands/%s" % ("https" if tls else "http", _url_host(host), port, command)
    try:
        # Straight to the server: an HTTP proxy from the environment has no business between us and an
        # AdminServer on the ensemble's own network (or loopback).
        response = open_url(url, headers={"Accept": "application/json"}, timeout=timeout, use_proxy=False,
                            validate_certs=validate_certs, ca_path=ca_path, follow_redirects="none",
                            client_cert=client_cert, client_key=client_key)
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


def _fourlw_info(info, host, port, timeout, tls=None):
    """srvr, then mntr and conf when whitelisted. Raises ZooKeeperError only if the server cannot be reached."""
    try:
        _srvr_info(info, host, port, timeout, tls)
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
            parsed = parser(four_letter_word(host, port, word, timeout, tls=tls))
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
            apply_monitor(info, parsed)
        elif parsed.get("serverId", "").isdigit():
            info["server_id"] = int(parsed["serverId"])
    return info


def _admin_info(info, host, params):
    """AdminServer commands srvr, monitor and conf. Raises ZooKeeperError if the AdminServer cannot be reached.

    srvr comes first: a server that is not serving answers it with HTTP 200 and an `error` field, while monitor
    fails with HTTP 500 on 3.9 in that state."""
    admin_host = params.get("admin_host") or host
    admin_tls = params.get("admin_tls", False)
    options = dict(timeout=params["connect_timeout"], tls=admin_tls,
                   validate_certs=params.get("admin_validate_certs", True),
                   ca_path=params.get("admin_ca_path") or (params.get("tls_ca_path") if admin_tls else None),
                   client_cert=params.get("tls_cert_path") if admin_tls else None,
                   client_key=params.get("tls_key_path") if admin_tls else None)
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
            apply_monitor(info, answer)
        elif str(answer.get("server_id", "")).isdigit():
            info["server_id"] = int(answer["server_id"])
    apply_monitor(info, stats)
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
    try:
        tls = tls_context(params)
    except ZooKeeperError as exc:
        info["error"] = "%s: %s" % (info["server"], exc)
        return _finish(info)
    if not details:
        try:
            _srvr_info(info, host, port, params["connect_timeout"], tls)
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
        _fourlw_info(info, host, port, params["connect_timeout"], tls)
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


def _srvr_info(info, host, port, timeout, tls=None):
    peer = {}
    answer = four_letter_word(host, port, "srvr", timeout, tls=tls, peer=peer)
    info.update(reachable=True, method="fourlw")
    if tls is not None:
        info["tls"] = True
        info["certificate"] = certificate_summary(peer.get("certificate"))
    try:
        info.update(parse_srvr(answer))
        info["raw"] = {"srvr": info["raw"]}
    except ValueError as exc:
        info.update(mode="not_serving", error="%s: %s" % (info["server"], exc), raw={"srvr": answer[:500]})
    return info


def _finish(info):
    """Leader-only details exist (None when unknown) on the leader, and not at all on other servers."""
    for key in LEADER_ONLY:
        if info["mode"] == "leader":
            info.setdefault(key, None)
        else:
            info.pop(key, None)
    return info


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
        met, reasons, summary = condition_met(condition, infos, targets, expected_voters)
        elapsed = round(time.monotonic() - start, 3)
        gave_up = None if met or watch is None else watch.check()
        if met or gave_up or elapsed >= timeout:
            result = dict(met=met, elapsed=elapsed, polls=polls, servers=infos, reasons=reasons, gave_up=gave_up)
            if summary is not None:
                result["ensemble"] = summary
            return result
        time.sleep(interval)
