# Set-up is idempotent: Debian packages only when missing, the venv only when its inputs changed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Tests: Chromium for the buyer page, a CJK font, what Qt needs to run offscreen, and a virtual X
# display (Xvfb) with libX11 for sharing the screen or a window in a call; PostgreSQL and Redis servers,
# which the tests start themselves in temporary directories on loopback (tests/servers.py).
DEBS := chromium fonts-wqy-microhei libegl1 libgl1 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 \
	libxkbcommon0 xvfb libx11-6 postgresql redis-server
# A real window (the demo on a desktop, screenshots under Xvfb): Qt's xcb platform and a virtual screen.
GUI_DEBS := $(DEBS) xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb-xkb1 libxcb-util1 \
	libx11-xcb1 libxkbcommon-x11-0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test setup gui-setup debs gui-debs install-debs lint typecheck pytest bench screenshots translations clean

demo: gui-setup
	$(PY) -m app.demo $(DEMO_ARGS)

test: setup lint typecheck pytest

setup: debs $(STAMP)

gui-setup: gui-debs $(STAMP)

debs:
	@$(MAKE) --no-print-directory install-debs PACKAGES="$(DEBS)"

gui-debs:
	@$(MAKE) --no-print-directory install-debs PACKAGES="$(GUI_DEBS)"

install-debs:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# Debian's own Python keeps ensurepip in python3.X-venv: installed only when creating the venv needs it.
$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found"; exit 1; }
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); \
	  $(MAKE) --no-print-directory install-debs PACKAGES="$(notdir $(PYTHON))-venv" && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

lint:
	$(VENV)/bin/ruff check .

typecheck:
	$(VENV)/bin/mypy

# Then the relay's tests once more with the relay on PostgreSQL (KEFU_TEST_STORE, tests/conftest.py); the
# files that choose their stores themselves (the contract on both, the cluster and bus on PostgreSQL) ran above.
PG_AGAIN_SKIP := test_store_contract test_postgres_relays test_cluster test_cluster_kill test_cluster_routing test_bus
pytest:
	$(PY) -m pytest -q -p no:cacheprovider
	KEFU_TEST_STORE=postgresql $(PY) -m pytest -q -p no:cacheprovider tests/relay \
		$(foreach t,$(PG_AGAIN_SKIP),--ignore=tests/relay/$(t).py)

bench: setup
	$(PY) -m bench

# PNGs of each main screen (Chinese, and one in English) from the real window under Xvfb.
screenshots: gui-setup
	$(PY) -m tests.screenshots --out docs/screenshots

# After changing user-facing text in ui/: refresh the .ts files, translate (Qt Linguist), compile.
translations: setup
	$(VENV)/bin/pyside6-lupdate $$(find ui -name '*.py') -no-obsolete \
		-ts resources/translations/kefu_zh_CN.ts resources/translations/kefu_en.ts
	$(VENV)/bin/pyside6-lrelease resources/translations/kefu_zh_CN.ts resources/translations/kefu_en.ts

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
