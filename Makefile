# pywasi_web: `make serve` runs the playground, `make test` runs every test. Both set up what they need.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
STAMP := build/.stamps

.PHONY: setup setup-python setup-node setup-browser assets serve test lint typecheck bench fuzz clean

setup: setup-python setup-node setup-browser assets

$(STAMP):
	mkdir -p $(STAMP)

setup-python: | $(STAMP)
	$(PIP) install --quiet -e '.[dev]'

setup-node: | $(STAMP)
	npm ci --no-audit --no-fund

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
setup-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# The wheels and example guests the browser loads (built outside git).
assets:
	$(PYTHON) -m pywasi_web.cli.assets

serve: setup-python setup-node assets
	$(PYTHON) -m pywasi_web.cli.main serve

test: setup
	$(PYTHON) -m pytest

lint:
	$(PYTHON) -m ruff check pywasi_web tests playwright bench
	$(PYTHON) -m ruff format --check pywasi_web
	$(PYTHON) -m mypy

bench: setup
	$(PYTHON) -m bench.run

fuzz: setup-python
	$(PYTHON) -m tests.fuzz.long_run --calls 1000000

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
