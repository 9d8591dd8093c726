# govchain: every target installs what is missing first (and is a no-op for what is present).
#   make up     start the devnet, compile, deploy the suite, show what is deployed (Ctrl-C stops)
#   make test   run the test suite (starts its own anvil)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHROMIUM   := /usr/bin/chromium
NODE_STAMP := node_modules/.govchain-installed
PY_STAMP   := $(VENV)/.govchain-installed

.PHONY: up test setup compile deploy status node bench lint clean

up: setup
	$(BIN)/govchain up

test: setup $(CHROMIUM)
	$(BIN)/pytest

setup: $(NODE_STAMP) $(PY_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(PY_STAMP): pyproject.toml $(NODE_STAMP)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/python -m govchain.toolchain register-ape
	@touch $@

# The explorer's browser test drives Debian's chromium through Playwright (never a download).
$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null || { \
	  echo "the explorer's browser test needs Debian's chromium: apt-get install -y chromium (as root)"; exit 1; }
	apt-get install -y -q chromium >/dev/null || { apt-get update -qq && apt-get install -y -q chromium >/dev/null; }

compile: setup
	$(BIN)/govchain compile

deploy: setup
	$(BIN)/govchain deploy --network local

status: setup
	$(BIN)/govchain status --network local

node: setup
	$(BIN)/govchain node

bench: setup
	$(BIN)/python -m benchmarks

# Long fuzzing, not part of `make test`: each state machine (and the customs assessment property)
# under the Hypothesis `fuzz` profile of tests/fuzz_profile.py, at least FUZZ_ACTIONS random
# actions each, a fresh seed unless FUZZ_SEED is given; the summary prints actions per machine.
FUZZ_ACTIONS ?= 10000
FUZZ_SEED    ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
FUZZ_TESTS   ?= tests/test_welfare_stateful.py tests/test_procurement_stateful.py \
                tests/test_land_stateful.py tests/test_ballot_stateful.py tests/test_customs_properties.py
.PHONY: fuzz
fuzz: setup
	GOVCHAIN_FUZZ_ACTIONS=$(FUZZ_ACTIONS) $(BIN)/pytest -p no:cacheprovider \
	  --hypothesis-profile=fuzz --hypothesis-seed=$(FUZZ_SEED) $(FUZZ_TESTS)

# Static analysis: Python (ruff, mypy --strict) and Solidity (solhint, then slither through the
# build's own solc; it fails on any untriaged High or Medium finding, see SECURITY.md).
lint: setup
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy
	node_modules/.bin/solhint --disc --noPoster --max-warnings 0 'contracts/**/*.sol'
	$(BIN)/python -m govchain.toolchain slither

clean:
	rm -rf build .build .govchain/local deployments/local.json deployments/embedded.json \
	  deployments/local deployments/embedded
