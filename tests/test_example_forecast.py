"""The Cambridgeshire example: the underspend at risk that late practitioners and the
blocked probation posts cause, before and after DfE agreed to move the envelope back.

Figures (illustrative, from ledgers/cambridgeshire) worked out by hand below.

Funding years: 2019/20 award 2,490,000.00 from 1 August 2019, to 31 July 2020 until the
extension to 31 March 2021 agreed on 14 February 2020; 2020/21 award 1,600,000.00, in
principle, 1 August 2020 - 31 July 2021. Original 2019/20 estimates: staffing 1,650,000.00
and 840,000.00 for the other categories (training 250,000, case-recording 300,000,
programme-management 200,000, evaluation 60,000, other 30,000), 2,490,000.00 in all.

Monthly post costs (annual cost x FTE / 12): domestic abuse 46,500 -> 3,875.00 (DA-N4 at
0.8 FTE: 3,100.00); substance misuse 43,800 -> 3,650.00 (SM-S3 at 0.5: 1,825.00); mental
health 55,200 -> 4,600.00 (MH-N3 and MH-S1 at 0.6: 2,760.00); probation: blocked since
14 October 2019 with no expected start, so nothing.

Non-staffing categories have no forecast set and have spent less than their estimates,
so each is forecast at estimate less actual: their outturn is their estimate, 840,000.00.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import fsgrant
from fsgrant.services.demo import example_ledger_path

D = Decimal


@pytest.fixture(scope="module")
def led(tmp_path_factory):
    ledger = fsgrant.open(tmp_path_factory.mktemp("example") / "c.db")
    ledger.load(example_ledger_path())
    yield ledger
    ledger.close()


def years(led, day):
    return {y.label: y for y in led.reports.summary(day).funding_years}


def test_as_at_13_february_2020_before_the_envelope_moved(led):
    y = years(led, "2020-02-13")["2019/20"]
    assert y.end.isoformat() == "2020-07-31"
    # Actual to 13 February: staffing January payroll 3,250.00 (DA-N1) + 1,530.65 (SM-S3)
    # = 4,780.65; case-recording 45,000 + 38,250 = 83,250.00; programme-management
    # 6 x 8,541.67 + 2 x 12,500 = 76,250.02; training 4 x 18,750 + 2,345.60 = 77,345.60.
    # 4,780.65 + 83,250.00 + 76,250.02 + 77,345.60 = 241,626.27.
    assert y.actual == D("241626.27")
    # Staffing forecast, 14 February - 31 July 2020 (February: 16 of 29 days):
    #   DA-N1 16/29 x 3875 = 2137.93 + 5 x 3875            = 21,512.93
    #   DA-S1 the same                                     = 21,512.93
    #   SM-N1 in post 17 Feb: 13/29 x 3650 = 1636.21 + 5 x 3650 = 19,886.21
    #   SM-S3 16/29 x 1825 = 1006.90; vacant 1 March, back 1 June: + 2 x 1825 = 4,656.90
    #   SM-S1 from 2 March: 30/31 x 3650 = 3532.26 + 4 x 3650 = 18,132.26
    #   DA-S2 from 16 March: 16/31 x 3875 = 2000.00 + 4 x 3875 = 17,500.00
    #   MH-S1 from 16 March: 16/31 x 2760 = 1424.52 + 4 x 2760 = 12,464.52
    #   DA-N2, DA-S3 from 1 April: 4 x 3875 = 15,500.00 each  = 31,000.00
    #   SM-N2, SM-S2 from 1 April: 4 x 3650 = 14,600.00 each  = 29,200.00
    #   MH-N1, MH-S2 from 1 April: 4 x 4600 = 18,400.00 each  = 36,800.00
    #   DA-N3 from 14 April: 17/30 x 3875 = 2195.83 + 3 x 3875 = 13,820.83
    #   DA-S4 from 27 April: 4/30 x 3875 = 516.67 + 3 x 3875   = 12,141.67
    #   MH-N3 from 20 April: 11/30 x 2760 = 1012.00 + 3 x 2760 = 9,292.00
    #   DA-N4 from 1 May: 3 x 3100                             = 9,300.00
    #   MH-S3 from 1 May: 3 x 4600                             = 13,800.00
    #   SM-N3 from 4 May: 28/31 x 3650 = 3296.77 + 2 x 3650    = 10,596.77
    #   MH-N2 from 1 June: 2 x 4600                            = 9,200.00
    #   PROB-N1, PROB-N2, PROB-S1, PROB-S2: blocked            = 0.00
    #   total                                                  = 290,817.02
    # Outturn: 840,000.00 + 4,780.65 + 290,817.02 = 1,135,597.67.
    # At risk: 2,490,000.00 - 1,135,597.67 = 1,354,402.33.
    staffing = {x.category: x for x in led.reports.variance("2019/20", "2020-02-13").lines}[
        "staffing"
    ]
    assert staffing.forecast_remaining == D("290817.02")
    assert y.forecast_outturn == D("1135597.67")
    assert y.forecast_remaining == y.forecast_outturn - y.actual
    assert y.underspend_at_risk == D("1354402.33")
    assert y.overspend == D("0.00")


def test_as_at_31_march_2020_after_the_envelope_moved(led):
    y = years(led, "2020-03-31")["2019/20"]
    assert y.end.isoformat() == "2021-03-31"
    # Actual to 31 March: staffing, the 12 payroll lines naming their posts:
    # 3250 + 1530.65 + 3875 + 1825 + 3607.76 + 1636.21 + 3875 + 3875 + 3650 + 3532.26
    # + 2000 + 1424.52 = 34,081.40; case-recording 83,250 - 1,250 = 82,000.00;
    # programme-management 8 x 8,541.67 + 3 x 12,500 = 105,833.36; training 5 x 18,750
    # + 2,345.60 = 96,095.60; evaluation 4,166.67; other 1,850.00: 324,027.03 in all.
    assert y.actual == D("324027.03")
    # Staffing forecast, April 2020 - March 2021 (12 months):
    #   in post: DA-N1, DA-S1, DA-S2 12 x 3875 = 46,500.00 each = 139,500.00
    #            SM-N1, SM-S1 12 x 3650 = 43,800.00 each        =  87,600.00
    #            MH-S1 12 x 2760                                =  33,120.00
    #   from 1 April: DA-N2, DA-S3 46,500.00 each               =  93,000.00
    #                 SM-N2, SM-S2 43,800.00 each               =  87,600.00
    #                 MH-N1, MH-S2 12 x 4600 = 55,200.00 each   = 110,400.00
    #   DA-N3 2195.83 + 11 x 3875                               =  44,820.83
    #   DA-S4 516.67 + 11 x 3875                                =  43,141.67
    #   MH-N3 1012.00 + 11 x 2760                               =  31,372.00
    #   DA-N4 11 x 3100                                         =  34,100.00
    #   MH-S3 11 x 4600                                         =  50,600.00
    #   SM-N3 3296.77 + 10 x 3650                               =  39,796.77
    #   MH-N2 10 x 4600                                         =  46,000.00
    #   SM-S3 from 1 June: 10 x 1825                            =  18,250.00
    #   probation: blocked                                      =       0.00
    #   total                                                   = 859,301.27
    # Outturn: 840,000.00 + 34,081.40 + 859,301.27 = 1,733,382.67.
    # At risk: 2,490,000.00 - 1,733,382.67 = 756,617.33.
    staffing = {x.category: x for x in led.reports.variance("2019/20", "2020-03-31").lines}[
        "staffing"
    ]
    assert staffing.forecast_remaining == D("859301.27")
    assert staffing.variance == D("-756617.33")
    assert y.forecast_outturn == D("1733382.67")
    assert y.underspend_at_risk == D("756617.33")
    # Moving the envelope back cut the money at risk by 1,354,402.33 - 756,617.33 = 597,785.00.
    before = years(led, "2020-02-13")["2019/20"]
    assert before.underspend_at_risk - y.underspend_at_risk == D("597785.00")


def test_what_the_blocked_probation_posts_leave_unspent(led):
    # Four probation posts at 49,800 a year: 4 x 4,150.00 = 16,600.00 a month. Had they
    # started on 1 April 2020 they would have used 12 x 16,600 = 199,200.00 of 2019/20.
    r = led.reports.posts("2020-03-31", "2019/20")
    probation = [p for p in r.posts if p.role == "probation"]
    assert len(probation) == 4
    assert all(p.status == "blocked" and p.forecast_cost == 0 for p in probation)
    assert sum(p.annual_cost * p.fte / 12 for p in probation) * 12 == D("199200.00")


def test_2020_21_in_principle_and_squeezed_by_the_overlap(led):
    # 2020/21 takes only the days 2019/20 does not: April - July 2021 after the extension.
    # Staffing then: the 20 unblocked posts cost 7 x 3875 + 3100 + 5 x 3650 + 1825
    # + 4 x 4600 + 2 x 2760 = 74,220.00 a month; 4 x 74,220 = 296,880.00, plus the other
    # 2020/21 estimates 100,000 + 100,000 + 150,000 + 50,000 = 400,000.00: 696,880.00.
    # Before the extension: 12 x 74,220 + 400,000 = 1,290,640.00.
    after = years(led, "2020-03-31")["2020/21"]
    before = years(led, "2020-02-13")["2020/21"]
    assert after.forecast_outturn == D("696880.00")
    assert after.underspend_at_risk == D("903120.00")
    assert before.forecast_outturn == D("1290640.00")
    assert after.secure is False
    assert led.check("2020-03-31") == []


def test_profile_and_variance_show_the_figures_worked_out_above(led):
    # Figures from the two tests above, not from the reports themselves:
    # as at 13 February 2020: actual 241,626.27, outturn 1,135,597.67, so forecast
    # remaining 1,135,597.67 - 241,626.27 = 893,971.40; as at 31 March 2020: actual
    # 324,027.03, outturn 1,733,382.67, forecast remaining 1,409,355.64. The original
    # estimate is 2,490,000.00 either way; the last month's cumulative is the outturn.
    expected = {
        "2020-02-13": (D("241626.27"), D("893971.40"), D("1135597.67")),
        "2020-03-31": (D("324027.03"), D("1409355.64"), D("1733382.67")),
    }
    for day, (actual, forecast, outturn) in expected.items():
        v = led.reports.variance("2019/20", day)
        p = led.reports.profile("2019/20", day)
        assert (v.totals.actual, v.totals.forecast_remaining, v.totals.outturn) == (
            actual,
            forecast,
            outturn,
        )
        assert (p.totals.actual, p.totals.forecast, p.totals.estimate) == (
            actual,
            forecast,
            D("2490000.00"),
        )
        assert sum(m.actual for m in p.months) == actual
        assert sum(m.forecast for m in p.months) == forecast
        assert p.months[-1].cumulative == outturn
