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
    page.figure(figure, "f.png", "a < b & c")
    page.skip("nothing to draw")
    assert (tmp_path / "f.png").stat().st_size > 1000
    assert page.parts == ['<h2>a &lt; b &amp; c</h2>\n<img src="f.png" alt="a &lt; b &amp; c">'] and page.skipped == ["nothing to draw"]


def test_a_table_of_the_present_columns_in_the_asked_order():
    frame = pd.DataFrame({"b": [0.123456, 12345.0], "a": ["<x>", None], "c": [1, 2]})
    assert html_table(frame, ["a", "missing", "b"]) == (
        "<table><tr><th>a</th><th>b</th></tr><tr><td>&lt;x&gt;</td><td>0.123</td></tr><tr><td></td><td>1.23e+04</td></tr></table>"
    )
    assert html_table(frame.iloc[0:0], ["c"]) == "<table><tr><th>c</th></tr></table>"
