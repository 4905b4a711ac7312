"""``python -m crawler``: one crawl (see crawler/run.py).

The import sits under the ``__main__`` guard: multiprocessing may re-import this module in the
processes it starts (the extraction pool's fork server and workers), and they need none of Scrapy.
"""

import sys

if __name__ == "__main__":
    from crawler.run import main

    sys.exit(main())
