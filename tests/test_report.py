"""negsim.report: files written, self-contained HTML, Markdown links, assumptions with quotes;
the HTML is rendered from the Markdown (code spans, tables, embedded figures); the sweep
report says why points have no value."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from test_plot import solved  # noqa: E402  (shared per-session solve; tests/ is on sys.path)

import negsim  # noqa: E402
from negsim.cli import cli  # noqa: E402
from negsim.report import (  # noqa: E402
    assumption_rows,
    markdown_to_html,
    write_comparison,
    write_report,
)
from negsim.result import Result  # noqa: E402

FIRST_EDITION = Path(__file__).resolve().parent / "data" / "ukraine_first_edition"  # issue 19


class Page(HTMLParser):
    """What a reader sees of an HTML page: text nodes, headings (h1, h2), the header and
    body cells of each table, inline code and image sources (stdlib parser, not the
    Markdown library that wrote the page)."""

    VOID = {"img", "br", "hr", "meta", "link", "input"}

    def __init__(self, page: str) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.headings: list[str] = []
        self.tables: list[dict[str, list[str]]] = []
        self.codes: list[str] = []
        self.images: list[str] = []
        self.open: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        if tag in self.VOID:
            return
        self.open.append(tag)
        if tag == "table":
            self.tables.append({"th": [], "td": []})
        if tag in ("h1", "h2"):
            self.headings.append("")
        if tag in ("th", "td"):
            self.tables[-1][tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "style" in self.open or "title" in self.open:
            return
        self.texts.append(data)
        if "h1" in self.open or "h2" in self.open:
            self.headings[-1] += data
        for cell in ("th", "td"):
            if cell in self.open:
                self.tables[-1][cell][-1] += data
        if "code" in self.open:
            self.codes.append(data)


def markdown_sections(md: str) -> list[str]:
    """ATX headings of levels 1 and 2 outside fenced code blocks."""
    sections, fenced = [], False
    for line in md.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"(#{1,2}) (.*)", line)):
            sections.append(m.group(2).strip())
    return sections


@pytest.fixture(scope="module")
def ukraine_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ukraine")
    return folder, write_report(solved(str(FIRST_EDITION / "ukraine_2025.yaml")), folder)


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


def test_html_renders_code_spans_tables_and_embedded_figures(ukraine_report):
    folder, paths = ukraine_report
    page = Page((folder / "report.html").read_text(encoding="utf-8"))
    # Code spans are <code>, never literal backticks; no Markdown table syntax left as text.
    assert not [t for t in page.texts if "`" in t or "| ---" in t]
    assert "ukraine_2025" in page.codes and "negsim explain" in page.codes
    headers = [t["th"] for t in page.tables]
    assert headers[0] == ["Round", "Probability of the deal", "Cumulative"]
    assert headers[1][0].startswith("Issue (") and "spe" in headers[1]
    assert headers[2] == [
        "Actor",
        "Veto",
        "Threat point W",
        "Continuation C",
        "Payoff",
        "Surplus share",
        "Gain from waiting",
    ]
    assert headers[3][:3] == ["Proposal", "Actor", "Accepts"]
    assert headers[4] == ["Parameter", "Value", "Why (quoted from the source)"]
    for table in page.tables:  # every row has as many cells as the header
        assert table["td"] and len(table["td"]) % len(table["th"]) == 0
    assumptions = page.tables[4]["td"]
    row = assumptions.index("actors.russia.discount")
    assert assumptions[row + 1] == "0.99"
    assert "his only true limit remains time itself" in assumptions[row + 2]
    # Every figure is embedded, in report order, byte for byte.
    pngs = [p for p in paths if p.suffix == ".png"]
    assert len(page.images) == len(pngs)
    for src, png in zip(page.images, pngs, strict=True):
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]) == png.read_bytes()


def test_markdown_and_html_have_the_same_sections(ukraine_report, tmp_path):
    folder, _ = ukraine_report
    md = (folder / "report.md").read_text(encoding="utf-8")
    page = Page((folder / "report.html").read_text(encoding="utf-8"))
    assert markdown_sections(md) == page.headings
    assert page.headings == [
        "Ending the war in Ukraine (late 2025)",
        "Summary",
        "Figures",
        "Key tables",
        "Assumptions",
    ]
    base, patient = solved("textbook/rubinstein"), solved("textbook/rubinstein_finite")
    write_comparison(base, patient, tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = Page((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert markdown_sections(md) == page.headings
    assert page.headings[1:] == [
        "Summary: rubinstein",
        "Summary: rubinstein_finite",
        "Figures",
        "Actors at the start",
    ]
    assert [t["th"][0] for t in page.tables] == ["Name", "Scenario"]


def test_html_escapes_raw_html_and_keeps_code_spans(tmp_path):
    page = markdown_to_html("# T\n\n<script>alert(1)</script> and `a|b`\n", "T", tmp_path)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<code>a|b</code>" in page


def test_sweep_report_says_why_points_have_no_value(tmp_path):
    # Fearon's crisis: a negative war cost is rejected (error); a private benefit of war of
    # 0.5 to A makes war worth 0.6 - 0.1 + 0.5 = 1.0 > any share of the territory, so no deal
    # is made in the single round (no agreement round, and no round-0 deal payoff).
    out = tmp_path / "fearon"
    args = ["sweep", "textbook/fearon", "--grid", "actors.a.war_cost=-0.2,0.1"]
    args += ["--grid", "actors.a.private_benefit=0,0.5", "--backend", "serial", "--quiet"]
    res = CliRunner().invoke(cli, [*args, "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    table = pd.read_parquet(out / "sweep.parquet")
    failed = table["error"].notna()
    no_deal = table["agreement_round"].isna() & ~failed
    assert failed.sum() == 2 and no_deal.sum() == 1
    point = table.loc[no_deal, ["actors.a.war_cost", "actors.a.private_benefit"]].iloc[0]
    alone = negsim.solve(negsim.load("textbook/fearon").with_changes(point.to_dict()))
    assert alone.agreement["probability"].iloc[0] == 0.0  # no deal at round 0 either

    md = (out / "report.md").read_text(encoding="utf-8")
    section = md.split("## Points without a value", 1)[1].split("\n## ", 1)[0]
    first_table = section.split("\n\n|", 1)[1].split("\n\n", 1)[0]
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in ("|" + first_table).splitlines()
        if not line.startswith("| ---")
    ]
    header, body = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header == ["output", "no value", "error", "no deal by the end", "no deal at the start"]
    assert set(body) == {"agreement_round", "payoff.a", "payoff.b"}
    for output, row in body.items():
        counts = [int(row[r]) for r in header[2:]]
        assert int(row["no value"]) == table[output].isna().sum() == sum(counts)
        assert int(row["error"]) == failed.sum()
    assert body["agreement_round"]["no deal by the end"] == "1"
    assert body["payoff.a"]["no deal at the start"] == "1"
    for reason in header[2:]:
        assert f"- **{reason}**: " in section
    assert "expected a value in [0, inf], found -0.2 | 2 |" in md  # errors by message
