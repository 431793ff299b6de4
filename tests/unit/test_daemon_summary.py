"""The daemon's one line per useful cycle counts everything the cycle did."""

from __future__ import annotations

from afterword.plugin.daemon import summary
from afterword.plugin.engine import CycleReport


def test_summary_counts_noticed_offers() -> None:
    report = CycleReport(offers=["Acme"], flagged=2)
    assert report.did_something
    assert summary(report) == ("drafts=0 sent=0 flagged=2 warnings=0 user_changes=0 "
                               "offers=1")
