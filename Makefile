# Tonomy: the two commands that set up a fresh machine and do the work.
#   make run   - set up, build the native core, start a local Tonomy network
#   make test  - set up, then every Rust and Python test
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# A cargo target dir outside the clone speeds rebuilds; nothing depends on it existing.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/tonomy/target
export PIP_DISABLE_PIP_VERSION_CHECK := 1
SYSTEM_PACKAGES := capnproto chromium
STAMP := $(VENV)/.deps-stamp

.PHONY: help setup system-deps venv build run test test-rust test-python stubtest bench clean

help:
	@echo "make run    set up everything and start a local Tonomy network"
	@echo "make test   set up everything and run every Rust and Python test"
	@echo "make bench  run the benchmarks and print ratios measured side by side"

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing \
	    || { echo "could not install$$missing: install them with apt-get and run make again"; exit 1; }; \
	fi

$(PY):
	@echo "==> creating virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)

PLUGIN_PROJECTS := $(wildcard plugins/*/pyproject.toml)

$(STAMP): $(PY) pyproject.toml $(PLUGIN_PROJECTS)
	@echo "==> installing the build tool"
	$(PIP) install -q --upgrade pip "maturin>=1.7,<2"
	@touch $@

venv: $(PY) $(STAMP)

setup: system-deps venv build

build: system-deps venv
	@echo "==> building the native core (release) and installing tonomy with its dev extras"
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --release --extras dev
	@for p in $(dir $(PLUGIN_PROJECTS)) ; do echo "==> installing plugin $$p"; $(PIP) install -q --no-deps --no-build-isolation -e $$p || exit 1; done
	@$(PY) -c "import tonomy._core" || { echo "the native core does not import: see the cargo output above"; exit 1; }

run: setup
	@echo "==> starting a local Tonomy network (Ctrl-C stops it)"
	$(VENV)/bin/tonomy devnet

test: setup test-rust stubtest test-python

test-rust:
	@echo "==> cargo test (native core, no Python)"
	cargo test --locked --manifest-path core_rs/Cargo.toml

stubtest:
	@echo "==> mypy.stubtest: tonomy/_core.pyi against the built module"
	$(PY) -m mypy.stubtest tonomy._core --allowlist tonomy/stubtest-allowlist.txt

test-python:
	@echo "==> pytest (host, plugins, benchmarks as smoke tests)"
	$(PY) -m pytest --benchmark-disable -q

bench: setup
	@mkdir -p .benchmarks
	$(PY) -m pytest benchmarks --benchmark-only --benchmark-json=.benchmarks/latest.json --benchmark-columns=min,median,mean,ops -q
	$(PY) -m benchmarks.report

clean:
	rm -rf $(VENV) target .pytest_cache .benchmarks
