# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Shared by the read-only modules (zookeeper_info, zookeeper_wait): they only ask servers questions.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Whether the module can run in check mode, and what it does then.
    support: full
    details: It only reads the servers' state, so it runs the same in check mode and reports C(changed=false).
  diff_mode:
    description: Whether the module reports a diff of what it changed.
    support: none
    details: It changes nothing, so there is nothing to show.
"""
