# Origo — the two commands of the quick start are `make up` and `make test`.
# Each one installs what it needs on a fresh machine (Python venv, npm packages,
# compiled contracts) and is cheap to run again.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
NPM_DIR := hardhat-config
# IPFS=kubo runs `make up` with one kubo daemon per member instead of the embedded payload store.
IPFS ?= local
# CHAIN=clique runs `make up` on one geth Clique sealer per member instead of one anvil.
CHAIN ?= anvil

# kubo, built from the Go module proxy into .tools/ (git-ignored) and rebuilt only when these versions change.
# go-libp2p: see scripts/build_kubo.sh for why kubo's own replace of it is swapped for this release.
KUBO_VERSION  := v0.43.1
KUBO_LIBP2P   := v0.50.0
TOOLS         := .tools
KUBO_STAMP    := $(TOOLS)/.stamp-kubo-$(KUBO_VERSION)-libp2p-$(KUBO_LIBP2P)
# geth, the last release that seals Clique blocks on its own, built with the Go toolchain it was released for
# (the module proxy serves it); see scripts/build_geth.sh for the fallback when that toolchain cannot be fetched.
GETH_VERSION   := v1.13.15
GETH_TOOLCHAIN := go1.22.12
GETH_STAMP     := $(TOOLS)/.stamp-geth-$(GETH_VERSION)

.PHONY: help setup up test test-fast lint gas bench clean distclean browser kubo geth postgres

help:
	@echo "make up      - bring up a local consortium (anvil + one node per member; MEMBERS=11 for all)"
	@echo "               make up IPFS=kubo: payloads on one kubo daemon per member (private swarm)"
	@echo "               make up CHAIN=clique: one geth Clique sealer per member instead of anvil"
	@echo "make kubo    - build the pinned kubo into $(TOOLS)/bin (needs Go >= 1.26.5)"
	@echo "make geth    - build the pinned geth (Clique sealer) into $(TOOLS)/bin (needs Go)"
	@echo "make test    - install what is needed and run the whole test suite"
	@echo "make lint    - ruff and mypy"
	@echo "make gas     - print the contracts' gas report"
	@echo "make bench   - run the benchmarks"
	@echo "make clean   - stop nothing, wipe the local devnet's data (.devnet/)"

$(VENV)/.stamp-python: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

$(NPM_DIR)/node_modules/.stamp-npm: $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	# `npm install`, not `npm ci`: anvil's other-platform optional packages are not on
	# the registry mirror these machines reach, so the lock file cannot list them and
	# `npm ci` refuses it. The lock still pins every version that is installed here.
	cd $(NPM_DIR) && npm install --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.stamp-python $(NPM_DIR)/node_modules/.stamp-npm
	$(PY) scripts/compile_contracts.py --check-or-write

# Debian's Chromium for the verification page's browser tests (root on these machines).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "chromium missing: install Debian's chromium package"; fi; }

# Debian's PostgreSQL 15 for the store suite on PostgreSQL (the tests start their own cluster; root here).
PG_BIN ?= /usr/lib/postgresql/15/bin
postgres:
	@test -x $(PG_BIN)/initdb || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL missing: install Debian's postgresql package"; fi; }

# The first build took 7.5 minutes on 2 shared cores; later ones only check the stamp.
kubo:
	@test -x $(TOOLS)/bin/ipfs -a -f $(KUBO_STAMP) || bash scripts/build_kubo.sh $(KUBO_VERSION) $(KUBO_LIBP2P) $(TOOLS)

# About 2 minutes on 2 cores with cold Go caches; later runs only check the stamp.
geth:
	@test -x $(TOOLS)/bin/geth -a -f $(GETH_STAMP) || bash scripts/build_geth.sh $(GETH_VERSION) $(GETH_TOOLCHAIN) $(TOOLS)

# `make up MEMBERS=11`: all ten ASEAN members and Timor-Leste (six when not given; a count or codes VN,SG,...).
# `make up IPFS=kubo`: one kubo daemon per member in a private swarm instead of the embedded store.
# `make up CHAIN=clique`: one geth Clique sealer per member (1-second blocks), each node on its own.
up: setup $(if $(filter kubo,$(IPFS)),kubo) $(if $(filter clique,$(CHAIN)),geth)
	$(PY) scripts/devnet.py up $(if $(MEMBERS),--members $(MEMBERS)) $(if $(IPFS),--ipfs $(IPFS)) $(if $(filter clique,$(CHAIN)),--chain clique)

test: setup browser kubo geth postgres
	$(PY) -m pytest -n 2 --dist loadgroup -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow and not integration and not browser"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

gas: setup
	$(PY) scripts/gas_report.py
	$(PY) scripts/validator_gas.py

bench: setup kubo
	$(PY) scripts/bench.py

clean:
	rm -rf .devnet

distclean: clean
	rm -rf $(VENV) $(NPM_DIR)/node_modules
