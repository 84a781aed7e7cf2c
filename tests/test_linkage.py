"""The linkage package: the splink engine is an extra, and says so when it is not installed."""

import sys

import pandas as pd
import pytest

from vaxutils.errors import VaxutilsError
from vaxutils.linkage import probabilistic


def test_splink_engine_without_the_compare_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "splink", None)  # import splink -> ImportError
    persons = pd.DataFrame({"ascii_key": ["nguyen van nam"] * 2, "dob": ["1980-01-02"] * 2})
    with pytest.raises(probabilistic.CompareExtraMissing) as raised:
        probabilistic.splink_duplicate_pairs(persons)
    message = str(raised.value)
    assert "pip install 'vaxutils[compare]'" in message
    assert message.startswith("Cần splink và duckdb")  # Vietnamese first
    assert "splink" in message
    # The CLI prints a VaxutilsError without a traceback; code that caught ImportError still does.
    assert isinstance(raised.value, VaxutilsError) and isinstance(raised.value, ImportError)


def test_production_dependencies_leave_splink_and_duckdb_to_the_extra():
    import tomllib
    from pathlib import Path

    project = tomllib.loads(
        (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    )["project"]
    required = " ".join(project["dependencies"])
    assert "splink" not in required and "duckdb" not in required
    extra = " ".join(project["optional-dependencies"]["compare"])
    assert "splink" in extra and "duckdb" in extra


def test_former_import_paths_hand_on_the_same_functions():
    from vaxutils.linkage import blocking, compare
    from vaxutils.reconcile import blocking as old_blocking
    from vaxutils.reconcile import compare as old_compare

    for name in old_compare.__all__:
        assert getattr(old_compare, name) is getattr(compare, name)
    for name in old_blocking.__all__:
        assert getattr(old_blocking, name) is getattr(blocking, name)
