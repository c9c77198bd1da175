# The two commands of the README are `make lab` and `make test`; both set up first.
SHELL := /bin/bash
ENV := source scripts/env.sh &&

.PHONY: setup lab demo test lint bench clean

setup:
	@bash scripts/setup.sh

lab: setup  ## JupyterLab on notebooks/, against the embedded local Islo server
	@$(ENV) jupyter lab --no-browser --ServerApp.root_dir=notebooks $(LAB_ARGS)

demo: setup  ## headless: execute the quickstart notebook against the local server, print its outputs
	@$(ENV) python -m islo_jupyter.demo notebooks/quickstart.ipynb

lint: setup
	@$(ENV) ruff check islo_jupyter tests bench && ruff format --check islo_jupyter tests bench && mypy

test: setup lint  ## everything CI runs
	@$(ENV) python -m pytest $(PYTEST_ARGS)

bench: setup
	@$(ENV) python -m bench $(BENCH_ARGS)

clean:
	rm -rf .venv .cache build dist labextension/lib labextension/node_modules islo_jupyter/labextension
