# EduGroup — `make run` serves the demo on http://127.0.0.1:8000; `make test` runs checks and the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run migrate demo serve check test test-fast chromium bench bench-quick clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip >/dev/null
	$(BIN)/pip install -e '.[dev]'
	touch $@

migrate: install
	$(BIN)/edugroup migrate

demo: migrate
	$(BIN)/edugroup demo

run: demo
	$(BIN)/edugroup serve --host 127.0.0.1 --port 8000

check: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m edugroup.core.migrate --check

# Debian's Chromium, ChromeDriver and CJK fonts for the browser test, installed when missing.
chromium:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list :lang=zh | grep -q .; then \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium chromium-driver fonts-noto-cjk; fi

test: check chromium
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not browser" -x -q

# Every bench in bench/ at full size (a long run); BENCH_ARGS="--only rotation --postgres URL" and so on.
bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Every bench at small sizes, in about a minute: checks that they run.
bench-quick: install
	$(BIN)/python bench/run_all.py --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
