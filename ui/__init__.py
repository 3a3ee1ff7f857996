"""The Kefu Desk workstation's widgets (PySide6). Core logic lives in `app/`; this package only shows it."""
