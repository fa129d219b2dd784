#!/usr/bin/env python3
"""Patient-leaflet generator. `python generate.py --help` lists the commands."""

import sys

from leafletgen.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
