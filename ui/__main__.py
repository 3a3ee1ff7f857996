"""`python -m ui`: start the workstation."""

import sys

from ui.main import main

sys.exit(main())
