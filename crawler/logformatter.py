"""Log lines that name the page and the reason, without dumping whole items."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class NewsmonLogFormatter(LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        """A dropped page is expected (not an article, too large...): one INFO line with URL and reason."""
        page = getattr(item, "url", item)
        return {"level": logging.INFO, "msg": "dropped %(page)s: %(reason)s", "args": {"page": page, "reason": exception}}

    def scraped(self, item: Any, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "stored %(item)s", "args": {"item": item}}
