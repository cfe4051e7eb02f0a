"""The admin's configuration: schema, loader and `check-config`.

Typical use::

    from connector.config import load_config
    config = load_config("/etc/baton/baton.yaml")   # raises ConfigError listing every problem
"""

from __future__ import annotations

from connector.config.check import check_config_command
from connector.config.defaults import default_config, with_changes
from connector.config.issues import ConfigError, ConfigIssue
from connector.config.loader import DATABASE_URL_VARIABLE, load_config, load_config_text
from connector.config.models import BatonConfig
from connector.config.secrets import reveal

__all__ = [
    "DATABASE_URL_VARIABLE",
    "BatonConfig",
    "ConfigError",
    "ConfigIssue",
    "check_config_command",
    "default_config",
    "load_config",
    "load_config_text",
    "reveal",
    "with_changes",
]
