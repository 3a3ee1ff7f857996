"""The supervisor's workspace: the wallboard, drills, complaints, the export (widgets only)."""
