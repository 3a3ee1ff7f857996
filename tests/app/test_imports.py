"""The desktop core stays free of Qt: every `app.*` module imports in a process where Qt cannot.

docs/architecture.md (import rules): `app/` never imports PySide6 (any Qt), nor `relay` or `ui`.
The check runs in a fresh interpreter, so nothing another test imported can hide an import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BLOCKED = ("PySide6", "shiboken6", "qasync", "relay", "ui")

# Runs in the child. A meta-path finder placed first refuses the blocked packages (and their
# submodules) with ImportError and notes who asked, so an `app` module that catches the
# ImportError (an "optional Qt") is caught too.
CHILD = r"""
import importlib, json, pkgutil, sys

BLOCKED = set(sys.argv[1].split(","))
attempts = []

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in BLOCKED:
            return None
        frame, importer = sys._getframe(1), "?"
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module == "app" or module.startswith("app."):
                importer = module
                break
            frame = frame.f_back
        attempts.append([importer, name])
        raise ImportError(f"{name} is blocked in this test")

sys.meta_path.insert(0, Refuse())
preloaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
try:
    import PySide6.QtCore  # the blocker must work, or the test proves nothing
    blocker_works = False
except ImportError:
    blocker_works = True
attempts.clear()

import app
imported, failed = [], {}
for info in pkgutil.walk_packages(app.__path__, "app."):
    try:
        importlib.import_module(info.name)
        imported.append(info.name)
    except Exception as exc:
        failed[info.name] = f"{type(exc).__name__}: {exc}"
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print(json.dumps({"blocker_works": blocker_works, "preloaded": preloaded, "imported": imported,
                  "failed": failed, "attempts": attempts, "loaded": loaded}))
"""


def test_every_app_module_imports_without_qt_relay_or_ui() -> None:
    done = subprocess.run(
        [sys.executable, "-E", "-c", CHILD, ",".join(BLOCKED)], cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["blocker_works"] and report["preloaded"] == []
    # the walk really covered the core (a broken walk would prove nothing)
    assert {"app.client", "app.link", "app.history", "app.services", "app.events", "app.account",
            "app.credentials", "app.config"} <= set(report["imported"])
    assert report["failed"] == {}, report["failed"]
    assert report["attempts"] == [], f"app modules tried to import (importer, module): {report['attempts']}"
    assert report["loaded"] == []
