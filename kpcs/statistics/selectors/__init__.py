"""Reads about statistics, by concern: published figures (public), submissions (participants
and the secretariat at work), declared stock, and analysis (dashboards, anomalies)."""

from kpcs.statistics.selectors.analysis import *  # noqa: F403
from kpcs.statistics.selectors.published import *  # noqa: F403
from kpcs.statistics.selectors.stock import *  # noqa: F403
from kpcs.statistics.selectors.submissions import *  # noqa: F403
