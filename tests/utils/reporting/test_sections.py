"""A report section's parts: figures saved beside the page with an escaped title, and HTML tables of the columns a
frame has, floats to 3 significant digits, text escaped."""

import pandas as pd

from utils.reporting.sections import Sections, html_table


def test_a_figure_is_saved_and_shown_under_its_escaped_title(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    page = Sections(tmp_path)
    figure, axis = plt.subplots()
    axis.plot([0, 1], [1, 0])
    page.figure(figure, "f.png", "a < b & c", "look <here>")
    page.skip("nothing to draw")
    assert (tmp_path / "f.png").stat().st_size > 1000
    expected = '<h3>a &lt; b &amp; c</h3>\n<p class="caption">look &lt;here&gt;</p>\n<img src="f.png" alt="a &lt; b &amp; c">'
    assert page.parts == [expected] and page.skipped == ["nothing to draw"]


def test_sections_make_the_contents_and_an_empty_one_is_dropped(tmp_path):
    page = Sections(tmp_path)
    page.open("one", "First <family>", "what it holds")
    page.add("<p>x</p>")
    page.open("two", "Second")
    page.drop_if_empty()
    assert page.contents == [("one", "First <family>")] and page.parts[0] == '<h2 id="one">First &lt;family&gt;</h2><p>what it holds</p>'
    assert page.table_of_contents() == '<nav><h2>Contents</h2><ol><li><a href="#one">First &lt;family&gt;</a></li></ol></nav>'
    assert Sections(tmp_path).table_of_contents() == ""


def test_a_table_of_the_present_columns_in_the_asked_order():
    frame = pd.DataFrame({"b": [0.123456, 12345.0], "a": ["<x>", None], "c": [1, 2]})
    assert html_table(frame, ["a", "missing", "b"]) == (
        "<table><tr><th>a</th><th>b</th></tr><tr><td>&lt;x&gt;</td><td>0.123</td></tr><tr><td></td><td>1.23e+04</td></tr></table>"
    )
    assert html_table(frame.iloc[0:0], ["c"]) == "<table><tr><th>c</th></tr></table>"
