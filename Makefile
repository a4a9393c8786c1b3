# Pantau — the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test bench bench-classify bench-web bench-real bench-extract bench-learning model install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## run: install into .venv, create/upgrade the database, harvest every enabled source once
run: $(STAMP)
	$(BIN)/pantau init
	$(BIN)/pantau crawl

## test: install into .venv, check the import layers (docs/ARCHITECTURE.md, import-linter), then
## run the whole test suite (TEST_WORKERS processes, pytest-xdist)
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(TEST_WORKERS)

## bench: crawl benchmark on a generated local site (results: benchmarks/RESULTS.md)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_crawl.py

## bench-classify: classifier speed, load time and memory (results: benchmarks/RESULTS-classify.md)
bench-classify: $(STAMP)
	$(BIN)/python benchmarks/bench_classify.py --write

## bench-web: list and queue page latency with 100,000 items on SQLite and PostgreSQL (benchmarks/RESULTS-web.md)
bench-web: $(STAMP)
	$(BIN)/python benchmarks/bench_web.py --write

## bench-real: the classifier on real texts in ../shared/realtexts (results: benchmarks/RESULTS-real.md)
bench-real: $(STAMP)
	$(BIN)/python benchmarks/bench_real.py --write

## bench-extract: the page reader beside plain trafilatura on the real pages in ../shared/peerpages and
## ../shared/realpages (results: benchmarks/RESULTS-extract.md; skipped with a message when missing)
bench-extract: $(STAMP)
	$(BIN)/python benchmarks/bench_extract.py

## model: retrain the model shipped inside the package (after the corpus changes), then fit its
## calibration, threshold and review floor on the bandung dev half (../shared/realtexts; skipped
## with a message when that folder is missing)
model: $(STAMP)
	$(BIN)/pantau train --ship --region 35.13
	$(BIN)/python benchmarks/bench_real.py --choose

## bench-learning: the learning loop on a simulated office (results: benchmarks/RESULTS-real.md)
bench-learning: $(STAMP)
	$(BIN)/python benchmarks/bench_learning.py --write

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
