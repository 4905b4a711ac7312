"""`python -m demo.sitegen [--check]`."""

import sys

from demo.sitegen.build import main

sys.exit(main())
