"""The Cambridgeshire example: the underspend at risk that late practitioners and the
blocked probation posts cause, before and after DfE agreed to move the envelope back.

Figures (illustrative, from ledgers/cambridgeshire) worked out by hand below.

Funding years: 2019/20 award 2,490,000.00 from 1 August 2019, to 31 July 2020 until the
extension to 31 March 2021 agreed on 14 February 2020; 2020/21 award 1,600,000.00, in
principle, 1 August 2020 - 31 July 2021. Original 2019/20 estimates: staffing 1,650,000.00
and 840,000.00 for the other categories (training 250,000, case-recording 300,000,
programme-management 200,000, evaluation 60,000, other 30,000), 2,490,000.00 in all.

Monthly post costs (annual cost x FTE / 12) to March 2020: domestic abuse 46,500 ->
3,875.00 (DA-N4 at 0.8 FTE: 3,100.00); substance misuse 43,800 -> 3,650.00 (SM-S3 at 0.5:
1,825.00); mental health 55,200 -> 4,600.00 (MH-N3 and MH-S1 at 0.6: 2,760.00); probation:
blocked since 14 October 2019 with no expected start, so nothing.

From 1 April 2020 every post has a 2.75% pay award (post_changes.csv), a month rounded
once, half-up: domestic abuse 46,500 x 1.0275 = 47,778.75 -> 3,981.5625 = 3,981.56 (DA-N4
x 0.8: 3,185.25); substance misuse 45,004.50 -> 3,750.375 = 3,750.38 (SM-S3 x 0.5:
1,875.1875 = 1,875.19); mental health 56,718.00 -> 4,726.50 (x 0.6: 2,835.90); probation
51,169.50 (blocked). Part months at the new rate: DA-N3 from 14 April 17/30 x 3,981.5625 =
2,256.21875 = 2,256.22; DA-S4 from 27 April 4/30 x 3,981.5625 = 530.875 = 530.88; MH-N3 from
20 April 11/30 x 2,835.90 = 1,039.83; SM-N3 from 4 May 28/31 x 3,750.375 = 3,387.4354... =
3,387.44.

The staffing estimate (1,650,000.00) is phased by months when it was set, 1 August 2019
(estimate_phasing.csv): nothing August - October 2019, November 90,000, December 150,000,
January 180,000, February - April 200,000 each, May - July 210,000 each.

Non-staffing categories have no forecast set and have spent less than their estimates,
so each is forecast at its latest estimate less actual: their outturn is their estimate,
840,000.00, until the virement of 16 March 2020 (estimates.csv, VIR-2020-03) moves
100,000.00 from staffing (post-driven: its forecast is its posts') to training, which
makes it 940,000.00. From 16 March the staffing forecast also carries 24,000.00 of agency
cover for the blocked probation posts (forecast_additions.csv).

Month-end and year-end (commitments.csv, spend.csv): PO-40088 (other, 2,400.00, raised
20 January) cancelled 16 March; PO-40117 (training venue, 6,000.00, raised 17 February)
drawn down by a 1,500.00 invoice of 20 March; PO-40152 (a training cohort, 18,750.00,
raised 9 March) open. Evaluation fieldwork of March, 3,200.00, accrued on 31 March 2020
and reversed on 1 April.
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
    # Staffing forecast, 14 February - 31 July 2020 (February: 16 of 29 days), known
    # changes included, so April - July at the pay award's rates:
    #   DA-N1 16/29 x 3875 = 2137.93 + 3875 + 4 x 3981.56  = 21,939.17
    #   DA-S1 the same                                     = 21,939.17
    #   SM-N1 in post 17 Feb: 13/29 x 3650 = 1636.21 + 3650 + 4 x 3750.38 = 20,287.73
    #   SM-S3 16/29 x 1825 = 1006.90; vacant 1 March, back 1 June: + 2 x 1875.19 = 4,757.28
    #   SM-S1 from 2 March: 30/31 x 3650 = 3532.26 + 4 x 3750.38 = 18,533.78
    #   DA-S2 from 16 March: 16/31 x 3875 = 2000.00 + 4 x 3981.56 = 17,926.24
    #   MH-S1 from 16 March: 16/31 x 2760 = 1424.52 + 4 x 2835.90 = 12,768.12
    #   DA-N2, DA-S3 from 1 April: 4 x 3981.56 = 15,926.24 each = 31,852.48
    #   SM-N2, SM-S2 from 1 April: 4 x 3750.38 = 15,001.52 each = 30,003.04
    #   MH-N1, MH-S2 from 1 April: 4 x 4726.50 = 18,906.00 each = 37,812.00
    #   DA-N3 from 14 April: 2256.22 + 3 x 3981.56             = 14,200.90
    #   DA-S4 from 27 April: 530.88 + 3 x 3981.56              = 12,475.56
    #   MH-N3 from 20 April: 1039.83 + 3 x 2835.90             = 9,547.53
    #   DA-N4 from 1 May: 3 x 3185.25                          = 9,555.75
    #   MH-S3 from 1 May: 3 x 4726.50                          = 14,179.50
    #   SM-N3 from 4 May: 3387.44 + 2 x 3750.38                = 10,888.20
    #   MH-N2 from 1 June: 2 x 4726.50                         = 9,453.00
    #   PROB-N1, PROB-N2, PROB-S1, PROB-S2: blocked            = 0.00
    #   total                                                  = 298,119.45
    # Outturn: 840,000.00 + 4,780.65 + 298,119.45 = 1,142,900.10.
    # At risk: 2,490,000.00 - 1,142,900.10 = 1,347,099.90.
    staffing = {x.category: x for x in led.reports.variance("2019/20", "2020-02-13").lines}[
        "staffing"
    ]
    assert staffing.forecast_remaining == D("298119.45")
    assert y.forecast_outturn == D("1142900.10")
    assert y.forecast_remaining == y.forecast_outturn - y.actual
    assert y.underspend_at_risk == D("1347099.90")
    assert y.overspend == D("0.00")


def test_as_at_31_march_2020_after_the_envelope_moved(led):
    y = years(led, "2020-03-31")["2019/20"]
    assert y.end.isoformat() == "2021-03-31"
    # Actual to 31 March: staffing, the 12 payroll lines naming their posts:
    # 3250 + 1530.65 + 3875 + 1825 + 3607.76 + 1636.21 + 3875 + 3875 + 3650 + 3532.26
    # + 2000 + 1424.52 = 34,081.40; case-recording 83,250 - 1,250 = 82,000.00;
    # programme-management 8 x 8,541.67 + 3 x 12,500 = 105,833.36; training 5 x 18,750
    # + 2,345.60 + 1,500.00 (PO-40117's venue) = 97,595.60; evaluation 4,166.67 + the
    # 3,200.00 accrued on 31 March = 7,366.67; other 1,850.00: 328,727.03 in all.
    assert y.actual == D("328727.03")
    # Staffing forecast, April 2020 - March 2021 (12 months, all at the pay award's rates):
    #   in post: DA-N1, DA-S1, DA-S2 12 x 3981.56 = 47,778.72 each = 143,336.16
    #            SM-N1, SM-S1 12 x 3750.38 = 45,004.56 each        =  90,009.12
    #            MH-S1 12 x 2835.90                                =  34,030.80
    #   from 1 April: DA-N2, DA-S3 47,778.72 each                  =  95,557.44
    #                 SM-N2, SM-S2 45,004.56 each                  =  90,009.12
    #                 MH-N1, MH-S2 12 x 4726.50 = 56,718.00 each   = 113,436.00
    #   DA-N3 2256.22 + 11 x 3981.56                               =  46,053.38
    #   DA-S4 530.88 + 11 x 3981.56                                =  44,328.04
    #   MH-N3 1039.83 + 11 x 2835.90                               =  32,234.73
    #   DA-N4 11 x 3185.25                                         =  35,037.75
    #   MH-S3 11 x 4726.50                                         =  51,991.50
    #   SM-N3 3387.44 + 10 x 3750.38                               =  40,891.24
    #   MH-N2 10 x 4726.50                                         =  47,265.00
    #   SM-S3 from 1 June: 10 x 1875.19                            =  18,751.90
    #   probation: blocked                                         =       0.00
    #   the posts                                                  = 882,932.18
    #   agency cover for the blocked probation posts (an addition) =  24,000.00
    #   total                                                      = 906,932.18
    # Outturn: 940,000.00 (after the virement) + 34,081.40 + 906,932.18 = 1,881,013.58.
    # At risk: 2,490,000.00 - 1,881,013.58 = 608,986.42.
    staffing = {x.category: x for x in led.reports.variance("2019/20", "2020-03-31").lines}[
        "staffing"
    ]
    assert staffing.forecast_remaining == D("906932.18")
    # Against the original 1,650,000.00: 34,081.40 + 906,932.18 - 1,650,000.00.
    assert staffing.variance == D("-708986.42")
    assert y.forecast_outturn == D("1881013.58")
    assert y.underspend_at_risk == D("608986.42")
    # Moving the envelope back, the virement and the agency cover cut the money at risk
    # by 1,347,099.90 - 608,986.42 = 738,113.48.
    before = years(led, "2020-02-13")["2019/20"]
    assert before.underspend_at_risk - y.underspend_at_risk == D("738113.48")


def test_the_month_end_and_year_end_routines(led):
    # Committed as at 31 March: PO-40117 6,000.00 - 1,500.00 + PO-40152 18,750.00 =
    # 23,250.00, all training; PO-40088 was cancelled on 16 March. As at 13 February
    # only PO-40088 was open: 2,400.00, other.
    assert years(led, "2020-03-31")["2019/20"].committed == D("23250.00")
    assert years(led, "2020-02-13")["2019/20"].committed == D("2400.00")
    training = {x.category: x for x in led.reports.variance("2019/20", "2020-03-31").lines}[
        "training"
    ]
    # Training's forecast, 350,000.00 - 97,595.60 = 252,404.40, is above what is
    # committed: not lifted.
    assert (training.committed, training.forecast_remaining) == (D("23250.00"), D("252404.40"))
    assert training.forecast_lifted_to_committed is False
    # The accrual: +3,200.00 in FY2019/20, -3,200.00 in FY2020/21, both in funding year
    # 2019/20 (to 31 March 2021): evaluation as at 30 April is back to 4,166.67.
    evaluation = [x for x in led.spend.list(category="evaluation") if x.accrual]
    assert [(x.financial_year, x.amount, x.accrual) for x in evaluation] == [
        ("FY2019/20", D("3200.00"), "accrual"),
        ("FY2020/21", D("-3200.00"), "reversal"),
    ]
    april = {x.category: x for x in led.reports.variance("2019/20", "2020-04-30").lines}
    assert april["evaluation"].actual == D("4166.67")
    # The virement balances: the estimates in force still add up to the award.
    assert sum(
        e.amount for e in led.estimates.in_force("2020-03-31") if e.funding_year == "2019/20"
    ) == D("2490000.00")


def test_what_the_blocked_probation_posts_leave_unspent(led):
    # Four probation posts at 49,800 a year (as at 31 March 2020, before the pay award):
    # 4 x 4,150.00 = 16,600.00 a month, 12 x 16,600 = 199,200.00 a year.
    r = led.reports.posts("2020-03-31", "2019/20")
    probation = [p for p in r.posts if p.role == "probation"]
    assert len(probation) == 4
    assert all(p.status == "blocked" and p.forecast_cost == 0 for p in probation)
    assert sum(p.annual_cost * p.fte / 12 for p in probation) * 12 == D("199200.00")


def test_2020_21_in_principle_and_squeezed_by_the_overlap(led):
    # 2020/21 takes only the days 2019/20 does not: April - July 2021 after the extension.
    # Staffing then, after the pay award: the 20 unblocked posts cost 7 x 3981.56 +
    # 3185.25 + 5 x 3750.38 + 1875.19 + 4 x 4726.50 + 2 x 2835.90 = 27,870.92 + 3,185.25
    # + 18,751.90 + 1,875.19 + 18,906.00 + 5,671.80 = 76,261.06 a month; 4 x 76,261.06 =
    # 305,044.24, plus the other 2020/21 estimates 100,000 + 100,000 + 150,000 + 50,000 =
    # 400,000.00: 705,044.24; at risk 1,600,000.00 - 705,044.24 = 894,955.76.
    # Before the extension: 12 x 76,261.06 + 400,000 = 1,315,132.72.
    after = years(led, "2020-03-31")["2020/21"]
    before = years(led, "2020-02-13")["2020/21"]
    assert after.forecast_outturn == D("705044.24")
    assert after.underspend_at_risk == D("894955.76")
    assert before.forecast_outturn == D("1315132.72")
    assert after.secure is False
    assert led.check("2020-03-31") == []


def test_profile_and_variance_show_the_figures_worked_out_above(led):
    # Figures from the two tests above, not from the reports themselves:
    # as at 13 February 2020: actual 241,626.27, outturn 1,142,900.10, so forecast
    # remaining 1,142,900.10 - 241,626.27 = 901,273.83; as at 31 March 2020: actual
    # 328,727.03, outturn 1,881,013.58, forecast remaining 1,552,286.55. The original
    # estimate is 2,490,000.00 either way; the last month's cumulative is the outturn.
    expected = {
        "2020-02-13": (D("241626.27"), D("901273.83"), D("1142900.10")),
        "2020-03-31": (D("328727.03"), D("1552286.55"), D("1881013.58")),
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


def test_the_staffing_budget_to_date_follows_its_phasing(led):
    # As at 13 February 2020 (period August 2019 - July 2020): August - January
    # 0 + 0 + 0 + 90,000 + 150,000 + 180,000 = 420,000.00, plus 13 of February's 29 days
    # of 200,000: 89,655.172... = 89,655.17; 509,655.17 to date. Actual staffing 4,780.65:
    # 4,780.65 - 509,655.17 = -504,874.52, -99.06...% = -99.1%.
    staffing = {x.category: x for x in led.reports.variance("2019/20", "2020-02-13").lines}[
        "staffing"
    ]
    assert staffing.phasing == "months"
    assert staffing.budget_to_date == D("509655.17")
    assert staffing.variance_to_date == D("-504874.52")
    assert staffing.variance_to_date_pct == D("-99.1")
    # As at 31 March 2020 the period runs to March 2021; the months after July 2020 were
    # not in it when the phasing was set and have no budget. To date: 420,000 + 200,000
    # + 200,000 = 820,000.00; actual 34,081.40: -785,918.60, -95.84...% = -95.8%.
    v = led.reports.variance("2019/20", "2020-03-31")
    staffing = {x.category: x for x in v.lines}["staffing"]
    assert staffing.budget_to_date == D("820000.00")
    assert staffing.variance_to_date == D("-785918.60")
    assert staffing.variance_to_date_pct == D("-95.8")
    p = led.reports.profile("2019/20", "2020-03-31")
    # The profile's budget: the staffing months as phased plus the other categories'
    # 840,000.00 evenly over the 20 months of the period as varied: April 2020 200,000 +
    # 840,000 / 20 = 42,000 -> 242,000.00; August 2020, 42,000.00 alone.
    budget = {m.month: m.estimate for m in p.months}
    assert budget["2020-04"] == D("242000.00")
    assert budget["2020-08"] == D("42000.00")
