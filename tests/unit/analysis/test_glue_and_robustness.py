"""The one glue helper and the robustness structure every theme chapter uses."""
import numpy as np
import pandas as pd
import pytest

from csam_reporting.analysis.robustness import Check, Finding, table
from csam_reporting.present.glue import plain


def test_numpy_and_pandas_scalars_become_python_numbers():
    assert type(plain(np.int64(3))) is int and plain(np.int64(3)) == 3
    assert type(plain(np.float64(0.25))) is float
    assert type(plain(pd.Series([7], dtype="Int64").iloc[0])) is int
    assert plain("2024") == "2024" and plain(True) is True


@pytest.mark.parametrize("missing", [None, pd.NA, float("nan"), np.float64("nan")])
def test_a_missing_value_is_refused(missing):
    with pytest.raises(ValueError):
        plain(missing)


def test_a_finding_survives_only_if_every_check_does():
    ok = Check("same period a year earlier", "-24% against Q2 2023", True)
    bad = Check("placebo period", "the control fell as much in 2019-20", False)
    assert Finding("a", "A fell.", checks=(ok,)).survives
    assert not Finding("b", "B fell.", checks=(ok, bad)).survives
    rows = table([Finding("a", "A fell.", checks=(ok,)), Finding("b", "B fell.", checks=(ok, bad))])
    assert list(rows["survives"]) == [True, True, False]
    assert list(rows["finding"]) == ["A fell.", "B fell.", "B fell."]


def test_an_unknown_objection_or_empty_result_is_refused():
    with pytest.raises(AssertionError):
        Check("it looked fine", "x", True)
    with pytest.raises(AssertionError):
        Check("placebo period", " ", True)
