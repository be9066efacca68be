"""Test-only stdout callback: every task result as one JSON document at the end of the run, in the shape of the
ansible.posix.json callback ({"plays": [{"tasks": [{"hosts": {host: result}}]}]}). ansible-core has no JSON
stdout callback of its own, and the unit tests run on bare ansible-core of every supported version (the ansible-core
matrix), where ansible.posix is not installed."""
import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: results_json
type: stdout
short_description: every task result as one JSON document (tests only)
description: [Prints every task result as one JSON document when the run ends.]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "results_json"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, **extra):
        # pylint: disable-next=protected-access
        data = dict(result._result, **extra)
        self.plays[-1]["tasks"][-1]["hosts"][result._host.get_name()] = data  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        self._display.display(json.dumps({"plays": self.plays}, default=str))
