# The two commands of the README are `make lab` and `make test`; both set up first.
SHELL := /bin/bash
ENV := source scripts/env.sh &&

.PHONY: setup lab demo test lint labext-test bench clean

setup:
	@bash scripts/setup.sh

lab: setup  ## JupyterLab on notebooks/, against the embedded local Islo server
	@$(ENV) jupyter lab --no-browser --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

demo: setup  ## headless: execute the quickstart notebook against the local server, print its outputs
	@$(ENV) python -m islo_jupyter.demo notebooks/quickstart.ipynb

lint: setup
	@$(ENV) ruff check islo_jupyter tests bench && ruff format --check islo_jupyter tests bench && mypy

test: setup lint  ## everything CI runs
	@$(MAKE) --no-print-directory labext-test
	@$(ENV) python -m pytest $(PYTEST_ARGS)

labext-test: setup  ## build the labextension (strict tsc, production bundle) and run its unit tests
	@$(ENV) cd labextension && { [ -d node_modules ] || npm install --no-audit --no-fund; } && npm run --silent build:prod >/dev/null && npm run --silent lint && npm test --silent

bench: setup
	@$(ENV) python -m bench $(BENCH_ARGS)

clean:
	rm -rf .venv .cache build dist labextension/lib labextension/node_modules islo_jupyter/labextension
