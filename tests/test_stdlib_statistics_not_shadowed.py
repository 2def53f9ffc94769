"""The statistics app lives at kpcs/statistics so that `import statistics` stays the
standard library in every process started from the repository root."""

import importlib
import sysconfig
from pathlib import Path


def test_import_statistics_is_the_standard_library() -> None:
    import statistics

    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(statistics.__file__).resolve().parent == stdlib
    assert statistics.mean([1, 2, 3]) == 2


def test_statistics_app_is_importable_under_the_project_package() -> None:
    module = importlib.import_module("kpcs.statistics")
    root = Path(__file__).resolve().parent.parent
    assert Path(module.__file__).resolve().parent == root / "kpcs" / "statistics"


def test_no_top_level_statistics_package_in_the_repository() -> None:
    root = Path(__file__).resolve().parent.parent
    assert not (root / "statistics").exists()
