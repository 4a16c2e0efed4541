"""night_mode: the feature code that turns a user's night-mode override on and off (FC-08, SCH-05);
working hours and night mode themselves are the core's (cordboard.core.schedules)."""

from __future__ import annotations

from cordboard.core.core import Core
from cordboard.core.features.model import FeatureCode
from cordboard.core.plugin_api import hookimpl


@hookimpl
def cordboard_feature_codes(core: Core) -> list[FeatureCode]:
    from cordboard.plugins.night_mode.const import CODE_KEY, DEFAULT_CODE
    from cordboard.plugins.night_mode.phone import switch

    return [
        FeatureCode(
            CODE_KEY,
            DEFAULT_CODE,
            "Night mode off / back on",
            "FC-08",
            switch,
            on_fields=(),
            off_fields=(),
            description="* turns your night mode off until you turn it back on with #; routing rules "
            "then treat you as inside your working hours.",
        )
    ]
