import fsgrant


def test_public_api_is_pinned():
    assert fsgrant.__all__ == sorted(fsgrant.__all__)
    assert set(fsgrant.__all__) >= {
        "FsgrantError",
        "Ledger",
        "SpendLine",
        "SummaryReport",
        "open",
        "parse_amount",
        "parse_date",
    }
    for name in fsgrant.__all__:
        assert getattr(fsgrant, name) is not None, name


def test_one_exception_root():
    for name in (
        "InvalidInput",
        "InvalidAmount",
        "InvalidDate",
        "SourceError",
        "NotFound",
        "Conflict",
        "PeriodClosed",
        "StoreError",
    ):
        assert issubclass(getattr(fsgrant, name), fsgrant.FsgrantError)


def test_library_round_trip(tmp_path):
    with fsgrant.open(tmp_path / "lib.db") as led:
        led.init("G", "F", "R")
        led.years.add("2019/20", "100.00", "2019-08-01")
        line = led.spend.add("2019-08-02", "0.10", "other")
        led.spend.add("2019-08-03", "0.20", "other")
        assert isinstance(line, fsgrant.SpendLine)
        report = led.reports.summary()
        assert isinstance(report, fsgrant.SummaryReport)
        # 0.10 + 0.20 is exactly 0.30, not 0.30000000000000004.
        assert str(report.funding_years[0].actual) == "0.30"
