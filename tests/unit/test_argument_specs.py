"""meta/argument_specs.yml describes every public variable of defaults/main.yml, key for key, with the same
default, and nothing else (required variables, which have no default, excepted)."""
from pathlib import Path

import pytest
import yaml

ROLES = sorted(p.parent.parent for p in (Path(__file__).resolve().parents[2] / "roles").glob("*/meta/argument_specs.yml"))


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_argument_specs_match_defaults(role):
    defaults = yaml.safe_load((role / "defaults/main.yml").read_text()) or {}
    options = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    optional = {k: v for k, v in options.items() if not v.get("required")}
    assert sorted(optional) == sorted(defaults)
    for key, value in defaults.items():
        assert optional[key].get("default") == value, key
        assert optional[key].get("description"), key
        assert all(k.startswith(role.name + "_") for k in options), "public variables carry the role prefix"


def test_every_role_has_the_same_shape():
    for role in ROLES:
        for part in ("defaults/main.yml", "vars/main.yml", "tasks/main.yml", "tasks/preflight.yml",
                     "tasks/install.yml", "handlers/main.yml", "meta/main.yml"):
            assert (role / part).is_file(), f"{role.name}: {part}"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_every_option_is_described_in_a_sentence(role):
    options = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    for key, spec in options.items():
        text = " ".join(spec["description"]) if isinstance(spec["description"], list) else str(spec["description"])
        assert text.strip() != key and len(text.split()) >= 4, f"{key}: '{text}' is not a description"


def test_validation_sees_every_public_variable():
    """vars/main.yml hands every public variable of the zookeeper role to the validation (_zookeeper_settings)."""
    role = next(r for r in ROLES if r.name == "zookeeper")
    defaults = yaml.safe_load((role / "defaults/main.yml").read_text())
    settings = yaml.safe_load((role / "vars/main.yml").read_text())["_zookeeper_settings"]
    assert sorted(settings) == sorted(list(defaults) + ["zookeeper_id"])
    # Passwords reach it as shapes only (length, fitness, fingerprint), never as values.
    options = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    secrets = {key for key, spec in options.items() if spec.get("no_log")}
    assert secrets == {"zookeeper_tls_store_password", "zookeeper_quorum_sasl_password", "zookeeper_client_sasl_users",
                       "zookeeper_super_password"}
    assert all(value == ("{{ %s | zkforge.zookeeper.zookeeper_secret_shape }}" if key in secrets else "{{ %s }}") % key
               for key, value in settings.items() if key != "zookeeper_id")
