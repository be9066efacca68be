# -*- coding: utf-8 -*-
# Copyright: zkforge maintainers
# Apache License 2.0 (see LICENSE)
"""Filters the zookeeper role decides with. The logic lives in module_utils (validate.py, ensemble.py, install.py, report.py),
where unit tests call it directly; these are the thin names the role's tasks use."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.zkforge.zookeeper.plugins.module_utils.ensemble import (
    membership_plan,
    roll_needed,
    roll_order,
    roll_survey,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.install import (
    account_differs,
    differs,
    releases_to_remove,
    to_write,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.report import status_table
from ansible_collections.zkforge.zookeeper.plugins.module_utils.security import (
    checks_over_tls,
    digest,
    fips_mode_must_be_off,
    secret_shape,
    security_plan,
    state_settings,
)
from ansible_collections.zkforge.zookeeper.plugins.module_utils.validate import (
    ensemble_problems,
    firewall_rules,
    host_problems,
    java_problems,
    member_problems,
    settings_problems,
    subject_alt_names,
    zookeeper_servers,
)


def zookeeper_problems(settings, servers, host):
    """Every problem of this host's settings and of its place in the ensemble."""
    return settings_problems(settings, host, os.path.isfile) + member_problems(servers, host, settings)


def zookeeper_ensemble_problems(servers, settings, firewall=True):
    """Every problem of the ensemble as a whole (ids, roles, addresses, number of voters)."""
    return ensemble_problems(servers, settings, firewall)


def zookeeper_secret_shape(value):
    """A secret (or a mapping of names to secrets) as validation may see it: security.secret_shape of each."""
    if isinstance(value, dict):
        return dict((name, secret_shape(secret)) for name, secret in value.items())
    return secret_shape(value)


def zookeeper_host_problems(settings, state, host):
    """What this host holds already that the settings would damage (state: zookeeper_host_info's result)."""
    return host_problems(settings, state, host)


class FilterModule(object):
    def filters(self):
        return {
            "zookeeper_servers": zookeeper_servers,
            "zookeeper_problems": zookeeper_problems,
            "zookeeper_ensemble_problems": zookeeper_ensemble_problems,
            "zookeeper_host_problems": zookeeper_host_problems,
            "zookeeper_firewall_rules": firewall_rules,
            "zookeeper_java_problems": java_problems,
            "zookeeper_roll_order": roll_order,
            "zookeeper_roll_survey": roll_survey,
            "zookeeper_roll_needed": roll_needed,
            "zookeeper_membership_plan": membership_plan,
            "zookeeper_releases_to_remove": releases_to_remove,
            "zookeeper_differs": differs,
            "zookeeper_account_differs": account_differs,
            "zookeeper_to_write": to_write,
            "zookeeper_status_table": status_table,
            "zookeeper_subject_alt_names": subject_alt_names,
            "zookeeper_security_plan": security_plan,
            "zookeeper_security_settings": state_settings,
            "zookeeper_secret_shape": zookeeper_secret_shape,
            "zookeeper_digest": digest,
            "zookeeper_checks_over_tls": checks_over_tls,
            "zookeeper_fips_mode_must_be_off": fips_mode_must_be_off,
        }
