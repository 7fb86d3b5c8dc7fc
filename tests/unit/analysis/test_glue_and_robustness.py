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


@pytest.mark.parametrize("text,expected", [
    ("-24%", "\u221224%"), ("Q2 2024 -24%; Q3 +5%", "Q2 2024 \u221224%; Q3 +5%"), ("(-0.5)", "(\u22120.5)"),
    ("2024-03", "2024-03"), ("2019-2023", "2019-2023"), ("COVID-19", "COVID-19"), ("x-1", "x-1")])
def test_a_minus_sign_is_a_minus_sign_and_nothing_else_changes(text, expected):
    from csam_reporting.present.typography import true_minus
    assert true_minus(text) == expected


def test_tables_show_negative_numbers_with_a_true_minus():
    from csam_reporting.present.tables import show_table
    html = show_table(pd.DataFrame({"change": [-0.24, 0.1], "note": ["fell -5%", "2024-03"]}),
                      caption="changes", formats={"change": "{:+.0%}"})._repr_html_()
    assert "\u221224%" in html and "+10%" in html and "fell \u22125%" in html and "2024-03" in html
