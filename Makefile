# The commands people type. Every target sets up .venv first, so each one
# works on a fresh machine with Python 3.11+ and the package registries.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# JupyterLab refuses to run as root unless told to
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# kernels talk to the server over local sockets, not TCP, where the paths fit (see the script)
KERNEL_FLAG = $$(tools/kernel-transport $(VENV)/bin/jupyter)
LAB_ARGS ?=
PYTEST_ARGS ?=

.PHONY: help setup lab lab-instructor test test-fast release nav lint grade cluster bench clean hub hub-stop

help:
	@echo "make lab             set up, then open the course in JupyterLab (student view)"
	@echo "make test            set up, then run every test (notebooks, grading, browser)"
	@echo "make release         regenerate notebooks/ from solutions/ with nbgrader"
	@echo "make nav             regenerate the navigation cells and the index"
	@echo "make lab-instructor  JupyterLab at the repository root (solutions, formgrader)"
	@echo "make lint            ruff over the package, the tests and the notebooks"
	@echo "make grade           autograde submitted/ on every core: grades.csv, feedback, summary"
	@echo "make cluster         a Dask cluster on this machine to grade on (--scheduler)"
	@echo "make bench           the benchmarks: prints a table, writes benchmarks/results.json"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) $(KERNEL_FLAG) --ServerApp.root_dir=notebooks \
	    --LabApp.default_url=/lab/tree/index.ipynb $(LAB_ARGS)

lab-instructor: setup
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) $(KERNEL_FLAG) --ServerApp.root_dir=. $(LAB_ARGS)

# the browser tests need Debian's chromium; tools/ensure-chromium installs it
# when it is missing and this machine allows it (SKIP_BROWSER=1 skips them)
test: setup
	@tools/ensure-chromium
	$(PY) -m pytest -n 2 --dist loadgroup tests $(PYTEST_ARGS)

# everything but the browser and the notebook execution, for a quick loop
test-fast: setup
	$(PY) -m pytest -n 2 --dist loadgroup -m "not browser and not slow" tests $(PYTEST_ARGS)

release: setup
	$(PY) -m nbinstructor.release

nav: setup
	$(PY) -m nbinstructor.navigation

# GRADE_ARGS: e.g. --student ID, --assignment ID, --force, --jobs N (see nbutils-grade --help)
GRADE_ARGS ?=
grade: setup
	$(VENV)/bin/nbutils-grade $(GRADE_ARGS)

# a Dask cluster on this machine to grade on (NN_DASK_WORKERS=2); Ctrl-C stops it
cluster: setup
	tools/dask-cluster

lint: setup
	$(VENV)/bin/ruff check nbutils nbinstructor tests solutions benchmarks

# measures in one run; writes benchmarks/results.json and results.md, prints the table
bench: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

# the course's JupyterHub on 127.0.0.1 for a class on this machine (as root): see
# "Running a class" in the README. Ctrl-C or `make hub-stop` stops it.
HUB_ROOT ?= /opt/nn-hub
hub:
	NN_HUB_ROOT=$(HUB_ROOT) tools/hub/setup
	NN_HUB_ROOT=$(HUB_ROOT) tools/hub/start

hub-stop:
	NN_HUB_ROOT=$(HUB_ROOT) tools/hub/stop
