"""Every user-facing string goes through Qt's translation system and is translated."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"
TOOLS = Path(sys.executable).parent


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    return {(ctx.findtext("name") or "", m.findtext("source") or ""): m
            for ctx in root.iter("context") for m in ctx.iter("message")}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_string_in_ui_is_in_the_translation_and_translated(tmp_path: Path, language: str) -> None:
    lupdate = TOOLS / "pyside6-lupdate"
    if not lupdate.exists():
        pytest.skip("pyside6-lupdate is not installed")
    fresh = tmp_path / f"kefu_{language}.ts"
    shutil.copy(TRANSLATIONS / f"kefu_{language}.ts", fresh)
    sources = sorted(str(p) for p in (ROOT / "ui").rglob("*.py"))
    subprocess.run([str(lupdate), *sources, "-no-obsolete", "-ts", str(fresh)], check=True, capture_output=True)
    committed, extracted = messages(TRANSLATIONS / f"kefu_{language}.ts"), messages(fresh)
    assert set(extracted) == set(committed), "run `make translations` and translate what is new"
    unfinished = [key for key, m in committed.items() if (m.find("translation") is not None
                                                           and m.find("translation").get("type") == "unfinished")]
    assert not unfinished, f"untranslated: {unfinished[:5]}"
    if language == "zh_CN":
        same = [key for key, m in committed.items() if m.findtext("translation") == key[1] and key[1].isascii()
                and any(c.isalpha() for c in key[1]) and m.get("numerus") != "yes"]
        assert not same, f"left in English: {same[:5]}"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_compiled_translation_matches_its_source(tmp_path: Path, language: str) -> None:
    lrelease = TOOLS / "pyside6-lrelease"
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease is not installed")
    out = tmp_path / f"kefu_{language}.qm"
    subprocess.run([str(lrelease), str(TRANSLATIONS / f"kefu_{language}.ts"), "-qm", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == (TRANSLATIONS / f"kefu_{language}.qm").read_bytes(), "run `make translations`"


def test_translations_are_asked_for_with_literal_text_lupdate_can_see() -> None:
    """`tr(x)` / `translate(ctx, x)` with a variable hides the text from lupdate: it is never translated."""
    import ast

    hidden = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute | ast.Name):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            text = (node.args[0] if name == "tr" and node.args else
                    node.args[1] if name == "translate" and len(node.args) > 1 else None)
            if text is not None and not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not hidden, f"translated text lupdate cannot read: {hidden}"
