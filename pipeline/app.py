"""What every ``newsmon`` command is handed: the config and the archive, loaded and opened on first use.

The ``newsmon`` group (``pipeline/cli.py``) makes one :class:`App` from ``--config``; a command takes it
with ``@pass_app``. A command run on its own (outside the group) gets an App that finds the config the
usual way. ``newsmon config --keys`` or ``schedule --dry-run`` never open the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click
from sqlalchemy import Engine

from pipeline.config import LoadedConfig, Settings, load_config
from storage.db import open_database


@dataclass
class App:
    """What commands share: the config path from ``--config``, loaded and opened on first use."""

    config_path: Path | None = None  # None: $NEWSMON_CONFIG, else ./newsmon.toml, else the bundled default
    _loaded: LoadedConfig | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def loaded(self) -> LoadedConfig:
        if self._loaded is None:
            self._loaded = load_config(self.config_path)
        return self._loaded

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_database(self.settings.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


pass_app = click.make_pass_decorator(App, ensure=True)
