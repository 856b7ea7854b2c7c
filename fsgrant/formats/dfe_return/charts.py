"""The charts of the DfE return (openpyxl, imported inside the functions): the
monthly profile's cumulative spend, and the sustainability plan's cost against grant
and funding. Added to a write-only sheet after its rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fsgrant.formats.dfe_return.layout import PROFILE_HEADER_ROW
from fsgrant.formats.dfe_return.model import ReturnData

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = ["add_profile_chart", "add_sustainability_chart"]


def add_profile_chart(ws: WriteOnlyWorksheet, first: int, last: int, data: ReturnData) -> None:
    """Cumulative actual + forecast against cumulative estimate and the award."""
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = f"Cumulative spend against estimate and award, {data.year.label}"
    chart.y_axis.title = "£"
    chart.y_axis.number_format = "£#,##0"
    chart.x_axis.number_format = "mmm yy"
    chart.x_axis.title = "Month"
    # openpyxl 3.1 marks axes deleted unless told otherwise: Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height = 9
    chart.width = 22
    header = PROFILE_HEADER_ROW
    for col in (6, 7, 8):  # cumulative actual + forecast, cumulative estimate, award
        ref = Reference(ws, min_col=col, min_row=header, max_row=last)
        chart.add_data(ref, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.legend.position = "b"
    ws.add_chart(chart, f"J{header}")


def add_sustainability_chart(ws: WriteOnlyWorksheet, first: int, last: int, width: int) -> None:
    """Total cost against grant + funding by financial year (columns), and the gap."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.title = "Cost of the model against grant and funding, by financial year"
    chart.y_axis.title = "£"
    chart.y_axis.number_format = "£#,##0"
    chart.x_axis.title = "Financial year"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height = 9
    chart.width = 22
    header = first - 1
    # Total cost (column D), grant + funding and the gap (the two columns before Funded %).
    for col in (4, width - 2, width - 1):
        ref = Reference(ws, min_col=col, min_row=header, max_row=last)
        chart.add_data(ref, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.legend.position = "b"
    ws.add_chart(chart, f"B{last + 3}")
