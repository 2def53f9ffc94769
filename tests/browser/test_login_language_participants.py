"""A person logs in, switches the interface to Arabic and reads the participant list."""

import pytest

from kpcs.accounts.tests.factories import UserFactory
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_to_arabic_and_read_the_participant_list(
    live_server, page, screenshot, reference_data
) -> None:
    UserFactory(username="layla", role="secretariat")

    # Through the form; as a secretariat account, with the two-factor step.
    log_in(page, live_server.url, "layla")
    assert page.locator(".who").inner_text().startswith("layla")
    assert page.locator("html").get_attribute("dir") == "ltr"

    page.get_by_role("link", name="Participants", exact=True).first.click()
    page.wait_for_url("**/en/participants/")
    table = page.locator("#participants")
    assert table.get_by_role("link", name="European Union").is_visible()
    assert table.get_by_role("link", name="Botswana").is_visible()
    screenshot("participants-en")

    page.select_option("#language-select", "ar")
    page.wait_for_url("**/ar/participants/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("#participants").get_by_role("link", name="الاتحاد الأوروبي").is_visible()
    # The layout mirrors: the brand sits at the right edge in Arabic.
    brand = page.locator(".brand").bounding_box()
    assert brand is not None and brand["x"] > 640
    screenshot("participants-ar")

    page.locator("#participants").get_by_role("link", name="الاتحاد الأوروبي").click()
    page.wait_for_url("**/ar/participants/EUR/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot("participant-eur-ar")


def test_participant_list_filters_without_a_full_reload(live_server, page, reference_data) -> None:
    page.goto(f"{live_server.url}/en/participants/")
    page.evaluate("window.kpcsMarker = 'still the same page'")
    page.get_by_label("Kind").select_option("regional_organisation")
    page.wait_for_url("**kind=regional_organisation**")
    page.locator("#participants tbody tr").first.wait_for()
    page.wait_for_function("document.querySelectorAll('#participants tbody tr').length === 1")
    assert page.locator("#participants tbody tr").inner_text().startswith("European Union")
    # htmx swapped the table in place: the page (and its script state) was not reloaded.
    assert page.evaluate("window.kpcsMarker") == "still the same page"
