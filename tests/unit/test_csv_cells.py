import pytest

from music_time_machine.csv_cells import spreadsheet_safe, spreadsheet_safe_row


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_like_text_gets_a_leading_quote(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("cell", [-5, -0.5, 0, "Song = Love", "", "2024-01-01", None])
def test_numbers_and_ordinary_text_are_left_alone(cell):
    assert spreadsheet_safe(cell) == cell


def test_a_row_keeps_its_numeric_columns_numeric():
    assert spreadsheet_safe_row([-3, "-3", "ok"]) == [-3, "'-3", "ok"]
