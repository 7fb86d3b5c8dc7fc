# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make book   build the site into _build/html (creates .venv, installs pinned requirements)
#   make test   run every test (installs test requirements and Debian's chromium if missing)
# While working: make check (the fast tier: data, analysis and presentation tests, no build;
# re-extraction from the original documents and the book builds run in make test).
# Maintainers' tools (make pdf, make bench) live in tools/ and benchmarks/.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
INSTALLED := $(VENV)/.installed-book
INSTALLED_TEST := $(VENV)/.installed-test
SOURCES_DIR ?= ../shared/sources

.PHONY: book force-book pdf check test validate extract serve clean lock bench help
help:
	@echo "make book      build the book into _build/html"
	@echo "make check     the fast tests: data, analysis and presentation (no build; under a minute)"
	@echo "make test      run the whole test suite (builds the book in a temporary copy)"
	@echo "make validate  check data/ against its schemas"
	@echo "make extract   re-extract NCMEC tables from the original PDFs (SOURCES_DIR=$(SOURCES_DIR)) and compare with data/"
	@echo "make serve     preview the built site on http://127.0.0.1:8000"
	@echo "make pdf       (maintainers) print the whole book as one PDF into _build/pdf/book.pdf"
	@echo "make bench     (maintainers) measure build times, page weight and Lighthouse into benchmarks/results.json"
	@echo "make clean     remove the build and the virtual environment"

$(PY):
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

# The repository root goes on the venv's path, so notebooks and tests import csam_reporting.
$(INSTALLED): requirements.txt constraints.txt | $(PY)
	$(PIP) install -r requirements.txt -c constraints.txt
	$(PY) -c 'import site, pathlib; pathlib.Path(site.getsitepackages()[0], "csam_book.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	touch $@

$(INSTALLED_TEST): $(INSTALLED) requirements-test.txt
	$(PIP) install -r requirements-test.txt -c constraints.txt
	touch $@

book: $(INSTALLED)
	$(PY) -m csam_reporting.build

force-book: $(INSTALLED)
	$(PY) -m csam_reporting.build --force

pdf: book
	bash scripts/ensure-chromium.sh
	$(PY) tools/pdf.py

validate: $(INSTALLED)
	$(PY) -m csam_reporting.data.validate

extract: $(INSTALLED)
	$(PY) -m csam_reporting.data.extract --check "$(SOURCES_DIR)"

check: $(INSTALLED_TEST)
	$(PY) -m pytest -q tests/unit

test: $(INSTALLED_TEST)
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-test-js.sh
	SOURCES_DIR="$${SOURCES_DIR:-$(SOURCES_DIR)}" $(PY) -m pytest

serve: book
	@echo "Serving _build/html on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html 8000

# Lighthouse from the npm registry, pinned by benchmarks/lighthouse/package-lock.json (12.2.3: the
# last line that runs on Node 20). It drives Debian's chromium through CHROME_PATH and downloads
# no browser of its own.
LIGHTHOUSE_DIR := benchmarks/lighthouse
LIGHTHOUSE := $(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse
$(LIGHTHOUSE): $(LIGHTHOUSE_DIR)/package.json $(LIGHTHOUSE_DIR)/package-lock.json
	npm ci --prefix $(LIGHTHOUSE_DIR) --no-audit --no-fund --loglevel=error
	touch $@

bench: $(INSTALLED_TEST) $(LIGHTHOUSE)
	bash scripts/ensure-chromium.sh
	CHROME_PATH=/usr/bin/chromium $(PY) benchmarks/bench.py

# Re-pin the transitive set after changing requirements*.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.txt -r requirements-test.txt
	.venv-lock/bin/pip freeze --exclude-editable | sort > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf _build conf.py $(VENV) .pytest_cache $(LIGHTHOUSE_DIR)/node_modules
