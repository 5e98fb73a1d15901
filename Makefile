# pywasi_web: `make serve` runs the playground, `make test` runs every test. Both set up what they need.
PYTHON ?= python3
PIP := $(PYTHON) -m pip

.PHONY: setup setup-python setup-node setup-browser assets lite lite-serve serve test lint bench fuzz clean

setup: setup-python setup-node setup-browser

setup-python:
	$(PIP) install --quiet -e '.[dev]'

setup-node:
	npm ci --no-audit --no-fund

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
setup-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# The wheels and example guests the browser loads, built into build/ (outside git). `serve` and
# the browser tests do this themselves; the target is for building them ahead of time.
assets: setup-python setup-node
	$(PYTHON) -c 'from pywasi_web.cli.serve import prepare_assets; prepare_assets()'

# The JupyterLite site with the example notebook, built into build/lite (see docs/notebooks.md).
# Any static server works; `make lite-serve` builds and serves it on http://127.0.0.1:8001.
lite: setup-python setup-node
	$(PYTHON) lite/build.py

lite-serve: setup-python setup-node
	$(PYTHON) lite/build.py --serve

serve: setup-python setup-node
	$(PYTHON) -m pywasi_web.cli.main serve

# Every test (CPython and Chromium), with line coverage of the WASI core (kernel, vfs, preview1).
COVERAGE := --cov=pywasi_web.kernel --cov=pywasi_web.vfs --cov=pywasi_web.preview1 \
	--cov-report=term-missing:skip-covered --cov-fail-under=90

test: setup
	$(PYTHON) -m pytest $(COVERAGE)

lint:
	$(PYTHON) -m ruff check pywasi_web tests playwright bench lite
	$(PYTHON) -m ruff format --check pywasi_web
	$(PYTHON) -m mypy

bench: setup
	$(PYTHON) -m bench.run

fuzz: setup-python
	$(PYTHON) -m tests.fuzz.long_run --calls 1000000

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
