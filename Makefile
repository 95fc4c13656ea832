# Two commands set up a fresh machine: `make demo` and `make test`. Both (re)create .venv idempotently.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED := false
# bytecode is written (it lands in __pycache__, which git ignores): with PYTHONDONTWRITEBYTECODE set, as in this
# machine's shells, every process of the suite (~150: flow runs, CLIs, workers, xdist workers) compiled ~120 of the
# project's modules again (0.09 s a process) and every xdist worker rewrote every test module's assertions
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test lint venv clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/commerce-sync demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# two xdist workers per core: a test mostly waits on another process (the Prefect test server, an e2e stack's
# server, worker and flow-run processes, PostgreSQL), so one worker per core leaves the cores half idle (README,
# Tests). Each e2e stack is an xdist group (the largest, handed out first), the rest beside them; the 15 slowest
# tests are listed at the end. `pytest -m "not slow"` is the quick loop while coding.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))

test: lint
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) --durations=15

clean:
	rm -rf $(VENV) build *.egg-info
