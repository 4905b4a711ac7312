"""``python -m crawler``: one crawl (see crawler/run.py).

The import sits under the ``__main__`` guard: multiprocessing may re-import this module in the
processes it starts (the extraction pool's fork server and workers), and they need none of Scrapy.
"""

import gc
import sys

if __name__ == "__main__":
    from crawler.run import main

    try:
        sys.exit(main())
    finally:
        # The interpreter's last garbage collections walk every object Scrapy, Twisted and SQLAlchemy
        # made, to free memory the exit frees anyway: frozen objects are skipped (0.12 s of every crawl,
        # after its last page, by `time` on the crawler's imports alone). atexit handlers still run.
        gc.freeze()
