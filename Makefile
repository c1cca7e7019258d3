# make demo  - create .venv, install ftrec, run it on the shipped example
# make test  - create .venv with the test extras, run the whole test suite
# make bench - run the benchmarks (not part of `make test`): issue 16's figures beside their targets;
#              BENCH_ARGS=--full adds a batch of 1,000,000, --quick is a smoke run; make bench-audit: only the decision log's

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check --quiet

# durable-rules 2.0.28 is an sdist whose C extension calls PyEval_CallObject,
# which Python 3.13 removed: build it from source with the call mapped onto its successor.
PY_MINOR := $(shell $(PYTHON) -c 'import sys; print(sys.version_info[1])' 2>/dev/null)
ifeq ($(PY_MINOR),13)
DURABLE_BUILD := CPPFLAGS='-DPyEval_CallObject=PyObject_CallObject'
DURABLE_PIP   := --no-binary durable-rules
endif

.PHONY: demo test bench bench-audit clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml
	$(DURABLE_BUILD) $(PIP) install $(DURABLE_PIP) -e .
	touch $@

$(VENV)/.installed-test: $(PY) pyproject.toml
	$(DURABLE_BUILD) $(PIP) install $(DURABLE_PIP) -e '.[test]'
	touch $@ $(VENV)/.installed

# The demo records in $(VENV)/decisions.sqlite3, not the user's log; ftrec's closing "Why: ..." line names
# that log and the ftrec it was run by, so it works pasted as printed (tests/test_first_run.py).
demo: $(VENV)/.installed
	FTREC_AUDIT_LOG=$(VENV)/decisions.sqlite3 $(VENV)/bin/ftrec recommend examples/typical.yaml

test: $(VENV)/.installed-test
	$(PY) -m pytest -q

BENCH_ARGS ?=

bench: $(VENV)/.installed-test
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

bench-audit: $(VENV)/.installed-test
	$(PY) benchmarks/audit_bench.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
