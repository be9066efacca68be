#!/usr/bin/env python3
"""Client checks of SASL (DIGEST-MD5) on a real ensemble, through kazoo (and pure-sasl) from the controller.

Prints one JSON object: what an anonymous client, a client with a wrong password, the application user, the super
user (by SASL and by digest) could do, and optionally the same application user over the TLS port with a client
certificate. Each check uses its own short-lived session; a refused one is reported with the exception's name.
Usage: sasl_client.py --servers h:p,... [--tls-servers h:p,... --ca F --cert F --key F] < credentials.json"""
import argparse
import json
import sys
import uuid

from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.security import make_digest_acl


def _client(hosts, **kwargs):
    client = KazooClient(hosts=hosts, timeout=6, connection_retry={"max_tries": 1, "delay": 0.2},
                         command_retry={"max_tries": 0}, **kwargs)
    client.start(timeout=15)
    return client


def _sasl(user, password):
    return {"sasl_options": {"mechanism": "DIGEST-MD5", "username": user, "password": password}}


def _attempt(hosts, action, **kwargs):
    client = None
    try:
        client = _client(hosts, **kwargs)
        return {"ok": True, "result": action(client)}
    except Exception as exc:  # every way of being refused counts as refused; its name is reported
        return {"ok": False, "error": type(exc).__name__}
    finally:
        if client is not None:
            try:
                client.stop()
                client.close()
            except Exception:  # a session the server closed already
                pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", required=True)
    parser.add_argument("--tls-servers")
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    # Credentials on stdin (JSON: user, password, super_user, super_password), never in this process's arguments.
    creds = json.load(sys.stdin)
    args.user, args.password = creds["user"], creds["password"]
    args.super_user, args.super_password = creds["super_user"], creds["super_password"]
    base = "/zkforge-sasl-%s" % uuid.uuid4().hex[:8]
    private = base + "/private"

    def write_read(client):
        client.create(base, b"written-by-app", makepath=True)
        # Readable only by a digest identity nobody here holds: only the super user may read it.
        client.create(private, b"for-super-only", acl=[make_digest_acl("nobody", uuid.uuid4().hex, all=True)])
        return client.get(base)[0].decode()

    def read_private(client):
        try:
            return client.get(private)[0].decode()
        except NoAuthError:
            return "NoAuthError"

    report = {
        "anonymous": _attempt(args.servers, lambda c: c.get("/")[1].version),
        "wrong_password": _attempt(args.servers, lambda c: c.get("/")[1].version,
                                   **_sasl(args.user, args.password + "-wrong")),
        "app": _attempt(args.servers, write_read, **_sasl(args.user, args.password)),
    }
    report["app_private"] = _attempt(args.servers, read_private, **_sasl(args.user, args.password))
    report["super_sasl"] = _attempt(args.servers, read_private, **_sasl(args.super_user, args.super_password))
    report["super_digest"] = _attempt(args.servers, read_private, auth_data=[
        ("digest", "%s:%s" % (args.super_user, args.super_password))])
    if args.tls_servers:
        report["tls_app"] = _attempt(args.tls_servers, lambda c: c.get(base)[0].decode(), use_ssl=True,
                                     ca=args.ca, certfile=args.cert, keyfile=args.key, verify_certs=True,
                                     **_sasl(args.user, args.password))
    json.dump(report, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
