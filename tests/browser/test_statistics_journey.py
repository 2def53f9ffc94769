"""From a participant's entry to a public figure: an authority enters and submits its
production, the secretariat accepts and publishes it, and the public reads it."""

import datetime as dt

import pytest

from kpcs.accounts.tests.factories import UserFactory
from kpcs.participants.models import Participant
from kpcs.statistics.models import ReportingDeadline, Submission
from tests.browser.conftest import ARTIFACTS
from tests.browser.conftest import log_in as log_in_through_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2025


def log_in(page, base: str, username: str) -> None:
    log_in_through_form(page, base, username)


def test_entered_figures_reach_the_public_page_only_after_acceptance_and_release(
    live_server, browser, reference_data
) -> None:
    ReportingDeadline.objects.create(year=YEAR, period="H1", due_date=dt.date(2999, 1, 1))
    UserFactory(username="bwa", role="authority", participant=Participant.objects.get(code="BWA"))
    UserFactory(username="sec", role="secretariat")
    base = live_server.url

    # The participant authority enters and submits its first half-year production.
    authority = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    authority.on("dialog", lambda dialog: dialog.accept())
    log_in(authority, base, "bwa")
    authority.locator("nav.main-nav").get_by_role("link", name="My statistics").click()
    authority.wait_for_url("**/en/submissions/")
    authority.goto(f"{base}/en/submissions/{YEAR}/production/H1/")
    authority.locator("input[name$='carats']").fill("1234567.89")
    authority.locator("input[name$='value_usd']").fill("185000000.00")
    authority.get_by_role("button", name="Save").click()
    authority.wait_for_load_state()
    authority.get_by_role("button", name="Submit").click()
    authority.wait_for_load_state()
    submission = Submission.objects.get(participant__code="BWA", year=YEAR, period="H1")
    assert submission.status == "submitted"
    ARTIFACTS.mkdir(exist_ok=True)
    authority.screenshot(path=str(ARTIFACTS / "statistics-grid-submitted.png"), full_page=True)
    authority.context.close()

    # Submitted is not published: the public sees nothing for the year yet.
    public = browser.new_context().new_page()
    public.goto(f"{base}/en/statistics/?year={YEAR}")
    assert "1,234,567.89" not in public.content()

    # The secretariat accepts the figures and publishes the year.
    secretariat = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    secretariat.on("dialog", lambda dialog: dialog.accept())
    log_in(secretariat, base, "sec")
    secretariat.goto(f"{base}/en/secretariat/statistics/submissions/{submission.pk}/")
    assert "1,234,567.89" in secretariat.content()
    secretariat.get_by_role("button", name="Accept the figures").click()
    secretariat.wait_for_load_state()
    submission.refresh_from_db()
    assert submission.status == "accepted"
    secretariat.goto(f"{base}/en/secretariat/statistics/publication/?year={YEAR}")
    secretariat.get_by_role("button", name="Publish a release").click()
    secretariat.wait_for_load_state()
    submission.refresh_from_db()
    assert submission.status == "published"
    secretariat.context.close()

    # The public page shows the published figure, in English and in Arabic.
    public.goto(f"{base}/en/statistics/?year={YEAR}")
    production = public.locator("table").filter(has_text="Botswana").first
    assert "1,234,567.89" in production.inner_text()
    public.screenshot(path=str(ARTIFACTS / "statistics-published-en.png"), full_page=True)
    public.goto(f"{base}/ar/statistics/?year={YEAR}")
    assert public.locator("html").get_attribute("dir") == "rtl"
    public.context.close()
