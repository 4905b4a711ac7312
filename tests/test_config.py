"""The configuration: where it comes from, how it merges, and how it refuses bad values."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import pipeline.config as config
from pipeline.config import (
    DEFAULT_CONFIG_PATH,
    CrawlSettings,
    Settings,
    describe_keys,
    load_config,
    masked,
    to_toml,
)
from pipeline.errors import ConfigError

REQUIRED_TOPICS = {"Gigafactory", "Stargate", "AI Act", "AI factories", "InvestAI", "GPAI code of practice"}
REQUIRED_OUTLETS = [
    "Euractiv", "Politico Europe", "Science|Business", "Tech.eu", "Sifted", "The Register", "TechCrunch",
    "The Verge", "European Commission Digital Strategy", "heise online", "EU AI Act Newsletter",
]


def write(tmp_path: Path, text: str, name: str = "newsmon.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Settings:
    return load_config(write(tmp_path, text), env={}, cwd=tmp_path).settings


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    message = str(info.value)
    assert "\n" not in message, "config errors are one line"
    assert str(tmp_path / "newsmon.toml") in message, "config errors name the file"
    return message


def test_bundled_default_validates_with_real_sources_and_topics(tmp_path: Path) -> None:
    loaded = load_config(env={}, cwd=tmp_path)
    assert loaded.path is None
    settings = loaded.settings
    assert len(settings.sources) >= 12
    names = {source.name for source in settings.sources}
    assert set(REQUIRED_OUTLETS) <= names
    assert REQUIRED_TOPICS <= {topic.name for topic in settings.topics}
    for source in settings.sources:
        assert all(url.startswith("https://") for url in [*source.feeds, *source.sitemaps]), source.name
    for topic in settings.topics:
        assert topic.context or topic.exclude, f"{topic.name} needs context or exclude rules against traps"


def test_resolution_order(tmp_path: Path) -> None:
    local = write(tmp_path, 'database_url = "sqlite:///local.db"')
    env_file = write(tmp_path, 'database_url = "sqlite:///env.db"', "env.toml")
    explicit = write(tmp_path, 'database_url = "sqlite:///explicit.db"', "explicit.toml")
    env = {"NEWSMON_CONFIG": str(env_file)}
    assert load_config(explicit, env=env, cwd=tmp_path).settings.database_url == "sqlite:///explicit.db"
    assert load_config(None, env=env, cwd=tmp_path).settings.database_url == "sqlite:///env.db"
    assert load_config(None, env={}, cwd=tmp_path).path == local
    local.unlink()
    assert load_config(None, env={}, cwd=tmp_path).settings.database_url == "sqlite:///newsmon.db"


def test_database_url_from_environment_wins(tmp_path: Path) -> None:
    path = write(tmp_path, 'database_url = "sqlite:///file.db"')
    env = {"NEWSMON_DATABASE_URL": "postgresql+psycopg://u@db/news"}
    assert load_config(path, env=env, cwd=tmp_path).settings.database_url == "postgresql+psycopg://u@db/news"


def test_tables_merge_and_lists_replace(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        """
        [crawl]
        download_delay = 0.5
        [[sources]]
        name = "Mine"
        feeds = ["https://mine.example/feed.xml"]
        """,
    )
    assert settings.crawl.download_delay == 0.5
    assert settings.crawl.user_agent == CrawlSettings().user_agent  # other keys keep their defaults
    assert [source.name for source in settings.sources] == ["Mine"]
    assert REQUIRED_TOPICS <= {topic.name for topic in settings.topics}  # topics not given: the defaults


@pytest.mark.parametrize(
    "text, expected",
    [
        ("databse_url = 'x'", "databse_url: unknown key; valid keys here: database_url, crawl, sources, topics"),
        ("[crawl]\ndownload_delay = '1'", "crawl.download_delay: expected a number, got str '1'"),
        ("[crawl]\nretry_times = 1.5", "crawl.retry_times: expected an integer"),
        ("[crawl]\nobey_robots = 'yes'", "crawl.obey_robots: expected true or false"),
        ("[crawl]\nuser_agnt = 'x'", "crawl.user_agnt: unknown key; valid keys here: user_agent,"),
        ("[crawl]\nretry_times = -1", "crawl.retry_times: Input should be greater than or equal to 0"),
        ("[[sources]]\nname = 'A'\nfeeds = 'https://a/feed'", "sources[0].feeds: expected a list"),
        ("[[sources]]\nname = 'A'", "sources[0]: source 'A' has neither feeds nor sitemaps"),
        ("[[sources]]\nname = 'A'\nfeeds = ['a/feed']", "sources[0].feeds: 'a/feed' is not an absolute http(s) URL"),
        ("[[sources]]\nname = 'A'\nfeeds = ['https://a/f']\ndeny = ['(unclosed']", "bad regular expression '(unclosed'"),
        ("[[topics]]\nname = 'T'\nkeywords = []", "topics[0]: topic 'T' has no keywords"),
        ("[[topics]]\nname = 'T'\nkeywords = ['x']\npatterns = ['[a-']", "topics[0].patterns: bad regular expression"),
        ("[[topics]]\nkeywords = ['x']", "topics[0].name: required key is missing"),
        (
            "[[topics]]\nname = 'T'\nkeywords = ['x']\n[[topics]]\nname = 't'\nkeywords = ['y']",
            "two topics are named 't': rename one",
        ),
        ("[crawl\n", "not valid TOML"),
        ("[schedule]\ncrawl = '61 1 * * *'", "schedule.crawl: bad cron expression '61 1 * * *'"),
        ("[schedule]\ntimezone = 'Mars/Olympus'", "schedule.timezone: unknown time zone 'Mars/Olympus'"),
        ("[smtp]\nsecurity = 'ssl'", "smtp.security: Input should be 'none', 'starttls' or 'tls'"),
        ("[[digests]]\nname = 'D'\nrecipients = ['not-an-address']", "'not-an-address' is not an e-mail address"),
        ("[[digests]]\nname = 'D'\nrecipients = []", "a digest needs at least one recipient"),
        ("[cluster]\nredis_url = 'localhost:6379'", "cluster.redis_url: 'localhost:6379' is not a Redis URL"),
        ("[cluster]\nredis_url = 'redis://r:6379/0'", "database_url is not PostgreSQL"),
        ("[[digests]]\nname = 'D'\nrecipients = ['a@b.org']\ntopics = ['Nope']", "unknown topic 'Nope'"),
    ],
)
def test_bad_values_stop_with_one_line_naming_key_and_fix(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


def test_several_problems_are_counted(tmp_path: Path) -> None:
    assert "(and 1 more problem)" in error_of(tmp_path, "[crawl]\nretry_times = 'a'\ndownload_delay = 'b'")


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found .*--config"):
        load_config(tmp_path / "nope.toml", env={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"config file not found .*\$NEWSMON_CONFIG"):
        load_config(None, env={"NEWSMON_CONFIG": str(tmp_path / "nope.toml")}, cwd=tmp_path)


def test_unknown_source_name_lists_known_ones(tmp_path: Path) -> None:
    settings = load(tmp_path, "[[sources]]\nname = 'Alpha'\nfeeds = ['https://a/f']")
    assert settings.source("alpha").name == "Alpha"
    with pytest.raises(ConfigError, match="no source named 'Beta'; configured sources: Alpha"):
        settings.source("Beta")


def test_every_key_has_a_default_and_help() -> None:
    keys = describe_keys()
    documented = {key for key, _, _ in keys}
    sections = (
        ("crawl.", config.CrawlSettings), ("sources[].", config.SourceSettings), ("topics[].", config.TopicSettings),
        ("stories.", config.StorySettings), ("schedule.", config.ScheduleSettings), ("smtp.", config.SmtpSettings),
        ("digests[].", config.DigestSettings), ("cluster.", config.ClusterSettings),
    )
    for prefix, model in sections:
        assert {prefix + name for name in model.model_fields} <= documented
    assert len(documented) == len(keys) == sum(len(model.model_fields) for _, model in sections) + 1  # + database_url
    assert all(help_text for _, _, help_text in keys)
    required = {key for key, default, _ in keys if default == "required"}
    assert required == {"sources[].name", "topics[].name", "digests[].name", "digests[].recipients"}


def test_effective_config_round_trips_as_toml_with_password_hidden(tmp_path: Path) -> None:
    settings = load_config(env={}, cwd=tmp_path).settings
    assert Settings.model_validate(tomllib.loads(to_toml(masked(settings)))) == settings
    secret = settings.model_copy(update={"database_url": "postgresql://newsmon:hunter2@db/news"})
    text = to_toml(masked(secret))
    assert "hunter2" not in text and "newsmon:***@db" in text
    cluster = secret.cluster.model_copy(update={"redis_url": "redis://:s3cret@cache:6379/0"})
    text = to_toml(masked(secret.model_copy(update={"cluster": cluster})))
    assert "s3cret" not in text and "redis://:***@cache:6379/0" in text


def test_default_config_file_is_the_one_documented(tmp_path: Path) -> None:
    data = tomllib.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    assert set(data) == {"database_url", "crawl", "sources", "topics", "stories", "schedule", "smtp", "cluster"}
    assert set(data["crawl"]) == set(CrawlSettings.model_fields), "every crawl key is shown in the default file"
    defaults = Settings()
    for section in ("crawl", "stories", "schedule", "smtp", "cluster"):  # declared twice: the file and the models
        shown = {key: getattr(getattr(defaults, section), key) for key in data[section]}
        assert data[section] == shown, f"[{section}] in the default file differs from the declared defaults"


def test_selected_sources_are_the_named_ones_else_every_enabled_one(tmp_path: Path) -> None:
    settings = load_config(env={}, cwd=tmp_path).settings
    first, second = settings.sources[0], settings.sources[1]
    disabled = settings.model_copy(update={"sources": [first.model_copy(update={"enabled": False}), second]})
    assert disabled.selected_sources([]) == [second]
    assert disabled.selected_sources([first.name.upper()]) == [disabled.sources[0]]  # named: even when disabled
    with pytest.raises(ConfigError, match="no source named"):
        settings.selected_sources(["Nowhere Times"])
    source = Settings.model_validate(
        {"sources": [{"name": "S", "sitemaps": ["https://s.example/sitemap.xml"], "feeds": ["https://s.example/a", "https://s.example/b"]}]}
    ).sources[0]
    assert source.listings() == [("feed", "https://s.example/a"), ("feed", "https://s.example/b"),
                                 ("sitemap", "https://s.example/sitemap.xml")]
