"""Languages: Qt translators for Simplified Chinese and English, switchable while running.

Source strings are English. `resources/translations/kefu_<lang>.qm` are compiled from the `.ts`
files (`make translations`). Switching installs the new translator; Qt then sends every widget a
LanguageChange event, and each widget sets its texts again in `retranslate()`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

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
        self._translators: list[QTranslator] = []

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
        qt_own = QTranslator(app)  # Qt's own texts: OK/Cancel, the file dialog...
        qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
        self.reset()
        for t in (qt_own, translator):
            QCoreApplication.installTranslator(t)
        self._translators = [qt_own, translator]
        self.current = language
        return language

    def reset(self) -> None:
        """Remove the installed translators (source strings, i.e. English, show again)."""
        for translator in self._translators:
            QCoreApplication.removeTranslator(translator)
        self._translators = []
        self.current = ""
