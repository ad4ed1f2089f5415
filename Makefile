# ccroute — the few commands everybody runs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.deps-stamp
export VIRTUAL_ENV := $(abspath $(VENV))
export PATH := $(abspath $(VENV))/bin:$(PATH)

# Feature areas (server, simulator, ...) add their own targets in mk/*.mk
# and append to these lists, which `make test` and `make bench` run.
BENCH_TARGETS :=
TEST_TARGETS :=
-include mk/*.mk

.PHONY: help venv build build-dev demo test test-rust test-python fuzz stubtest bench bench-core bench-instructions lint fmt clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Python requirements are declared once, in pyproject.toml (build-system,
# dependencies and extras); scripts/deps.py lists them for pip.
$(STAMP): pyproject.toml scripts/deps.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	deps=$$($(PY) scripts/deps.py server test bench) && $(PIP) install --quiet $$deps
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv with the build and test tools

build: venv ## Build the native module (release) into .venv
	$(VENV)/bin/maturin develop --release --quiet

build-dev: venv ## Build the native module (debug, faster to compile) into .venv
	$(VENV)/bin/maturin develop --quiet

demo: build ## Route a small blended center step by step, then simulate a day under two policies
	$(PY) examples/demo.py
	$(PY) examples/demo_sim.py

test: build wallboard-deps redis-server test-rust test-python stubtest $(TEST_TARGETS) ## Set up, build and run every test

test-rust: ## Rust unit and integration tests (the core and the gRPC crates)
	cargo test -p router_core -p grpc_front -p grpc_raw --quiet

test-python: venv ## pytest suites (needs a build)
	$(PY) -m pytest -q

fuzz: build ## Property suites on fresh random examples (FUZZ_EXAMPLES per test, default 600)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -p no:cacheprovider tests/test_state_machine.py tests/test_state_machine_mix.py tests/test_batch.py tests/test_erlang.py
	IT_CASES=$${FUZZ_EXAMPLES:-600} cargo test --release -p router_core --test it -- props snapshot_fuzz

stubtest: venv ## Check the hand-written _ccroute.pyi against the built module
	$(PY) -m mypy.stubtest ccroute._ccroute

bench: build bench-core $(BENCH_TARGETS) ## Every benchmark (criterion for the core, Python throughput, feature benches)

bench-core: build ## Core benchmarks: criterion decisions/s, Python throughput, policies, batch vs greedy
	cargo bench -p router_core --bench routing -- --noplot
	cargo bench -p router_core --bench batch -- --noplot
	cargo bench -p router_core --bench selector -- --noplot
	$(PY) benches/python_throughput.py
	$(PY) benches/policy_throughput.py
	$(PY) benches/batch_vs_greedy.py

bench-instructions: ## Instruction counts of the routing hot paths (callgrind; repeatable on a noisy machine)
	cargo build --release -p router_core --example count_cycle
	for f in measured_agent_surplus measured_cycle measured_sim; do \
		valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="*$$f*" \
			target/release/examples/count_cycle 2>&1 | sed -n "s/.*Collected : /$$f: /p"; done

lint: venv ## Formatting (rustfmt), clippy, ruff and mypy: checks only, nothing changed
	cargo fmt --all --check
	cargo clippy -p router_core -p router_py -p grpc_front -p grpc_load -p grpc_raw --all-targets -- -D warnings
	$(PY) -m ruff check
	$(PY) -m mypy

fmt: venv ## Format the Rust code (rustfmt) and sort the Python imports (ruff)
	cargo fmt --all
	$(PY) -m ruff check --fix --select I

clean: ## Remove build outputs and the venv
	cargo clean
	rm -rf $(VENV) .pytest_cache .hypothesis
