"""negsim.report: files written, self-contained HTML, Markdown links, assumptions with quotes."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from test_plot import solved  # noqa: E402  (shared per-session solve; tests/ is on sys.path)

import negsim  # noqa: E402
from negsim.report import assumption_rows, write_comparison, write_report  # noqa: E402
from negsim.result import Result  # noqa: E402


@pytest.fixture(scope="module")
def ukraine_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ukraine")
    return folder, write_report(solved("ukraine_2025"), folder)


def test_every_file_written_and_non_empty(ukraine_report):
    folder, paths = ukraine_report
    names = [p.name for p in paths]
    assert names[-2:] == ["report.md", "report.html"]
    for expected in (
        "dashboard.png",
        "leverage.png",
        "delay_incentives.png",
        "bargaining_range_territory.png",
        "control.png",
        "proposals.png",
        "stage_game_us_vs_russia.png",
    ):
        assert expected in names
    assert all(p.parent == folder and p.stat().st_size > 1000 for p in paths)
    assert plt.get_fignums() == []  # every figure closed after saving


def test_html_is_self_contained(ukraine_report):
    folder, paths = ukraine_report
    page = (folder / "report.html").read_text(encoding="utf-8")
    pngs = [p for p in paths if p.suffix == ".png"]
    assert page.count('<img src="data:image/png;base64,') == len(pngs)
    assert not re.search(r'src="(?!data:)', page)  # no external images
    assert "<h1>Ending the war in Ukraine (late 2025)</h1>" in page
    assert "Deal: the SPE agreement comes at month 0 (Nov 2025)." in page


def test_markdown_links_figures_and_quotes_assumptions(ukraine_report):
    folder, paths = ukraine_report
    md = (folder / "report.md").read_text(encoding="utf-8")
    for p in paths:
        if p.suffix == ".png":
            assert f"]({p.name})" in md
    assert "## Assumptions" in md and "## Key tables" in md
    assert "his only true limit remains time itself" in md  # Russia's discount, quoted
    assert "| actors.russia.discount | 0.99 |" in md
    assert "| plan_27 | Ukraine | never |" in md


def test_assumption_rows_carry_every_why():
    s = negsim.load("textbook/rubinstein")
    rows = assumption_rows(s)
    assert ("actors.alice.discount", "0.9", "Alice discounts each round of delay by 0.9.") in rows
    assert all(len(r) == 3 for r in rows)


def test_svg_and_reloaded_result(tmp_path):
    result = solved("textbook/rubinstein")
    paths = write_report(result, tmp_path / "svg", svg=True)
    assert {p.suffix for p in paths} == {".png", ".svg", ".md", ".html"}
    result.save(tmp_path / "run")
    loaded = Result.load(tmp_path / "run")
    paths = write_report(loaded, tmp_path / "loaded")
    names = [p.name for p in paths]
    assert "leverage.png" in names and not any(n.startswith("bargaining_range") for n in names)
    assert "## Assumptions" not in (tmp_path / "loaded" / "report.md").read_text()


def test_comparison(tmp_path):
    base = solved("textbook/rubinstein")
    patient = negsim.solve(
        negsim.load("textbook/rubinstein").with_changes({"actors.bob.discount": 0.95})
    )
    paths = write_comparison(base, patient, tmp_path)
    assert [p.name for p in paths] == [
        "compare_leverage.png",
        "compare_delay_incentives.png",
        "report.md",
        "report.html",
    ]
    md = (tmp_path / "report.md").read_text()
    assert "# Comparison: rubinstein (A) vs rubinstein (B)" in md
    assert "## Summary: rubinstein (A)" in md and "](compare_leverage.png)" in md
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2
    assert plt.get_fignums() == []
