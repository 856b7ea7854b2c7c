from decimal import Decimal

import fsgrant


def test_example_loads_with_hand_worked_totals(tmp_path):
    # grant.toml: 2019/20 award 2,490,000.00; receipts.csv: 1,245,000.00 + 622,500.00.
    from fsgrant.services.demo import example_ledger_path

    with fsgrant.open(tmp_path / "s.db") as led:
        led.load(example_ledger_path())
        s = led.reports.summary("2020-03-31")
    y = {r.label: r for r in s.funding_years}
    assert y["2019/20"].award == Decimal("2490000.00")
    assert y["2019/20"].received == Decimal("1867500.00")
    assert y["2020/21"].status == "in-principle"
