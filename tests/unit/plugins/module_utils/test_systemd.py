"""unit_failure (module_utils/systemd.py): a started unit whose process exited, or that systemd restarted, is
told apart from one that is running or still starting. States as `systemctl show` prints them."""
import pytest

from ansible_collections.zkforge.zookeeper.plugins.module_utils.systemd import unit_failure

STARTED = {"ActiveState": "active", "SubState": "running", "Result": "success", "NRestarts": "0", "MainPID": "812",
           "ExecMainCode": "0", "ExecMainStatus": "0"}


def _now(**changes):
    state = dict(STARTED)
    state.update(changes)
    return state


@pytest.mark.parametrize("now", [STARTED, _now(ActiveState="activating", SubState="start"), None],
                         ids=["running", "starting", "systemctl silent"])
def test_running_or_starting_is_no_failure(now):
    assert unit_failure(STARTED, now) is None


@pytest.mark.parametrize("now, fragment", [
    (_now(ActiveState="activating", SubState="auto-restart", Result="exit-code", ExecMainCode="1",
          ExecMainStatus="1", MainPID="0"), "crash-looping: its process exited with status 1"),
    (_now(NRestarts="2", ExecMainCode="1", ExecMainStatus="3"), "systemd restarted it 2 times"),
    (_now(ActiveState="failed", SubState="failed", Result="exit-code", ExecMainCode="1", ExecMainStatus="1"),
     "the unit is failed/failed: its process exited with status 1"),
    (_now(ActiveState="inactive", SubState="dead", ExecMainCode="2", ExecMainStatus="9"), "was killed with status 9"),
])
def test_exited_or_restarted_is_a_failure(now, fragment):
    assert fragment in unit_failure(STARTED, now)


# Found crash-looping when the wait began (upgrade scenario, fault (c): the re-run with the fault removed found the
# server between two of systemd's restarts). The restart systemd still owes it is not a new failure; an exit after
# that restart is.
LOOPING = _now(ActiveState="activating", SubState="auto-restart", Result="exit-code", ExecMainCode="1",
               ExecMainStatus="1", MainPID="0", NRestarts="4")


@pytest.mark.parametrize("now", [LOOPING, _now(NRestarts="5"), _now(ActiveState="activating", SubState="start",
                                                                      NRestarts="5")],
                         ids=["still waiting", "restarted and running", "restarted and starting"])
def test_the_restart_owed_to_a_looping_unit_is_no_failure(now):
    assert unit_failure(LOOPING, now) is None


@pytest.mark.parametrize("now", [dict(LOOPING, NRestarts="5"), _now(NRestarts="6")],
                         ids=["exited after the owed restart", "restarted twice"])
def test_exits_after_the_owed_restart_are_failures(now):
    assert "crash-looping" in unit_failure(LOOPING, now)
