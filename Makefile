# Aftersales: `make run` to try it, `make test` to check it. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
ADDR ?= 127.0.0.1:8000

.PHONY: help setup run test test-fast lint fmt check migrations-check messages bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}'

.venv/.ready: pyproject.toml uv.lock scripts/bootstrap.sh
	@bash scripts/bootstrap.sh
	@touch $@

setup: .venv/.ready ## Create .venv (finding Python >= 3.12 and uv), install locked deps, migrate
	@$(PY) manage.py migrate --no-input -v0

run: setup ## Set up, load demo data, serve on http://$(ADDR) with background jobs in-process
	@$(PY) manage.py seed_demo
	@echo "Open http://$(ADDR)/ and sign in with one of the logins above."
	@$(PY) manage.py serve --addrport $(ADDR)

test: .venv/.ready ## Run the whole suite (browser journeys too when Chromium is installed)
	@$(PY) -m pytest $(PYTEST_ARGS)

test-fast: .venv/.ready ## The suite in parallel on two workers
	@$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: .venv/.ready ## ruff lint and format check
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

fmt: .venv/.ready ## Format and fix what ruff can
	@.venv/bin/ruff format .
	@.venv/bin/ruff check --fix .

migrations-check: .venv/.ready ## Fail if a model change lacks its migration
	@$(PY) manage.py makemigrations --check --dry-run

messages: .venv/.ready ## Extract UI strings into locale/*/LC_MESSAGES/django.po and compile them
	@$(PY) manage.py makemessages -l zh_Hans -l zh_Hant -l ru -l en --no-obsolete --add-location file -i '.venv/*' -i 'var/*'
	@$(PY) manage.py compilemessages -v0 -i .venv

check: lint migrations-check test ## Everything CI runs on one database

bench: .venv/.ready ## Run the benchmarks in bench/ (SCALE=small|medium|full)
	@$(PY) bench/run.py --scale $(or $(SCALE),small)

clean: ## Remove the virtual environment and local data (var/)
	rm -rf .venv .tools var
