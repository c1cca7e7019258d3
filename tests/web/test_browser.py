"""The page in a real browser: Debian's Chromium, driven by Playwright, against `ftrec serve` running as
a process on a free loopback port with its own decision log.

Skipped (saying how to enable them) where /usr/bin/chromium is missing; in CI (CI=true) they must run.
With FTREC_SCREENSHOT=PATH the report is saved there as a PNG (the README's picture).
"""

from __future__ import annotations

import os
import urllib.request

import pytest

from tests.conftest import run_cli
from tests.web.conftest import newest

pytestmark = pytest.mark.browser


def _fill_typical(page, server):
    """001's typical project, with a style reason to fine-tune and today's model at $2.50/$10.00 per 1M."""
    page.goto(server.url + "/")
    page.fill("#q-inference-monthly-tokens-input", "100M")
    page.check("input[name='needs.style_tone'][value='yes']")
    page.check("input[name='baseline_kind'][value='rates']")
    page.fill("#q-baseline-input-per-m-input", "2.50")
    page.fill("#q-baseline-output-per-m-input", "10.00")


def test_form_to_report_with_table_chart_and_sources(page, server):
    _fill_typical(page, server)
    page.click("button[type=submit]")
    page.wait_for_url("**/decisions/*")
    assert page.locator("h1").first.inner_text().startswith("Fine-tune")
    rows = page.locator("table.ranked tbody tr")
    assert rows.count() > 3
    first = rows.first.inner_text()
    record = newest(server.log_file)
    top = record["recommendations"][0]
    assert top["offering"] in first
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart").first.is_visible()
    rows.first.locator("td.strong a").click()  # year-1 links to where its figures come from
    sources = page.locator(f"details#cost-{top['offering'].replace('/', '-').replace('.', '-')}")
    assert sources.is_visible() and top["cost"]["breakdown"][0]["as_of"] in sources.inner_text()
    page.click("text=more allowed offerings")  # a folded row's figure opens its folded sources too
    last = record["recommendations"][-1]["offering"]
    page.locator("details.more table.ranked tr", has_text=last).locator("td.strong a").click()
    assert page.locator(f"details#cost-{last.replace('/', '-').replace('.', '-')} table.breakdown").is_visible()
    screenshot = os.environ.get("FTREC_SCREENSHOT")
    if screenshot:
        page.goto(page.url.split("#")[0])
        page.set_viewport_size({"width": 1100, "height": 2060})
        page.screenshot(path=screenshot, full_page=False)


def test_branching_hides_questions_that_no_longer_apply(page, server):
    page.goto(server.url + "/")
    requests = page.locator("#q-requests-per-month")
    assert requests.is_hidden() and page.locator("#q-inference-monthly-tokens").is_visible()
    page.check("input[name='volume_unit'][value='requests']")
    assert requests.is_visible() and page.locator("#q-inference-monthly-tokens").is_hidden()
    assert page.locator("#q-training-examples").is_hidden()
    page.check("input[name='training_size'][value='examples']")
    assert page.locator("#q-training-examples").is_visible()


def test_bad_answers_come_back_in_the_browser(page, server):
    page.goto(server.url + "/")
    page.fill("#q-inference-monthly-tokens-input", "lots")
    page.click("button[type=submit]")
    message = page.locator("#q-inference-monthly-tokens .error")
    assert message.is_visible() and message.inner_text()
    assert page.locator("#q-inference-monthly-tokens-input").input_value() == "lots"


def test_why_not_from_the_report(page, server):
    page.goto(server.url + "/")
    page.select_option("#q-needs-data-residency-input", "eu") if page.locator("select#q-needs-data-residency-input").count() \
        else page.check("input[name='needs.data_residency'][value='eu']")
    page.click("button[type=submit]")
    page.wait_for_url("**/decisions/*")
    page.select_option("#why-not-offering", "openai/gpt-4o")
    page.click("section.whynot button")
    answer = page.locator("#why-not-answer").inner_text()
    assert "excluded by rule offerings.eu_residency" in answer


def test_paging_the_log_and_opening_a_report(page, server):
    for _ in range(21):
        request = urllib.request.Request(server.url + "/api/recommend", data=b"{}",
                                         headers={"content-type": "application/json"}, method="POST")
        urllib.request.urlopen(request).read()
    page.goto(server.url + "/decisions")
    assert "page 1 of" in page.locator(".pager").inner_text()
    newest = page.locator("table.log tbody tr a").first.inner_text()
    page.click("text=Older →")
    assert "page 2 of" in page.locator(".pager").inner_text()
    assert page.locator("table.log tbody tr a").first.inner_text() != newest
    page.click("text=← Newer")
    page.locator("table.log tbody tr a").first.click()
    page.wait_for_url(f"**/decisions/{newest}")
    assert page.locator("table.ranked").first.is_visible()
    listed = run_cli("audit", "list", "--audit-log", str(server.log_file))
    assert newest in listed.out


def test_reads_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _fill_typical(page, server)
        page.click("button[type=submit]")
        page.wait_for_url("**/decisions/*")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # no sideways scrolling of the page
        assert page.locator("table.ranked td.strong").first.is_visible()  # year-1 in view on the card
    finally:
        context.close()
