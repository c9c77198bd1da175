"""``python -m islo_jupyter.local <verb>``: the same commands as ``islo-jupyter local <verb>``."""

import sys

from .cli import main

sys.exit(main(["local", *sys.argv[1:]]))
