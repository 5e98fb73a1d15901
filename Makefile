# pywasi_web: `make serve` runs the playground, `make test` runs every test. Both set up what they need,
# in a virtual environment of their own (.venv), so they work with Debian's system Python (PEP 668).
SYSTEM_PYTHON ?= python3
VENV ?= .venv
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip
PORT ?= 8000
LITE_PORT ?= 8001
# Root installs Debian packages directly; anyone else through sudo.
APT := $(if $(filter 0,$(shell id -u)),,sudo )apt-get

.PHONY: setup setup-python setup-node setup-browser assets examples lite lite-serve serve test lint bench fuzz clean distclean

setup: setup-python setup-node setup-browser

# Debian's python3 makes a venv only with python3-venv installed (it carries ensurepip).
$(PYTHON):
	@$(SYSTEM_PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  $(APT) update -qq && $(APT) install -y -qq python3-venv; }
	$(SYSTEM_PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstalled when pyproject.toml changes (the stamp is newer than it otherwise).
$(VENV)/.installed: pyproject.toml | $(PYTHON)
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

setup-python: $(VENV)/.installed

# Reinstalled when package-lock.json changes (npm ci rewrites node_modules/.package-lock.json).
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

setup-node: node_modules/.package-lock.json

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
setup-browser:
	@command -v chromium >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq chromium; }

# The wheels and example guests the browser loads, built into build/ (outside git). `serve` and
# the browser tests do this themselves; the target is for building them ahead of time.
assets: setup-python setup-node
	$(PYTHON) -c 'from pywasi_web.cli.serve import prepare_assets; prepare_assets()'

# The example guests (examples/*.c, compiled with ziglang) and components (wasm-tools and jco's
# preview1 adapter) into build/examples: the docs' snippets run them (build/examples/hello.wasm,
# wc.wasm, hello.component.wasm, demo.wasm, ...).
examples: setup-python setup-node
	$(PYTHON) -c 'from pywasi_web.cli.serve import build_examples; build_examples()'
	$(PYTHON) -m tests.component.build --into build/examples

# The JupyterLite site with the example notebook, built into build/lite (see docs/notebooks.md).
# Any static server works; `make lite-serve` builds and serves it on http://127.0.0.1:$(LITE_PORT).
lite: setup-python setup-node
	$(PYTHON) lite/build.py

lite-serve: setup-python setup-node
	$(PYTHON) lite/build.py --serve --port $(LITE_PORT)

serve: setup-python setup-node
	$(PYTHON) -m pywasi_web.cli.main serve --port $(PORT)

# Every test (CPython and Chromium), with line coverage of the WASI core (kernel, vfs, preview1),
# the engines, the API, the browser-only modules and the component model with its WASI 0.2 host:
# the browser tests' Pyodide is measured too (playwright/pyodide_coverage.py) and combined with
# CPython's before the gate.
COVERAGE ?= --cov=pywasi_web.kernel --cov=pywasi_web.vfs --cov=pywasi_web.preview1 \
	--cov=pywasi_web.engines --cov=pywasi_web.api --cov=pywasi_web.browser \
	--cov=pywasi_web.component --cov=pywasi_web.preview2 \
	--cov-report=term-missing:skip-covered --cov-fail-under=90

test: setup
	$(PYTHON) -m pytest $(COVERAGE)

lint: setup-python
	$(PYTHON) -m ruff check pywasi_web tests playwright bench lite web/pywasi_worker.py
	$(PYTHON) -m ruff format --check pywasi_web web/pywasi_worker.py
	$(PYTHON) -m mypy

bench: setup
	$(PYTHON) -m bench.run

fuzz: setup-python
	$(PYTHON) -m tests.fuzz.long_run --calls 1000000

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache

distclean: clean
	rm -rf $(VENV) node_modules
