# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""A ZooKeeper session over the client wire protocol (jute records over TCP, optionally TLS), with only what the
collection needs from a managed node: authenticate (digest scheme, or a SASL DIGEST-MD5 login for servers that
enforce client SASL), read a znode, read the ensemble's dynamic configuration and change it with `reconfig`.

Why a client of our own rather than the release's zkCli.sh: a JVM start costs a managed node ~1 s and 100+ MB for
every call, zkCli.sh reports failures only as text on stdout with exit status 0 in several releases, and the
super user's password would have to reach it on a command line or in a file. This needs the Python standard
library only, reads the server's own error codes, and keeps the password in the module's memory.

Every request is answered before the next is sent; no watches are set, so every reply is the answer to the
request just sent (pings and notifications do not occur in sessions this short)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import hashlib
import os
import struct

from ansible_collections.zkforge.zookeeper.plugins.module_utils.client import ZooKeeperError, open_socket

# Operation codes (org.apache.zookeeper.ZooDefs.OpCode) and the reserved xids of the protocol.
OP_GET_DATA = 4
OP_RECONFIG = 16
OP_CLOSE = -11
OP_AUTH = 100
OP_SASL = 102
XID_AUTH = -4

CONFIG_NODE = "/zookeeper/config"

# KeeperException.Code: what the server answers instead of a result, and what it means for an operator.
ERRORS = {
    -4: "connection lost",
    -6: "operation not implemented by this server",
    -7: "operation timed out",
    -8: "bad arguments",
    -13: "the new configuration has no quorum of connected, synced servers (NEWCONFIGNOQUORUM)",
    -14: "another reconfiguration is in progress (RECONFIGINPROGRESS)",
    -101: "no such znode",
    -102: "not authorised (NOAUTH): the operation needs the super user, or the super user password is wrong "
          "(digest authentication takes any password and only the identity differs)",
    -103: "the configuration changed since it was read (BADVERSION)",
    -112: "session expired",
    -115: "authentication failed (AUTHFAILED)",
    -123: "dynamic reconfiguration is disabled on this server (reconfigEnabled=false)",
    -124: "the server requires SASL authentication for every session (enforce.auth)",
}

_INT = struct.Struct("!i")
_LONG = struct.Struct("!q")
_REPLY_HEADER = struct.Struct("!iqi")
_STAT = struct.Struct("!qqqqiiiqiiq")
_STAT_FIELDS = ("czxid", "mzxid", "ctime", "mtime", "version", "cversion", "aversion", "ephemeral_owner",
                "data_length", "num_children", "pzxid")


class SessionError(ZooKeeperError):
    """A request the server refused; code is the server's KeeperException code (or None when it hung up)."""

    def __init__(self, message, code=None):
        super(SessionError, self).__init__(message)
        self.code = code


def _string(text):
    if text is None:
        return _INT.pack(-1)
    data = text.encode("utf-8")
    return _INT.pack(len(data)) + data


def _buffer(data):
    if data is None:
        return _INT.pack(-1)
    return _INT.pack(len(data)) + data


def _read_buffer(data, offset):
    (length,) = _INT.unpack_from(data, offset)
    offset += _INT.size
    if length < 0:
        return None, offset
    return data[offset:offset + length], offset + length


def _read_stat(data, offset):
    return dict(zip(_STAT_FIELDS, _STAT.unpack_from(data, offset)))


# SASL DIGEST-MD5 as ZooKeeper speaks it: service "zookeeper" on the fixed server name "zk-sasl-md5" (its servers
# and clients use that name, not the host's), qop auth.
SASL_DIGEST_URI = "zookeeper/zk-sasl-md5"


def parse_directives(data):
    """RFC 2831 directives, 'a=b,c="d, e"' -> {'a': 'b', 'c': 'd, e'} (quoted values may hold commas and
    backslash escapes)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    found, i = {}, 0
    while i < len(text):
        while i < len(text) and text[i] in " \t,":
            i += 1
        equals = text.find("=", i)
        if equals < 0:
            break
        key = text[i:equals].strip().lower()
        i = equals + 1
        value = []
        if i < len(text) and text[i] == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                if text[i] == "\\" and i + 1 < len(text):
                    i += 1
                value.append(text[i])
                i += 1
            i += 1
            found[key] = "".join(value)
        else:
            while i < len(text) and text[i] != ",":
                value.append(text[i])
                i += 1
            found[key] = "".join(value).strip()
    return found


def _md5(data):
    return hashlib.md5(data).digest()


def _hex_md5(data):
    return binascii.hexlify(_md5(data))


def digest_md5(challenge, user, password, cnonce=None, digest_uri=SASL_DIGEST_URI):
    """The client's answer to a DIGEST-MD5 challenge (RFC 2831, qop auth) and the rspauth the server must send
    back to prove it knows the password too: (response bytes, expected rspauth)."""
    fields = parse_directives(challenge)
    if "nonce" not in fields:
        raise SessionError("not a DIGEST-MD5 challenge: %r" % challenge[:200])
    qops = [q.strip() for q in fields.get("qop", "auth").split(",")]
    if "auth" not in qops:
        raise SessionError("the server offers SASL qop %s, not auth" % ",".join(qops))
    realm, nonce = fields.get("realm", ""), fields["nonce"]
    cnonce = cnonce or binascii.hexlify(os.urandom(16)).decode("ascii")
    nc = "00000001"
    a1 = _md5(("%s:%s:%s" % (user, realm, password)).encode("utf-8")) + (":%s:%s" % (nonce, cnonce)).encode("utf-8")

    def answer(a2):
        return _hex_md5(_hex_md5(a1) + (":%s:%s:%s:auth:" % (nonce, nc, cnonce)).encode("utf-8")
                        + _hex_md5(a2.encode("utf-8"))).decode("ascii")

    def quoted(value):
        return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')

    parts = ["charset=utf-8", "username=%s" % quoted(user), "realm=%s" % quoted(realm), "nonce=%s" % quoted(nonce),
             "nc=%s" % nc, "cnonce=%s" % quoted(cnonce), "digest-uri=%s" % quoted(digest_uri), "maxbuf=65536",
             "response=%s" % answer("AUTHENTICATE:%s" % digest_uri), "qop=auth"]
    return ",".join(parts).encode("utf-8"), answer(":%s" % digest_uri)


def describe_code(code):
    return ERRORS.get(code, "error code %s" % code)


class Session(object):
    """One session with one server. Use as a context manager: the session is closed (not left to expire) on exit.

    tls: an ssl.SSLContext (client.tls_context) for a secureClientPort."""

    def __init__(self, host, port, timeout, tls=None, session_timeout=10.0):
        self.host, self.port, self.timeout = host, int(port), timeout
        self.address = "%s:%s" % (host, port)
        self.sock = open_socket(host, self.port, timeout, tls)
        self.xid = 0
        self.session_id = None
        try:
            self._connect(int(session_timeout * 1000))
        except Exception:
            self.sock.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # Framing: every message is a 4-byte big-endian length and the record.
    def _send(self, payload):
        try:
            self.sock.sendall(_INT.pack(len(payload)) + payload)
        except OSError as exc:
            raise SessionError("%s: connection lost while sending (%s)" % (self.address, exc))

    def _recv_exactly(self, size):
        chunks, left = [], size
        while left:
            try:
                chunk = self.sock.recv(left)
            except OSError as exc:
                raise SessionError("%s: no answer within %ss (%s)" % (self.address, self.timeout, exc))
            if not chunk:
                raise SessionError("%s: the server closed the session" % self.address)
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _recv(self):
        (length,) = _INT.unpack(self._recv_exactly(_INT.size))
        if length < 0 or length > 16 * 1024 * 1024:
            raise SessionError("%s: not a ZooKeeper answer (frame of %s bytes)" % (self.address, length))
        return self._recv_exactly(length)

    def _connect(self, session_timeout_ms):
        # ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly.
        self._send(struct.pack("!iqiq", 0, 0, session_timeout_ms, 0) + _buffer(b"\0" * 16) + b"\0")
        try:
            answer = self._recv()
        except SessionError as exc:
            raise SessionError("%s: the server refused a session (%s); not serving, or a TLS port spoken to "
                               "in plaintext?" % (self.address, exc))
        if len(answer) < 16:
            raise SessionError("%s: not a ZooKeeper session answer" % self.address)
        dummy, negotiated, session_id = struct.unpack_from("!iiq", answer)
        if negotiated <= 0:
            raise SessionError("%s: the server refused a session (it is not serving requests)" % self.address)
        self.session_id = session_id

    def _request(self, op, body, xid=None):
        if xid is None:
            self.xid += 1
            xid = self.xid
        self._send(struct.pack("!ii", xid, op) + body)
        answer = self._recv()
        reply_xid, zxid, err = _REPLY_HEADER.unpack_from(answer)
        if reply_xid != xid:
            raise SessionError("%s: answer to request %s arrived for %s" % (self.address, reply_xid, xid))
        if err:
            raise SessionError("%s: %s" % (self.address, describe_code(err)), code=err)
        return answer, _REPLY_HEADER.size

    def authenticate(self, scheme, credential):
        """addAuthInfo: e.g. ('digest', 'super:password'). A wrong credential ends the session (AUTHFAILED)."""
        self._request(OP_AUTH, _INT.pack(0) + _string(scheme) + _buffer(credential.encode("utf-8")), xid=XID_AUTH)

    def login_sasl(self, user, password):
        """SASL DIGEST-MD5 login as `user` (a user of the servers' JAAS Server context), as servers enforcing
        client SASL (enforce.auth.enabled) require before any request. The session's identity is then sasl:user
        (the super user when the servers name it in zookeeper.superUser). A wrong password or an unknown user
        ends the session."""
        try:
            answer, offset = self._request(OP_SASL, _buffer(b""))
            challenge, offset = _read_buffer(answer, offset)
            response, expected = digest_md5(challenge or b"", user, password)
            answer, offset = self._request(OP_SASL, _buffer(response))
            final, offset = _read_buffer(answer, offset)
        except SessionError as exc:
            # Refused as a failed authentication, as a session still without SASL (enforcing servers), or by
            # hanging up, depending on the release.
            if exc.code in (None, -115, -124):
                raise SessionError("%s: SASL login as %s refused (%s): wrong password, or not a user of the "
                                   "servers' JAAS Server context" % (self.address, user, exc), code=-115)
            raise
        if parse_directives(final or b"").get("rspauth") != expected:
            raise SessionError("%s: the server's SASL answer does not prove it knows %s's password"
                               % (self.address, user), code=-115)

    def login(self, credential):
        """credential: dict(scheme='digest' or 'sasl', user, password)."""
        if credential["scheme"] == "sasl":
            self.login_sasl(credential["user"], credential["password"])
        else:
            self.authenticate("digest", "%s:%s" % (credential["user"], credential["password"]))

    def get_data(self, path):
        """(data bytes, stat dict) of a znode."""
        answer, offset = self._request(OP_GET_DATA, _string(path) + b"\0")
        data, offset = _read_buffer(answer, offset)
        return data, _read_stat(answer, offset)

    def get_config(self):
        """The ensemble's configuration as this server last committed it (text of /zookeeper/config)."""
        data, dummy = self.get_data(CONFIG_NODE)
        return (data or b"").decode("utf-8")

    def reconfig(self, joining=None, leaving=None, new_members=None, from_config=-1):
        """Incremental (joining: server specs, leaving: ids) or non-incremental (new_members) reconfiguration;
        from_config: the version it applies to (-1: any). Returns the configuration text the leader committed."""
        def _join(items):
            return ",".join(str(i) for i in items) if items else None

        body = _string(_join(joining)) + _string(_join(leaving)) + _string(_join(new_members)) + \
            _LONG.pack(from_config)
        answer, offset = self._request(OP_RECONFIG, body)
        data, offset = _read_buffer(answer, offset)
        return (data or b"").decode("utf-8")

    def close(self):
        if self.sock is None:
            return
        try:
            if self.session_id is not None:
                self._request(OP_CLOSE, b"")
        except ZooKeeperError:
            pass
        finally:
            self.sock.close()
            self.sock = None
