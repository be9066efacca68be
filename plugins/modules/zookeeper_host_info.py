#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_host_info
short_description: Read what a host already holds before the zookeeper role changes it
version_added: 0.1.0
description:
  - Reads, in one call and without changing anything, what the role's preflight needs to know about a host
    before it creates or changes anything there - the ZooKeeper unit's state and who wrote its unit file, the
    service account and group if they exist, and the owner, mode and content of the directories the role
    would use.
  - The role refuses to take over an existing account, group, unit or non-empty directory that is not this
    service's (see the role's preflight); this module only reports.
seealso:
  - module: zkforge.zookeeper.zookeeper_info
    description: Asks the servers for their state, where this module reads the host's files.
author: zkforge maintainers (@zkforge)
extends_documentation_fragment:
  - zkforge.zookeeper.attributes
options:
  service:
    description: The systemd unit name, without C(.service).
    type: str
    required: true
  user:
    description: The service account's name.
    type: str
    required: true
  group:
    description: The service group's name.
    type: str
    required: true
  paths:
    description: Directories to report on.
    type: list
    elements: path
    default: []
  install_root:
    description: The role's install root, to report the unpacked releases and where C(current) points.
    type: path
  myid:
    description: The server's C(myid) file, to report its content.
    type: path
  files:
    description: Files to report on, with the SHA-1 of their content (what the role would otherwise ask
      M(ansible.builtin.template) and M(ansible.builtin.copy) to compare).
    type: list
    elements: path
    default: []
  programs:
    description: Programs to look for in the system's standard command directories (C(/usr/sbin), C(/usr/bin) ...).
    type: list
    elements: str
    default: []
  config:
    description: The server's C(zoo.cfg), to report the values of O(config_keys).
    type: path
  config_keys:
    description: Keys of O(config) to report (the security settings a running ensemble moves through in steps).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: What the host holds already
  zkforge.zookeeper.zookeeper_host_info:
    service: zookeeper
    user: zookeeper
    group: zookeeper
    paths: [/opt/zookeeper, /etc/zookeeper, /var/lib/zookeeper, /var/log/zookeeper]
    install_root: /opt/zookeeper
    myid: /var/lib/zookeeper/myid
    programs: [ufw]
  register: host_state
"""

RETURN = r"""
service:
  description: The unit as systemd knows it.
  returned: always
  type: dict
  contains:
    active_state:
      description: systemd's ActiveState (C(inactive) when there is no such unit).
      type: str
      sample: active
    sub_state:
      description: systemd's SubState.
      type: str
      sample: running
    unit_file_state:
      description: systemd's UnitFileState (C(enabled), C(disabled) ...), empty when there is no such unit.
      type: str
      sample: enabled
    fragment_path:
      description: The file that defines the unit, empty when there is none.
      type: str
      sample: /etc/systemd/system/zookeeper.service
    ours:
      description: The unit file is one this role wrote (it runs ZooKeeper's QuorumPeerMain under the
        description the role gives it).
      type: bool
      sample: true
account:
  description: The service account.
  returned: always
  type: dict
  sample: {exists: true, uid: 998, gid: 998, home: /var/lib/zookeeper, shell: /usr/sbin/nologin,
           comment: Apache ZooKeeper (zkforge.zookeeper)}
group:
  description: The service group.
  returned: always
  type: dict
  sample: {exists: true, gid: 998}
sys_uid_max:
  description: The highest uid of a system account on this host (SYS_UID_MAX in /etc/login.defs, else 999).
  returned: always
  type: int
  sample: 999
paths:
  description: One entry per path asked for. C(marked) says it holds what the role puts in an install root
    (C(current) or C(.downloads)); C(empty) ignores a file system's C(lost+found).
  returned: always
  type: dict
  sample: {/var/lib/zookeeper: {exists: true, is_dir: true, owner: zookeeper, group: zookeeper, mode: "0750",
                                empty: false, marked: false}}
install:
  description: The releases unpacked in O(install_root) (C(apache-zookeeper-*-bin) directories; C(complete) when
    the role's marker, written last, is there) and the target of its C(current) link (empty when none).
  returned: when O(install_root) is set
  type: dict
  sample: {current: apache-zookeeper-3.8.0-bin,
           releases: [{name: apache-zookeeper-3.8.0-bin, version: 3.8.0, complete: true}]}
myid:
  description: Whether the O(myid) file exists, and its content without surrounding white space.
  returned: when O(myid) is set
  type: dict
  sample: {exists: true, content: "1"}
files:
  description: One entry per file asked for; C(checksum) is the SHA-1 of its content.
  returned: always
  type: dict
  sample: {/etc/zookeeper/zoo.cfg: {exists: true, is_dir: false, owner: root, group: zookeeper, mode: "0640",
                                    checksum: 2aae6c35c94fcfb415dbe95f408b9ce91ee846ed}}
config:
  description: >-
    The values of O(config_keys) in O(config) (absent keys are left out), whether the file exists, and a
    C(fingerprint) of every setting (a short SHA-1 of each value, no values), which tells the settings the role
    writes apart from those ZooKeeper rewrites itself under dynamic reconfiguration.
  returned: when O(config) is set
  type: dict
  sample: {exists: true, values: {clientPort: "2181", sslQuorum: "true"},
           fingerprint: {clientPort: 5f2a3b9e0c1d4e6f, sslQuorum: 5ffe533b830f08a0}}
programs:
  description: Each program of O(programs) and the path it was found at, empty when it was not found.
  returned: always
  type: dict
  sample: {ufw: /usr/sbin/ufw}
"""

import grp
import hashlib
import os
import pwd
import re
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zkforge.zookeeper.plugins.module_utils.parsers import parse_properties, properties_fingerprint

UNIT_MARKERS = ("org.apache.zookeeper.server.quorum.QuorumPeerMain", "Description=Apache ZooKeeper server")


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def _path(path):
    entry = dict(exists=os.path.lexists(path))
    if not entry["exists"]:
        return entry
    try:
        st = os.stat(path)
    except OSError as exc:
        entry.update(is_dir=False, error=str(exc))
        return entry
    entry.update(is_dir=stat.S_ISDIR(st.st_mode), owner=_name(pwd.getpwuid, st.st_uid),
                 group=_name(grp.getgrgid, st.st_gid), mode="%04o" % stat.S_IMODE(st.st_mode))
    if entry["is_dir"]:
        names = set(os.listdir(path))
        entry["empty"] = not (names - {"lost+found"})
        entry["marked"] = bool(names & {"current", ".downloads"})
    return entry


def _sys_uid_max():
    try:
        with open("/etc/login.defs") as defs:
            for line in defs:
                match = re.match(r"^\s*SYS_UID_MAX\s+(\d+)", line)
                if match:
                    return int(match.group(1))
    except (IOError, OSError):
        pass
    return 999


def _service(module, name):
    unit = name + ".service"
    rc, out, err = module.run_command(["systemctl", "show", unit, "--property=ActiveState,SubState,UnitFileState,FragmentPath"])
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line) if rc == 0 else {}
    path = props.get("FragmentPath", "")
    ours = False
    if path:
        try:
            with open(path) as text:
                content = text.read()
            ours = all(marker in content for marker in UNIT_MARKERS)
        except (IOError, OSError):
            ours = False
    return dict(active_state=props.get("ActiveState", "inactive"), sub_state=props.get("SubState", "dead"),
                unit_file_state=props.get("UnitFileState", ""), fragment_path=path, ours=ours)


RELEASE = re.compile(r"^apache-zookeeper-(?P<version>.+)-bin$")
RELEASE_MARKER = ".zkforge-release"
COMMAND_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def _install(root):
    current = os.path.join(root, "current")
    releases = []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        names = []
    for name in names:
        match = RELEASE.match(name)
        if match and os.path.isdir(os.path.join(root, name)) and not os.path.islink(os.path.join(root, name)):
            releases.append(dict(name=name, version=match.group("version"),
                                 complete=os.path.exists(os.path.join(root, name, RELEASE_MARKER))))
    return dict(current=os.readlink(current) if os.path.islink(current) else "", releases=releases)


def _file(path):
    entry = _path(path)
    if entry["exists"] and not entry["is_dir"] and "error" not in entry:
        digest = hashlib.sha1()
        try:
            with open(path, "rb") as content:
                for block in iter(lambda: content.read(65536), b""):
                    digest.update(block)
            entry["checksum"] = digest.hexdigest()
        except (IOError, OSError) as exc:
            entry["error"] = str(exc)
    return entry


def _myid(path):
    try:
        with open(path) as text:
            return dict(exists=True, content=text.read().strip())
    except (IOError, OSError):
        return dict(exists=os.path.lexists(path), content="")


def _program(name):
    for directory in COMMAND_DIRS:
        path = os.path.join(directory, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return ""


def main():
    module = AnsibleModule(argument_spec=dict(
        service=dict(type="str", required=True),
        user=dict(type="str", required=True),
        group=dict(type="str", required=True),
        paths=dict(type="list", elements="path", default=[]),
        install_root=dict(type="path"),
        myid=dict(type="path"),
        files=dict(type="list", elements="path", default=[]),
        programs=dict(type="list", elements="str", default=[]),
        config=dict(type="path"),
        config_keys=dict(type="list", elements="str", default=[], no_log=False),
    ), supports_check_mode=True)
    params = module.params
    try:
        entry = pwd.getpwnam(params["user"])
        account = dict(exists=True, uid=entry.pw_uid, gid=entry.pw_gid, home=entry.pw_dir, shell=entry.pw_shell,
                       comment=entry.pw_gecos)
    except KeyError:
        account = dict(exists=False)
    try:
        group = dict(exists=True, gid=grp.getgrnam(params["group"]).gr_gid)
    except KeyError:
        group = dict(exists=False)
    result = dict(changed=False, service=_service(module, params["service"]), account=account, group=group,
                  sys_uid_max=_sys_uid_max(), paths=dict((p, _path(p)) for p in params["paths"]),
                  files=dict((p, _file(p)) for p in params["files"]),
                  programs=dict((name, _program(name)) for name in params["programs"]))
    if params["install_root"]:
        result["install"] = _install(params["install_root"])
    if params["myid"]:
        result["myid"] = _myid(params["myid"])
    if params["config"]:
        try:
            with open(params["config"]) as handle:
                text = handle.read()
            result["config"] = dict(exists=True, values=parse_properties(text, params["config_keys"]),
                                    fingerprint=properties_fingerprint(text))
        except (IOError, OSError):
            result["config"] = dict(exists=False, values={})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
