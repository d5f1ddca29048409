# The two commands (README): `make demo` runs the main job, `make test` runs the suite.
# Both set everything up first, idempotently: venv + pinned packages, Lambda runtimes, npm packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_APP := app/thumbnail_node
CDK_APP := app/cdk

.PHONY: setup demo test bench up clean chromium
setup: $(VENV)/.installed $(NODE_APP)/node_modules/.installed $(CDK_APP)/node_modules/.installed chromium
	$(BIN)/python -m harness.lambda_runtime.install
	$(BIN)/python -m harness.library.targets.localstack_catalog

# Debian's chromium for the browser scenarios (Playwright drives it; its own browser download is not used).
chromium:
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: could not install chromium (needs root and Debian's archive); browser scenarios will be skipped"

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

$(NODE_APP)/node_modules/.installed: $(NODE_APP)/package.json $(NODE_APP)/package-lock.json
	cd $(NODE_APP) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The CDK app's pinned aws-cdk-lib and CDK CLI (scenarios/test_cdk_app.py, the cdk_app fixture).
$(CDK_APP)/node_modules/.installed: $(CDK_APP)/package.json $(CDK_APP)/package-lock.json
	cd $(CDK_APP) && npm ci --no-audit --no-fund --loglevel=error
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
	rm -rf $(VENV) $(NODE_APP)/node_modules $(CDK_APP)/node_modules reports
