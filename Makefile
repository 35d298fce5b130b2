# Two commands on a fresh machine:  `make demo`  and  `make test`.
# Both create .venv on first use: torch==2.13.0 first (a CPU build from local disk),
# then this package with its extras; `make test` and `make bench` add the tensorflow extra
# and the notebook extra (nbclient runs examples/checking.ipynb in the tests)
# (CI runs the TensorFlow tests, never skips them). Re-running skips the install unless
# setup.cfg changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TF_STAMP := $(VENV)/.installed-tensorflow

.PHONY: demo test lint bench clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev,plot]"
	touch $(STAMP)

$(TF_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e ".[dev,plot,tensorflow,notebook]"
	touch $(TF_STAMP)

# The main job: the first lesson. Interactive in a terminal, a played-through demo otherwise.
demo: $(STAMP)
	@if [ -t 0 ]; then $(BIN)/tutor learn polynomial; else $(BIN)/tutor learn polynomial --auto; fi

test: $(TF_STAMP)
	TUTOR_REQUIRE_TENSORFLOW=1 $(BIN)/python -m pytest -q
	$(BIN)/ruff check tutor tests benchmarks

lint: $(STAMP)
	$(BIN)/ruff check tutor tests benchmarks
	$(BIN)/tutor lint lessons

bench: $(TF_STAMP)
	for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
