import sys

from hostkit.cli import main

sys.exit(main())
