"""The spider's item: a fetched page, defined beside the code that turns it into an article.

It is a plain dataclass (Scrapy handles dataclass items through itemadapter) so that ``pipeline/``
can process pages without knowing Scrapy.
"""

from pipeline.pages import Page

__all__ = ["Page"]
