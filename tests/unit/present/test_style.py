"""The figure helper will not produce a figure a reader cannot use."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from csam_reporting.present import figures


@pytest.fixture(autouse=True)
def _style():
    figures.apply()


def _figure():
    fig, ax = plt.subplots()
    ax.plot([2019, 2020, 2021], [1, 2, 3])
    ax.set_xlabel("year")
    return fig


GOOD = dict(title="Reports rose every year from 2019 to 2021",
            alt="Line chart: reports rise steadily from 1 in 2019 to 3 in 2021.",
            source="NCMEC, CyberTipline Reports by ESP")


def test_figure_with_all_text_renders_as_accessible_html():
    html = figures.show_figure(_figure(), **GOOD).to_html()
    assert 'alt="Line chart: reports rise steadily' in html
    assert "Source: NCMEC, CyberTipline Reports by ESP." in html
    assert html.count("<img") == 1 and "data:image/svg+xml;base64," in html


@pytest.mark.parametrize("missing", ["title", "alt", "source"])
def test_figure_without_required_text_is_refused(missing):
    with pytest.raises(figures.FigureTextError):
        figures.show_figure(_figure(), **{**GOOD, missing: ""})


def test_alt_text_that_is_a_file_name_is_refused():
    with pytest.raises(figures.FigureTextError):
        figures.show_figure(_figure(), **{**GOOD, "alt": "chapters/figures/reports_by_year.png"})


def test_transparent_background_is_refused():
    fig = _figure()
    fig.patch.set_alpha(0)
    with pytest.raises(figures.FigureTextError):
        figures.show_figure(fig, **GOOD)


def test_style_is_opaque_and_colour_blind_safe():
    assert plt.rcParams["figure.facecolor"] == "white"
    assert plt.rcParams["savefig.transparent"] is False
    assert [c.upper() for c in plt.rcParams["axes.prop_cycle"].by_key()["color"]] == \
        [c.upper() for c in figures.PALETTE]
    assert set(figures.PALETTE) <= set(figures.OKABE_ITO.values())


def test_figure_offers_its_own_numbers_as_csv_named_without_figures():
    import base64
    import re

    import pandas as pd
    numbers = pd.DataFrame({"year": [2019, 2020, 2021], "reports": [1, 2, 3]})
    html = figures.show_figure(_figure(), **GOOD, data=numbers, data_file="cybertipline_reports_yearly.csv").to_html()
    match = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="([^"]+)"', html)
    assert match, "the figure's numbers are offered as a download"
    assert base64.b64decode(match.group(1)).decode().splitlines() == ["year,reports", "2019,1", "2020,2", "2021,3"]
    assert match.group(2) == "reports-rose-every-year-from-to.csv"
    assert 'href="../data/cybertipline_reports_yearly.csv"' in html


def test_figure_with_empty_numbers_is_refused():
    import pandas as pd
    with pytest.raises(figures.FigureTextError):
        figures.show_figure(_figure(), **GOOD, data=pd.DataFrame({"year": []}))
