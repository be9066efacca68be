#!/usr/bin/env python3
"""Print, as JSON, everything on this host that bad input must leave untouched: owners and modes of system and
ZooKeeper directories, checksums of ZooKeeper's files, the unit file and the account databases, the server's
main PID and restart count, the installed releases and the firewall rules. Used by bad_input.yml before and
after each refused run; the two must be equal."""
import glob
import hashlib
import json
import os
import subprocess
import sys

DIRS = ["/", "/var", "/var/lib", "/var/log", "/etc", "/opt", "/usr", "/srv", "/root", "/home", "/tmp",
        "/var/lib/zookeeper", "/var/log/zookeeper", "/etc/zookeeper", "/opt/zookeeper"] + sys.argv[1:]
FILES = ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/systemd/system/zookeeper.service",
         "/var/lib/zookeeper/myid", "/opt/zookeeper/.restart-required", "/opt/zookeeper/.firewall-rules.json"]
FILES += sorted(glob.glob("/etc/zookeeper/*")) + sorted(glob.glob("/etc/systemd/system/*.service"))


def digest(path):
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError as exc:
        return "absent" if not os.path.lexists(path) else str(exc)


def owner(path):
    try:
        st = os.stat(path)
        return "%s:%s %o" % (st.st_uid, st.st_gid, st.st_mode & 0o7777)
    except OSError:
        return "absent"


def run(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "absent"


snapshot = {
    "dirs": {d: owner(d) for d in DIRS},
    "files": {f: digest(f) for f in FILES},
    "unit": run(["systemctl", "show", "zookeeper.service", "--property=MainPID,NRestarts,ActiveState"]),
    "releases": sorted(os.listdir("/opt/zookeeper")) if os.path.isdir("/opt/zookeeper") else [],
    "current": os.readlink("/opt/zookeeper/current") if os.path.islink("/opt/zookeeper/current") else None,
    "ufw": run(["ufw", "status", "verbose"]),
    "firewalld": run(["firewall-cmd", "--list-all"]) if os.path.exists("/usr/bin/firewall-cmd") else "absent",
}
print(json.dumps(snapshot, sort_keys=True))
