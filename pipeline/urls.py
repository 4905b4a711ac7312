"""The archive's identity for an article: one URL per page, however a feed or a share button spelled it.

:func:`normalize_url` builds on :func:`w3lib.url.canonicalize_url` (the canonicalization Scrapy's
request fingerprints use) for the scheme, host and path, and adds what an archive needs on top:

- tracking parameters (:data:`TRACKING_PARAMS`, any ``utm_*``/``mtm_*``) are removed;
- the remaining query parameters keep their original order. ``canonicalize_url`` sorts them, which
  would merge the rare ``?b=2&a=1`` / ``?a=1&b=2`` duplicates, but it also rewrites every stored URL
  into a form the site never published, and some servers read parameters by position. News sites
  emit their own links consistently, so the order is kept and only RFC 3986 normalization (upper-case
  hex, unreserved characters decoded) is applied to the query;
- default ports are dropped and a trailing slash is removed from any path but the root ("/a/b/" and
  "/a/b" are one article on every news site we archive);
- internationalized host names come out IDNA-encoded ("xn--..."), as ``canonicalize_url`` does, so
  both spellings of one host give one identity.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, quote, unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that identify a campaign, a click or a subscriber, never the article.
TRACKING_PARAMS = frozenset(
    (
        # click identifiers of ad networks and social sites
        "fbclid gclid gclsrc dclid gbraid wbraid msclkid yclid twclid ttclid igshid li_fat_id epik srsltid"
        " s_kwcid ef_id rb_clickid"
        # analytics and newsletter tools: Google Analytics, Mailchimp, HubSpot, Marketo, Matomo/Piwik
        " _ga _gl mc_cid mc_eid _hsenc _hsmi __hstc __hssc __hsfp mkt_tok"
        " pk_campaign pk_kwd pk_source pk_medium pk_content pk_cid"
        # share buttons and referrers
        " ref_src ref_url cmp"
        # European newsrooms' analytics: AT Internet (xtor, at_*) and Webtrekk (wt_*)
        " xtor at_medium at_campaign at_platform wt_mc wt_zmc"
    ).split()
)
#: Prefixes of whole families of campaign parameters (utm_source, utm_medium, mtm_campaign...).
TRACKING_PREFIXES = ("utm_", "mtm_")

_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# everything RFC 3986 allows in a query stays as written; "%" because escapes are normalized apart
_QUERY_SAFE = "!$&'()*+,;=:@/?%"


def normalize_url(url: str) -> str:
    """Return the archive's identity for ``url``; raise ValueError if it is not an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    _check_web_url(parts, url)
    without_query = canonicalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
    canonical = urlsplit(without_query)
    return urlunsplit(
        (
            canonical.scheme,
            _drop_default_port(canonical.scheme, canonical.netloc),
            _drop_trailing_slash(canonical.path),
            _clean_query(parts.query),
            "",
        )
    )


def _check_web_url(parts: SplitResult, url: str) -> None:
    if parts.scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    try:
        parts.port  # noqa: B018 -- urllib validates the port lazily, on access
    except ValueError:
        raise ValueError(f"URL has an invalid port: {url!r}") from None


def _drop_default_port(scheme: str, netloc: str) -> str:
    return netloc.removesuffix(_DEFAULT_PORTS[scheme])


def _drop_trailing_slash(path: str) -> str:
    return path.rstrip("/") or "/"


def _clean_query(query: str) -> str:
    """Drop tracking parameters and empty pairs, normalize the rest, keep their order."""
    pairs = (pair for pair in query.split("&") if pair)
    return "&".join(_normalize_escapes(pair) for pair in pairs if not _is_tracking(pair))


def _is_tracking(pair: str) -> bool:
    key = unquote_plus(pair.partition("=")[0]).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _normalize_escapes(text: str) -> str:
    """RFC 3986 section 6.2.2: encode what must be, upper-case hex, decode unreserved characters."""
    encoded = quote(_STRAY_PERCENT.sub("%25", text), safe=_QUERY_SAFE)
    return _PERCENT_ESCAPE.sub(_decode_if_unreserved, encoded)


def _decode_if_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match[1], 16))
    return char if char in _UNRESERVED else f"%{match[1].upper()}"
