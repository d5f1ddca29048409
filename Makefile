# The two commands (README): `make demo` runs the main job, `make test` runs the suite.
# Both set everything up first, idempotently: venv + pinned packages, Lambda runtimes, npm packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_APP := app/thumbnail_node
NODE_APPS := $(NODE_APP) app/thumbnail_node_sdk2023 app/authorizer_node

.PHONY: setup demo test bench up clean chromium
setup: $(VENV)/.installed $(NODE_APPS:%=%/node_modules/.installed) chromium
	$(BIN)/python -m harness.lambda_runtime.install
	$(BIN)/python -m harness.endpoints
	$(BIN)/python -m harness.localstack_catalog

# Debian's chromium for the browser scenarios (Playwright drives it; its own browser download is not used).
chromium:
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: could not install chromium (needs root and Debian's archive); browser scenarios will be skipped"

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $@

%/node_modules/.installed: %/package.json %/package-lock.json
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/harness demo

test: setup
	$(BIN)/python -m pytest --junitxml=reports/junit.xml

bench: setup
	$(BIN)/python bench/run.py

up: setup
	$(BIN)/harness up

clean:
	rm -rf $(VENV) $(NODE_APPS:%=%/node_modules) reports
