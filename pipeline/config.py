"""newsmon's settings: one TOML file, validated once at start-up, passed down as one frozen object.

Where the settings come from, lowest priority first:

1. the bundled default (``pipeline/default_config.toml``): real EU-AI-policy sources and topics;
2. one TOML file: ``--config PATH``, else ``$NEWSMON_CONFIG``, else ``./newsmon.toml`` when it exists.
   Tables (``[crawl]``) are merged key by key over the defaults; lists (``[[sources]]``,
   ``[[topics]]``) replace the default list as a whole, so a file that lists its own sources
   crawls only those;
3. the environment: ``NEWSMON_DATABASE_URL`` overrides ``database_url``.

Every key is declared once below with its default and its help text (``newsmon config --help-keys``
prints them). An unknown key, a wrong type, a bad regular expression or a topic without keywords
stops the program with :class:`ConfigError`, one line naming the file, the key and the fix.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo

from pipeline.cron import cron_trigger
from pipeline.errors import ConfigError, NewsmonError
from pipeline.tagging import compile_term
from storage.db import display_url
from storage.stories import StoryOptions

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.toml")
LOCAL_CONFIG_NAME = "newsmon.toml"
ENV_CONFIG = "NEWSMON_CONFIG"
ENV_DATABASE_URL = "NEWSMON_DATABASE_URL"


class _Section(BaseModel):
    """Strict: no unknown keys, no silent type coercion ("30" is not 30), immutable once built."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _check_regexes(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
    return patterns


def _check_urls(urls: list[str]) -> list[str]:
    for url in urls:
        if not re.match(r"https?://[^/\s]+", url):
            raise ValueError(f"{url!r} is not an absolute http(s) URL")
    return urls


class CrawlSettings(_Section):
    user_agent: str = Field(
        "newsmon/0.1 (+https://example.org/newsmon)",
        description="User-Agent sent with every request; include a URL or e-mail where site owners reach you.",
        min_length=1,
    )
    obey_robots: bool = Field(True, description="Obey robots.txt: disallowed pages are never requested.")
    concurrent_requests: int = Field(16, ge=1, description="Requests in flight across all sites.")
    concurrent_requests_per_domain: int = Field(2, ge=1, description="Requests in flight per site.")
    download_delay: float = Field(1.0, ge=0, description="Seconds between two requests to the same site.")
    autothrottle: bool = Field(True, description="Adapt the delay to each site's response times.")
    download_timeout: int = Field(30, ge=1, description="Seconds before a request is given up.")
    retry_times: int = Field(2, ge=0, description="Retries of a failed request (5xx, timeouts).")
    retry_backoff_seconds: float = Field(
        2.0, ge=0, description="Wait before the first retry; doubles with each further retry."
    )
    max_page_bytes: int = Field(
        5_000_000, ge=10_000, description="Largest page, feed or sitemap downloaded, after decompression."
    )
    max_age_days: int = Field(30, ge=1, description="Skip feed and sitemap entries older than this many days.")
    min_text_chars: int = Field(400, ge=0, description="Pages whose extracted body is shorter are not articles.")
    extract_workers: int = Field(0, ge=0, description="Extraction processes; 0 means one per CPU core.")


class SourceSettings(_Section):
    name: str = Field(description="Outlet name shown in search results and digests.", min_length=1)
    feeds: list[str] = Field([], description="RSS 0.9x/1.0/2.0 or Atom feed URLs.")
    sitemaps: list[str] = Field([], description="Sitemap, sitemap index or Google News sitemap URLs.")
    max_age_days: int | None = Field(None, ge=1, description="Overrides crawl.max_age_days for this source.")
    deny: list[str] = Field([], description="Regular expressions: article URLs matching one are skipped.")
    enabled: bool = Field(True, description="Set to false to keep a source in the file without crawling it.")

    _urls = field_validator("feeds", "sitemaps")(_check_urls)
    _deny = field_validator("deny")(_check_regexes)

    @model_validator(mode="after")
    def _has_discovery(self) -> SourceSettings:
        if not self.feeds and not self.sitemaps:
            raise ValueError(f"source {self.name!r} has neither feeds nor sitemaps: add at least one URL")
        return self

    def listings(self) -> list[tuple[str, str]]:
        """(kind, url) of every feed and sitemap: what a crawl of this source reads first."""
        return [("feed", url) for url in self.feeds] + [("sitemap", url) for url in self.sitemaps]


class TopicSettings(_Section):
    name: str = Field(description="Topic name, used as the tag.", min_length=1)
    keywords: list[str] = Field(
        [],
        description="Terms that make an article about the topic; case-insensitive, whole words, a trailing * is a "
        "prefix wildcard, short all-capital acronyms (AI, KI) match in capitals only.",
    )
    patterns: list[str] = Field([], description="Regular expressions that count like keywords.")
    context: list[str] = Field([], description="If set, one of these terms must also appear in title or body.")
    exclude: list[str] = Field([], description="If one of these terms appears, the topic does not match.")

    _patterns = field_validator("patterns")(_check_regexes)

    @field_validator("keywords", "context", "exclude")
    @classmethod
    def _terms_compile(cls, terms: list[str]) -> list[str]:
        for term in terms:
            if not term.strip(" *"):
                raise ValueError("empty term: remove it")
            compile_term(term)
        return terms

    @model_validator(mode="after")
    def _has_keywords(self) -> TopicSettings:
        if not self.keywords and not self.patterns:
            raise ValueError(f"topic {self.name!r} has no keywords: add keywords = [\"...\"]")
        return self


def _check_cron(expression: str | None) -> str | None:
    if expression is not None:
        try:
            cron_trigger(expression, "UTC")
        except ValueError as exc:
            raise ValueError(
                f"bad cron expression {expression!r} ({exc}): use five fields, minute hour day month weekday, "
                'e.g. "30 1 * * *"'
            ) from None
    return expression


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as \"Europe/Brussels\"") from None
    return name


_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class StorySettings(_Section):
    window_days: float = Field(3.0, gt=0, description="Articles this many days apart or less can be one story.")
    similarity: float = Field(
        0.45,
        ge=0.3,
        le=1,
        description="Estimated Jaccard similarity of 3-word shingles at or above which two bodies are one story "
        "(tuned in pipeline/stories.py; under 0.4 the candidate index starts to miss pairs, 0.3 is the minimum).",
    )


class ScheduleSettings(_Section):
    timezone: str = Field("Europe/Brussels", description="Time zone of every cron expression.")
    crawl: str = Field("30 1 * * *", description="When the nightly crawl runs (cron: minute hour day month weekday).")
    digest: str = Field("0 7 * * *", description="When digests without a schedule of their own are sent (cron).")
    crawl_time_limit_minutes: int = Field(120, ge=1, description="A crawl still running after this is stopped.")
    misfire_grace_minutes: int = Field(
        240, ge=0, description="A run missed while the machine was down is made up if this late or less."
    )

    _cron = field_validator("crawl", "digest")(_check_cron)
    _zone = field_validator("timezone")(_check_timezone)


class SmtpSettings(_Section):
    host: str = Field("localhost", description="SMTP server.", min_length=1)
    port: int = Field(25, ge=1, le=65535, description="SMTP port: usually 25, 587 (starttls) or 465 (tls).")
    security: Literal["none", "starttls", "tls"] = Field("none", description="none, starttls or tls.")
    user: str | None = Field(None, description="Login name, if the server needs one.")
    password_env: str = Field(
        "NEWSMON_SMTP_PASSWORD", description="Environment variable holding the password (never put it in this file)."
    )
    sender: str = Field("newsmon <newsmon@localhost>", description="From: address of digests.", min_length=3)
    timeout: float = Field(30.0, gt=0, description="Seconds before an unresponsive server is given up.")


class DigestSettings(_Section):
    name: str = Field(description="Digest name, used in the subject and with --name.", min_length=1)
    recipients: list[str] = Field(description="E-mail addresses; each gets the digest and is tracked on its own.")
    topics: list[str] = Field([], description="Topics included; empty means every configured topic.")
    schedule: str | None = Field(None, description="Cron expression; default: schedule.digest.")
    send_empty: bool = Field(False, description="Send a digest even when nothing is new.")
    first_days: float = Field(1.0, gt=0, description="How far back the first digest to a new recipient looks.")
    unsubscribe: str | None = Field(
        None,
        description="List-Unsubscribe target: an http(s) URL ({recipient} is replaced by the address) or a "
        'mailto:; default: a mail to smtp.sender with the subject "unsubscribe <digest name>".',
    )

    _cron = field_validator("schedule")(_check_cron)

    @field_validator("unsubscribe")
    @classmethod
    def _unsubscribe_target(cls, target: str | None) -> str | None:
        if target is not None and not re.match(r"(https?://[^/\s]+|mailto:[^@\s]+@\S+)", target):
            raise ValueError(f"{target!r} is not an http(s) URL or a mailto: address")
        return target

    @field_validator("recipients")
    @classmethod
    def _addresses(cls, recipients: list[str]) -> list[str]:
        if not recipients:
            raise ValueError("a digest needs at least one recipient")
        for address in recipients:
            if not _EMAIL.match(address):
                raise ValueError(f"{address!r} is not an e-mail address like name@example.org")
        return recipients


class ClusterSettings(_Section):
    redis_url: str | None = Field(
        None, description="Redis URL of the shared crawl frontier (redis://host:6379/0); unset: crawl locally."
    )
    key_prefix: str = Field("newsmon", min_length=1, description="Prefix of every Redis key newsmon uses.")

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"rediss?://", url):
            raise ValueError(f"{url!r} is not a Redis URL: use redis://host:6379/0 (or rediss:// for TLS)")
        return url


class Settings(_Section):
    database_url: str = Field(
        "sqlite:///newsmon.db",
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql+psycopg://user@host/db.",
        min_length=1,
    )
    crawl: CrawlSettings = Field(CrawlSettings(), description="How pages are fetched.")
    sources: list[SourceSettings] = Field([], description="The outlets to crawl.")
    topics: list[TopicSettings] = Field([], description="The topics articles are tagged with.")
    stories: StorySettings = Field(StorySettings(), description="How near-duplicate articles join one story.")
    schedule: ScheduleSettings = Field(ScheduleSettings(), description="When `newsmon schedule` crawls and mails.")
    smtp: SmtpSettings = Field(SmtpSettings(), description="The mail server digests are sent through.")
    digests: list[DigestSettings] = Field([], description="Who gets which topics by e-mail.")
    cluster: ClusterSettings = Field(ClusterSettings(), description="Scale-out: many crawl workers on Redis.")

    @model_validator(mode="after")
    def _cluster_needs_postgresql(self) -> Settings:
        if self.cluster.redis_url and not self.database_url.startswith("postgresql"):
            raise ValueError(
                "cluster.redis_url is set but database_url is not PostgreSQL: workers on several machines "
                "need one shared archive, e.g. database_url = \"postgresql+psycopg://newsmon@db/newsmon\""
            )
        return self

    @model_validator(mode="after")
    def _digest_topics_exist(self) -> Settings:
        known = {topic.name.casefold() for topic in self.topics}
        for digest in self.digests:
            for topic in digest.topics:
                if topic.casefold() not in known:
                    raise ValueError(f"digest {digest.name!r} names unknown topic {topic!r}: use a [[topics]] name")
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        for kind, items in (("source", self.sources), ("topic", self.topics), ("digest", self.digests)):
            seen: set[str] = set()
            for item in items:
                if item.name.casefold() in seen:
                    raise ValueError(f"two {kind}s are named {item.name!r}: rename one")
                seen.add(item.name.casefold())
        return self

    def selected_sources(self, names: Iterable[str]) -> list[SourceSettings]:
        """The sources called ``names``, else (no names) every enabled one."""
        return [self.source(name) for name in names] or [source for source in self.sources if source.enabled]

    def source(self, name: str) -> SourceSettings:
        """The source called ``name`` (case-insensitive), or ConfigError listing the known names."""
        return named(self.sources, name, "source")


_Named = TypeVar("_Named", SourceSettings, TopicSettings, DigestSettings)


def named(items: Sequence[_Named], name: str, kind: str, error: type[NewsmonError] = ConfigError) -> _Named:
    """The configured ``kind`` (source, topic, digest) called ``name``, whatever its case; else ``error``
    listing the configured names."""
    for item in items:
        if item.name.casefold() == name.casefold():
            return item
    known = ", ".join(item.name for item in items) or f"none (add a [[{kind}s]] table)"
    raise error(f"no {kind} named {name!r}; configured {kind}s: {known}")


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """The validated settings and where they came from (shown by ``newsmon config``)."""

    settings: Settings
    path: Path | None  # None: the bundled default alone


def resolve_config_path(explicit: Path | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    """The config file to read: --config, else $NEWSMON_CONFIG, else ./newsmon.toml, else None."""
    if explicit is not None:
        return _must_exist(explicit, "--config")
    if env.get(ENV_CONFIG):
        return _must_exist(Path(env[ENV_CONFIG]), f"${ENV_CONFIG}")
    local = cwd / LOCAL_CONFIG_NAME
    return local if local.is_file() else None


def _must_exist(path: Path, origin: str) -> Path:
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found (given by {origin}); check the path")
    return path


def load_config(
    explicit: Path | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> LoadedConfig:
    """Find, read, merge and validate the configuration."""
    env = os.environ if env is None else env
    path = resolve_config_path(explicit, env, cwd or Path.cwd())
    data = _read_toml(DEFAULT_CONFIG_PATH)
    if path is not None:
        data = _merge(data, _read_toml(path))
    if env.get(ENV_DATABASE_URL):
        data["database_url"] = env[ENV_DATABASE_URL]
    return LoadedConfig(settings=validate(data, path or DEFAULT_CONFIG_PATH), path=path)


def validate(data: Mapping[str, Any], path: Path) -> Settings:
    """Settings from already-parsed TOML data; errors name ``path``."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, path)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror})") from None


def _merge(defaults: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; every other value (lists included) replaces the default."""
    merged = dict(defaults)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_TYPE_FIXES = {
    "int_type": "expected an integer{got}: write a number without quotes",
    "float_type": "expected a number{got}: write a number without quotes",
    "bool_type": "expected true or false{got}: write true or false without quotes",
    "string_type": "expected a string{got}: put the value in quotes",
    "list_type": "expected a list{got}: write it as [\"...\", \"...\"]",
    "model_type": "expected a table{got}: write it as [section] or [[section]]",
    "missing": "required key is missing: add it",
}


def describe_error(exc: ValidationError, path: Path) -> str:
    """One line: file, dotted key, what is wrong and how to fix it (plus how many more problems)."""
    error = exc.errors()[0]
    key = _dotted(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(error["loc"][:-1]))
        message = f"unknown key; valid keys here: {allowed}"
    elif kind in _TYPE_FIXES:
        got = f", got {type(error['input']).__name__} {error['input']!r}" if kind != "missing" else ""
        message = _TYPE_FIXES[kind].format(got=got)
    else:
        message = error["msg"].removeprefix("Value error, ")
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{path}: {key or 'top level'}: {message}{suffix}"


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in loc:
        if isinstance(part, int):
            continue
        model = _inner(model.model_fields[str(part)].annotation)
    return list(model.model_fields)


def _inner(annotation: Any) -> Any:
    """``X`` of ``list[X]`` or ``X | None``; the annotation itself otherwise."""
    return getattr(annotation, "__args__", (annotation,))[0]


def describe_keys() -> list[tuple[str, str, str]]:
    """(dotted key, default, help) for every setting: ``newsmon config --keys`` and the README.

    Walks the models themselves, so a new section or key is described without being listed here."""
    rows: list[tuple[str, str, str]] = []
    sections: list[tuple[str, type[BaseModel]]] = []
    for name, spec in Settings.model_fields.items():
        inner = _inner(spec.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            sections.append((f"{name}[]." if inner is not spec.annotation else f"{name}.", inner))
        else:
            rows.append(_key_row("", name, spec))
    for prefix, model in sections:
        rows += [_key_row(prefix, name, spec) for name, spec in model.model_fields.items()]
    return rows


def _key_row(prefix: str, name: str, spec: FieldInfo) -> tuple[str, str, str]:
    return prefix + name, "required" if spec.is_required() else _toml_value(spec.default), spec.description or ""


def to_toml(data: Mapping[str, Any]) -> str:
    """Settings data as TOML (scalars first, then tables, then arrays of tables), for ``newsmon config``."""
    lines = [f"{key} = {_toml_value(value)}" for key, value in data.items() if not _is_table(value)]
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines += ["", f"[{key}]", *(f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None)]
        elif _is_table(value):
            for item in value:
                lines += ["", f"[[{key}]]", *(f"{k} = {_toml_value(v)}" for k, v in item.items() if v is not None)]
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping) or (isinstance(value, list) and bool(value) and isinstance(value[0], Mapping))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if value is None:
        return "(none)"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def story_options(settings: Settings) -> StoryOptions:
    """The storage layer's clustering options, from ``[stories]``."""
    return StoryOptions(window_days=settings.stories.window_days, similarity=settings.stories.similarity)


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with the passwords in database_url and redis_url hidden."""
    data = settings.model_dump()
    data["database_url"] = display_url(settings.database_url)
    if settings.cluster.redis_url:
        data["cluster"]["redis_url"] = display_url(settings.cluster.redis_url)
    return data
