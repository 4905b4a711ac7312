"""``python -m crawler``: one crawl (see crawler/run.py).

The import sits under the ``__main__`` guard: extraction workers are started with ``spawn`` and
re-import this module, and they need none of Scrapy.
"""

import sys

if __name__ == "__main__":
    from crawler.run import main

    sys.exit(main())
