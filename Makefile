# The two commands (README): `make demo` runs the main job, `make test` runs the suite.
# Both set everything up first, idempotently: venv + pinned packages, Lambda runtimes, npm packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_APP := app/thumbnail_node
NODE_APPS := $(NODE_APP) app/thumbnail_node_sdk2023 app/authorizer_node
CDK_APP := app/cdk

.PHONY: setup demo test bench bench-peers up clean chromium ruby
setup: $(VENV)/.installed $(NODE_APPS:%=%/node_modules/.installed) $(CDK_APP)/node_modules/.installed chromium ruby
	$(BIN)/python -m harness.lambda_runtime.install
	$(BIN)/python -m harness.endpoints
	$(BIN)/python -m harness.library.targets.localstack_catalog
	$(BIN)/python -m harness.library.targets.localstack_certificate
	@# the harness's own bytecode, once: with PYTHONDONTWRITEBYTECODE set (as on this machine kind) each engine, pytest
	@# worker and CLI run compiled every harness module again (~0.1 s of CPU per process); pip did this for site-packages
	$(BIN)/python -m compileall -q harness

# Debian's chromium for the browser scenarios (Playwright drives it; its own browser download is not used).
chromium:
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: could not install chromium (needs root and Debian's archive); browser scenarios will be skipped"

# Debian's Ruby and AWS SDK for Ruby for the ruby Lambda runtimes (harness/lambda_runtime/ruby.py; RubyGems is not reachable),
# and ruby-jwt, from which the upload Lambda's jwt layer is built (harness/packaging.py). Then the SDK's own gem directory.
RUBY_PACKAGES := ruby ruby-aws-sdk-s3 ruby-aws-sdk-core ruby-jwt
ruby: $(VENV)/.installed
	@dpkg -s $(RUBY_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(RUBY_PACKAGES) >/dev/null; } \
	  || echo "warning: could not install $(RUBY_PACKAGES) (needs root and Debian's archive); ruby Lambda runtimes will be unavailable"
	$(BIN)/python -m harness.lambda_runtime.ruby_sdk || echo "warning: the AWS SDK for Ruby is not linked; ruby Lambda runtimes will be unavailable"

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

%/node_modules/.installed: %/package.json %/package-lock.json
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The CDK app's pinned aws-cdk-lib and CDK CLI (scenarios/test_cdk_app.py, the cdk_app fixture).
$(CDK_APP)/node_modules/.installed: $(CDK_APP)/package.json $(CDK_APP)/package-lock.json
	cd $(CDK_APP) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/harness demo

# pytest-xdist: 3 workers, each with its own engine, ports, state dirs and names; tests handed out one at a time, the
# longest first (conftest.py LONGEST_FIRST), except that the tests sharing a module-scoped fixture of their module go
# to one worker together (`--dist loadgroup`, conftest.py pytest_itemcollected). Most of a test's time is the engine
# and the Lambdas working, so 3 workers keep 2 cores busy without one waiting on another's CPU for long.
PYTEST_PARALLEL ?= -n 3 --dist loadgroup
# The Python stand-ins (README "The system under test"): the bug scenarios once more, on --sut python, in one more
# pytest beside the main run instead of after it (24 tests: one engine and one provisioning of the stand-ins, not one
# per worker, in the CPU the main run leaves); its output follows the main run's, and either failing fails the target.
SUT_PYTHON_LOG := reports/sut-python.log
test: setup
	@mkdir -p reports
	$(BIN)/python -m pytest --sut python --junitxml=reports/junit-sut-python.xml scenarios/test_avatar_api_bugs.py >$(SUT_PYTHON_LOG) 2>&1 & sut=$$!; \
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) --junitxml=reports/junit.xml; main=$$?; \
	wait $$sut; sut=$$?; echo "--- the bug scenarios on --sut python ($(SUT_PYTHON_LOG)):"; cat $(SUT_PYTHON_LOG); \
	[ $$main -eq 0 ] && [ $$sut -eq 0 ]

bench: setup
	$(BIN)/python bench/run.py

# The same workload against the harness and MiniStack (from PyPI, into $HARNESS_CACHE_DIR/bench/ministack-venv): bench/README.md
bench-peers: setup
	$(BIN)/python bench/peers.py

up: setup
	$(BIN)/harness up

clean:
	rm -rf $(VENV) $(NODE_APPS:%=%/node_modules) $(CDK_APP)/node_modules reports
