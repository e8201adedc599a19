# The two commands of the README:
#   make demo   install specc (in .venv) and run it on a bundled example
#   make test   install everything the tests need (system packages included) and run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXAMPLE ?= examples/sklearn-basic
# sklearn-basic is not made for Databricks: its numpy 2 would replace the numpy 1 a Python 3.11
# runtime's pyarrow was built against (SPC215); private-index is a spec written for it
DATABRICKS_EXAMPLE ?= examples/private-index
OUT    ?= build/demo

.PHONY: demo test install install-dev system-deps lint bench clean models templates

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[all]'

install-dev: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'

system-deps:
	bash .ci/install-system-deps.sh

demo: install
	$(BIN)/specc validate --strict $(EXAMPLE) $(DATABRICKS_EXAMPLE)
	$(BIN)/specc compile --strict $(EXAMPLE) --out $(OUT)/mlflow
	$(BIN)/specc render --strict --target docker $(EXAMPLE) --out $(OUT)/docker
	$(BIN)/specc render --strict --target databricks $(DATABRICKS_EXAMPLE) --out $(OUT)/databricks
	@echo "demo: see $(OUT)/ (mlflow/log_model.json, docker/Dockerfile, databricks/init.sh ...)"

test: install-dev system-deps
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check specc tests bench scripts
	$(BIN)/ruff format --check specc tests bench scripts
	$(BIN)/mypy specc

# after editing a model definition (specc/spec_defs.py, specc/lock_defs.py): specc/_models.py
# (tests/test_compiled_models.py fails until it is regenerated)
models: install-dev
	$(BIN)/python scripts/compile_models.py

# after editing targets/**/*.j2 (or specc/templating.py's options or filters): the precompiled
# modules in specc/_templates/ (tests/test_templating.py fails until they are regenerated)
templates: $(BIN)/python
	$(BIN)/python scripts/compile_templates.py

# startup.py installs the peers (bentoml, truss, mlflow) once into build/bench-venvs/
bench: install-dev system-deps
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/log_model.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/lock.py
	$(BIN)/python bench/check.py

clean:
	rm -rf build .pytest_cache .hypothesis
