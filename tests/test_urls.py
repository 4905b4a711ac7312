"""normalize_url: one table of spellings and the identity each must map to."""

import re

import pytest

from pipeline.urls import TRACKING_PARAMS, normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host lower-cased, path left as is
        ("HTTP://WWW.Example.COM/News/AI-Act", "http://www.example.com/News/AI-Act"),
        # default ports dropped, other ports kept
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        # fragment dropped
        ("https://example.com/a#comments", "https://example.com/a"),
        # empty path is the root; trailing slash removed from any other path
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/a/b/", "https://example.com/a/b"),
        ("https://example.com/a/b/?page=2", "https://example.com/a/b?page=2"),
        # tracking parameters removed, the others kept in their order
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?b=2&utm_campaign=x&a=1", "https://example.com/a?b=2&a=1"),
        ("https://example.com/a?UTM_Source=x&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=abc&gclid=def&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&_ga=4", "https://example.com/a"),
        ("https://example.com/a?xtor=RSS-3208&ref_src=twsrc", "https://example.com/a"),
        ("https://example.com/a?id=7&&", "https://example.com/a?id=7"),
        ("https://example.com/a?", "https://example.com/a"),
        # blank values and duplicate keys are kept as written
        ("https://example.com/a?x=&y=1&y=2", "https://example.com/a?x=&y=1&y=2"),
        # percent-encoding: upper-case hex, unreserved characters decoded, reserved ones kept encoded
        ("https://example.com/%7euser/%c3%a9t%c3%a9", "https://example.com/~user/%C3%A9t%C3%A9"),
        ("https://example.com/a?q=%7e%2b%2fx%41", "https://example.com/a?q=~%2B%2FxA"),
        ("https://example.com/a?q=a%26b%3db", "https://example.com/a?q=a%26b%3Db"),
        ("https://example.com/a?q=a b&r=100%", "https://example.com/a?q=a%20b&r=100%25"),
        ("https://example.com/été", "https://example.com/%C3%A9t%C3%A9"),
        # dot segments resolved (canonicalize_url)
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        # IDN hosts come out IDNA-encoded, as canonicalize_url writes them
        ("https://München.example/a", "https://xn--mnchen-3ya.example/a"),
        # surrounding whitespace from feeds
        ("  https://example.com/a \n", "https://example.com/a"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a", "not an http(s) URL"),
        ("mailto:press@example.com", "not an http(s) URL"),
        ("example.com/a", "not an http(s) URL"),
        ("//example.com/a", "not an http(s) URL"),
        ("", "not an http(s) URL"),
        ("https:///a", "URL has no host"),
        ("https://:443/a", "URL has no host"),
        ("https://example.com:port/a", "URL has an invalid port"),
    ],
)
def test_normalize_url_rejects(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        normalize_url(url)


def test_normalize_url_is_idempotent() -> None:
    once = normalize_url("HTTPS://Example.com:443/a/%7eb/?b=%2f&utm_source=x&a=1#top")
    assert normalize_url(once) == once


def test_tracking_params_are_lower_case() -> None:
    """Keys are compared lower-cased, so an upper-case entry would never match."""
    assert all(param == param.lower() for param in TRACKING_PARAMS)
