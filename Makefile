# Continuity Desk developer commands.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements.stamp

.PHONY: venv run test lint bench clean

venv: $(STAMP)

# Reinstall only when the requirements change (or the venv is new).
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

run: venv
	$(VENV)/bin/streamlit run app.py --server.headless=true

# Every test on DuckDB, then the core suite again on PostgreSQL (a throwaway server
# the tests start; see tests/pg_server.py).
test: venv
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -n 2
	CONTINUITY_TEST_ENGINE=postgresql $(PY) -m pytest -q -n 2 tests/unit

lint: venv
	$(VENV)/bin/ruff check .

bench: venv
	@set -e; for f in bench/*.py; do \
		[ -e "$$f" ] || continue; \
		echo "== $$f"; $(PY) "$$f"; \
	done

clean:
	rm -rf .pytest_cache .ruff_cache .hypothesis tests/e2e/screenshots
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print -exec rm -rf {} +
