"""Languages: Qt translators for Simplified Chinese and English, switchable while running.

Source strings are English. `resources/translations/kefu_<lang>.qm` are compiled from the `.ts`
files (`make translations`). Switching installs the new translator; Qt then sends every widget a
LanguageChange event, and each widget sets its texts again in `retranslate()`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

logger = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"
LANGUAGES = ("zh_CN", "en")


def system_language() -> str:
    """Chinese on a Chinese locale, English elsewhere."""
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


class Languages:
    """Holds the installed translator; `use()` switches."""

    def __init__(self) -> None:
        self.current = ""
        self._translator: QTranslator | None = None

    def use(self, language: str) -> str:
        """Install `language` ("" follows the system); returns the language now in use."""
        language = language if language in LANGUAGES else system_language()
        if language == self.current:
            return language
        app = QCoreApplication.instance()
        assert app is not None, "create the QApplication first"
        translator = QTranslator(app)
        if not translator.load(str(TRANSLATIONS / f"kefu_{language}.qm")):
            logger.warning("no compiled translation for %s in %s", language, TRANSLATIONS)
        if self._translator is not None:
            QCoreApplication.removeTranslator(self._translator)
        QCoreApplication.installTranslator(translator)
        self._translator = translator
        self.current = language
        return language

    def reset(self) -> None:
        """Remove the installed translator (source strings, i.e. English, show again)."""
        if self._translator is not None:
            QCoreApplication.removeTranslator(self._translator)
            self._translator = None
        self.current = ""
