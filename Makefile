# make test     - the whole suite (what CI runs): lint, unit tests, collection build, molecule scenarios
# make sandbox  - three local systemd containers converged by site.yml (inventories/sandbox)
# make unit     - unit tests only (no containers)
# make sanity   - ansible-test sanity on plugins/ (no containers)
# make changelog - CHANGELOG.rst rendered from changelogs/fragments for galaxy.yml's version
export ZKFORGE_CACHE ?= $(HOME)/.cache/zkforge
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: bootstrap test unit sanity lint sandbox sandbox-destroy build changelog

bootstrap:
	bash tests/bootstrap.sh

test: bootstrap
	.venv/bin/pytest --durations=0 tests

unit: bootstrap
	.venv/bin/pytest tests/unit

sanity: bootstrap
	bash tests/sanity.sh plugins/

lint: bootstrap
	.venv/bin/pytest tests/test_lint.py

sandbox: bootstrap
	bash tests/fixtures/sandbox-up.sh

sandbox-destroy:
	bash tests/fixtures/sandbox-down.sh

build:
	.venv/bin/ansible-galaxy collection build --force --output-path build

changelog: bootstrap
	.venv-galaxy/bin/python tests/changelog_preview.py
