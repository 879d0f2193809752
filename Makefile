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

# Every test on DuckDB and, beside it, the core suite again on PostgreSQL (a throwaway
# server the tests start; see tests/pg_server.py). The PostgreSQL pass runs niced in
# the time the browser tests spend waiting; its output follows the DuckDB pass's.
# Interrupted (Ctrl-C), both passes stop and leave no server or folder behind.
# The DuckDB pass keeps xdist's `load` (tests/conftest.py: a module with a module-scoped
# fixture stays on one worker); `--dist worksteal` measured no faster (255-340 s
# against 303-308 s) and sets such fixtures up on both workers.
test: venv
	$(VENV)/bin/ruff check .
	@pglog=$$(mktemp); \
	CONTINUITY_TEST_ENGINE=postgresql nice -n 10 $(PY) -m pytest -q -n 1 tests/unit \
		>$$pglog 2>&1 & pg=$$!; \
	trap 'kill -TERM $$pg 2>/dev/null; wait $$pg; rm -f $$pglog; exit 130' INT TERM; \
	$(PY) -m pytest -q -n 2; duck=$$?; \
	wait $$pg; pgrc=$$?; \
	echo "== tests/unit on PostgreSQL"; cat $$pglog; rm -f $$pglog; \
	test $$duck = 0 && test $$pgrc = 0

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
