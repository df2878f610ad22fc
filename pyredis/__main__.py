"""`python -m pyredis [redis.conf] [--option value ...]`: start the server."""

import sys

from pyredis.server import main

if __name__ == "__main__":
    sys.exit(main())
