#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zookeeper_files
short_description: Several directories or small files, with their owner, group and mode, in one call
version_added: 0.1.0
description:
  - Makes each directory of O(directories) and writes each file of O(files) (its whole content given, e.g. a
    template rendered on the controller), then sets owner, group and mode where they differ. Everything asked
    for is done in one module run, where M(ansible.builtin.file), M(ansible.builtin.copy) and
    M(ansible.builtin.template) take several round trips to the host per path; the zookeeper role writes its
    configuration, C(myid) and unit this way.
  - A file is replaced atomically (a temporary file beside it, renamed over it), never written in place, so a
    server starting meanwhile reads either the old file or the new one.
  - Paths already as asked are left alone; the module reports which paths it made or changed.
seealso:
  - module: ansible.builtin.copy
    description: One file, with backups, validation and remote sources.
author: zkforge maintainers (@zkforge)
attributes:
  check_mode:
    description: Whether the module can run in check mode, and what it does then.
    support: full
    details: It reports which paths it would make or change, and the diff, without changing anything.
  diff_mode:
    description: Whether the module reports a diff of what it changed.
    support: full
    details: The content of every file whose content changes (unless its O(files[].diff) is false), and the
      owner, group and mode before and after of every path whose attributes change.
options:
  directories:
    description: Directories to make (missing parents are made too, as C(mkdir -p) makes them).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      owner:
        description: Its owner's name.
        type: str
        required: true
      group:
        description: Its group's name.
        type: str
        required: true
      mode:
        description: Its mode, in octal (C("0750"), C("1770")).
        type: str
        required: true
  files:
    description: Files to write. Their directories must exist (make them in O(directories) of the same call).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The file.
        type: path
        required: true
      content:
        description: Its whole content, as text (written as UTF-8).
        type: str
        required: true
      owner:
        description: Its owner's name.
        type: str
        required: true
      group:
        description: Its group's name.
        type: str
        required: true
      mode:
        description: Its mode, in octal (C("0640")).
        type: str
        required: true
      diff:
        description: Whether a change of its content is shown in diff mode. False for files holding secrets
          (a password digest).
        type: bool
        default: true
"""

EXAMPLES = r"""
- name: The server's directories and configuration, in one call
  zkforge.zookeeper.zookeeper_files:
    directories:
      - {path: /var/lib/zookeeper, owner: zookeeper, group: zookeeper, mode: "0750"}
    files:
      - path: /var/lib/zookeeper/myid
        content: "1"
        owner: zookeeper
        group: zookeeper
        mode: "0640"
      - path: /etc/zookeeper/zoo.cfg
        content: "{{ lookup('ansible.builtin.template', 'zoo.cfg.j2') }}"
        owner: root
        group: zookeeper
        mode: "0640"
  register: written
"""

RETURN = r"""
changed_paths:
  description: The directories and files made or changed (in check mode, that would be), in the order asked.
  returned: always
  type: list
  elements: str
  sample: [/var/lib/zookeeper, /etc/zookeeper/zoo.cfg]
created_paths:
  description: Those of RV(changed_paths) that did not exist before.
  returned: always
  type: list
  elements: str
  sample: [/var/lib/zookeeper]
"""

import grp
import os
import pwd
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native

_ENTRY = dict(path=dict(type="path", required=True), owner=dict(type="str", required=True),
              group=dict(type="str", required=True), mode=dict(type="str", required=True))


class _Refused(Exception):
    pass


def _ids(entry):
    try:
        uid = pwd.getpwnam(entry["owner"]).pw_uid
    except KeyError:
        raise _Refused("%s: owner %s does not exist on this host" % (entry["path"], entry["owner"]))
    try:
        gid = grp.getgrnam(entry["group"]).gr_gid
    except KeyError:
        raise _Refused("%s: group %s does not exist on this host" % (entry["path"], entry["group"]))
    try:
        mode = int(entry["mode"], 8)
    except ValueError:
        raise _Refused("%s: mode %r is not an octal number" % (entry["path"], entry["mode"]))
    if mode > 0o7777:
        raise _Refused("%s: mode %r is not a file mode" % (entry["path"], entry["mode"]))
    return uid, gid, mode


def _attributes(st):
    def name(lookup, number):
        try:
            return lookup(number)[0]
        except KeyError:
            return str(number)

    return {"owner": name(pwd.getpwuid, st.st_uid), "group": name(grp.getgrgid, st.st_gid),
            "mode": "%04o" % stat.S_IMODE(st.st_mode)}


class _Writer(object):
    def __init__(self, module):
        self.module = module
        self.check = module.check_mode
        self.changed, self.created, self.diffs = [], [], []

    def _record(self, path, before, after, created):
        self.changed.append(path)
        if created:
            self.created.append(path)
        if before != after:
            self.diffs.append({"before_header": path, "after_header": path, "before": before, "after": after})

    def _settle(self, path, st, uid, gid, mode):
        """Owner, group and mode of an existing path; what they were, for the diff."""
        if (st.st_uid, st.st_gid) != (uid, gid) and not self.check:
            os.lchown(path, uid, gid)
        if stat.S_IMODE(st.st_mode) != mode and not self.check:
            os.chmod(path, mode)
        return (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) != (uid, gid, mode)

    def directory(self, entry):
        path = entry["path"]
        uid, gid, mode = _ids(entry)
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise _Refused("%s exists and is not a directory; it was left alone" % path)
        if st is None:
            if not self.check:
                os.makedirs(path)
                os.chown(path, uid, gid)
                os.chmod(path, mode)
            self._record(path, {"path": path, "state": "absent"}, dict(entry, state="directory"), True)
        elif self._settle(path, st, uid, gid, mode):
            self._record(path, _attributes(st), {k: entry[k] for k in ("owner", "group", "mode")}, False)

    def file(self, entry):
        path = entry["path"]
        uid, gid, mode = _ids(entry)
        wanted = to_bytes(entry["content"], errors="surrogate_or_strict")
        try:
            st = os.lstat(path)
        except OSError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise _Refused("%s exists and is not a regular file; it was left alone" % path)
        old = None
        if st is not None:
            with open(path, "rb") as handle:
                old = handle.read()
        if old == wanted:
            if self._settle(path, st, uid, gid, mode):
                self._record(path, _attributes(st), {k: entry[k] for k in ("owner", "group", "mode")}, False)
            return
        if not self.check:
            self._replace(path, wanted, uid, gid, mode)
        if entry["diff"]:
            before = "" if old is None else to_native(old, errors="surrogate_or_strict")
            self._record(path, before, entry["content"], st is None)
        else:
            self._record(path, {"content": "(not shown)"}, {"content": "(changed, not shown)"}, st is None)

    def _replace(self, path, wanted, uid, gid, mode):
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            raise _Refused("%s: its directory %s does not exist" % (path, directory))
        fd, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchown(handle.fileno(), uid, gid)
                os.fchmod(handle.fileno(), mode)
                handle.write(wanted)
                handle.flush()
                os.fsync(handle.fileno())
            # The SELinux context of the file replaced, or the default one for a new file; then the rename (not
            # atomic_move, which would give a new file the umask's mode before the one asked for).
            if self.module.selinux_enabled():
                context = (self.module.selinux_context(path) if os.path.exists(path)
                           else self.module.selinux_default_context(path))
                self.module.set_context_if_different(temporary, context, False)
            os.rename(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(type="list", elements="dict", default=[], options=_ENTRY),
            files=dict(type="list", elements="dict", default=[],
                       options=dict(_ENTRY, content=dict(type="str", required=True),
                                    diff=dict(type="bool", default=True))),
        ),
        supports_check_mode=True,
    )
    writer = _Writer(module)
    try:
        for entry in module.params["directories"]:
            writer.directory(entry)
        for entry in module.params["files"]:
            writer.file(entry)
    except _Refused as exc:
        module.fail_json(msg=str(exc), changed_paths=writer.changed)
    except (IOError, OSError) as exc:
        module.fail_json(msg="%s (done before it: %s)" % (to_native(exc), ", ".join(writer.changed) or "nothing"),
                         changed_paths=writer.changed)
    module.exit_json(changed=bool(writer.changed), changed_paths=writer.changed, created_paths=writer.created,
                     diff=writer.diffs)


if __name__ == "__main__":
    main()
