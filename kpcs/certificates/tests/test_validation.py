"""Every rule of docs/certificates.md, each with its own finding code, on rows as the files
give them; the historical standing cases against the real KP reference data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpcs.certificates.tests.factories import (
    CertificateFactory,
    ImportConfirmationFactory,
    VoidNoticeFactory,
    certificate_row,
    confirmation_row,
)
from kpcs.certificates.validation import (
    CertificateCheck,
    CertificateValidator,
    ConfirmationCheck,
    ConfirmationValidator,
    Reference,
)
from kpcs.participants.models import Participant
from kpcs.participants.tests.factories import ParticipantFactory, StatusEventFactory
from kpcs.statistics.models import HSCode

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)


def check(rows: list[dict[str, Any]], **kwargs: Any) -> CertificateCheck:
    kwargs.setdefault("today", TODAY)
    return CertificateValidator(**kwargs).check(enumerate(rows, start=2))


def check_confirmations(rows: list[dict[str, Any]], **kwargs: Any) -> ConfirmationCheck:
    kwargs.setdefault("today", TODAY)
    return ConfirmationValidator(**kwargs).check(enumerate(rows, start=2))


def codes(result: CertificateCheck | ConfirmationCheck) -> set[tuple[int | None, str, str]]:
    return {(f.row, f.column, f.code) for f in result.findings}


def only_finding(result: CertificateCheck | ConfirmationCheck) -> Any:
    assert len(result.findings) == 1, [f.located for f in result.findings]
    return result.findings[0]


@pytest.fixture
def parties() -> tuple[Participant, Participant]:
    return ParticipantFactory(), ParticipantFactory()


@pytest.fixture
def real(reference_data: Any) -> dict[str, Participant]:
    return {p.code: p for p in Participant.objects.select_related("country")}


# --- A good certificate -----------------------------------------------------------------------


def test_a_good_row_gives_a_clean_certificate_with_its_line(parties: Any) -> None:
    issuer, destination = parties
    row = certificate_row(issuer, destination, origin="MIXED")
    result = check([row])
    assert result.findings == []
    (certificate,) = result.certificates
    assert certificate.number == row["certificate_number"]
    assert certificate.issuing_participant_id == issuer.pk
    assert certificate.destination_participant_id == destination.pk
    assert certificate.origin_id is None
    assert certificate.date_issued == dt.date(2023, 3, 1)
    assert [(line.hs_code, line.carats, line.parcels) for line in certificate.lines] == [
        ("7102.31", Decimal("1500.00"), 2)
    ]


def test_rows_with_one_number_are_one_certificate_with_a_line_per_hs_code(parties: Any) -> None:
    issuer, destination = parties
    first = certificate_row(issuer, destination)
    second = {**first, "hs_code": "7102.10", "carats": "10.5", "value_usd": "99", "parcels": "1"}
    other = certificate_row(issuer, destination)
    result = check([first, other, second])
    assert result.findings == []
    assert len(result.certificates) == 2
    grouped = next(c for c in result.certificates if c.number == first["certificate_number"])
    assert sorted(line.hs_code for line in grouped.lines) == ["7102.10", "7102.31"]
    assert grouped.carats == Decimal("1510.50")
    assert grouped.parcels == 3


def test_blank_rows_are_skipped_without_a_finding(parties: Any) -> None:
    result = check([{}, certificate_row(*parties), {"carats": "  "}])
    assert result.findings == []
    assert result.rows == 1


def test_numbers_and_codes_are_read_in_either_case(parties: Any) -> None:
    issuer, destination = parties
    row = certificate_row(issuer, destination)
    row.update(
        certificate_number=row["certificate_number"].lower(),
        issuing_participant=issuer.code.lower(),
        destination_participant=f" {destination.code.lower()} ",
    )
    result = check([row])
    assert result.findings == []
    assert result.certificates[0].number == row["certificate_number"].upper()


# --- Row rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column",
    [
        "certificate_number",
        "issuing_participant",
        "exporting_country",
        "destination_participant",
        "date_issued",
        "date_expiry",
        "hs_code",
        "carats",
        "value_usd",
        "parcels",
        "origin",
        "exporter",
        "importer",
    ],
)
def test_every_column_is_required(parties: Any, column: str) -> None:
    result = check([certificate_row(*parties, **{column: ""})])
    assert (2, column, "required") in codes(result)
    assert result.certificates == []


@pytest.mark.parametrize("number", ["B", "12345678", "XA 123", "XA#123", "XA" + "1" * 39])
def test_a_number_is_two_letters_then_letters_digits_and_separators(
    parties: Any, number: str
) -> None:
    finding = only_finding(check([certificate_row(*parties, certificate_number=number)]))
    assert (finding.column, finding.code) == ("certificate_number", "number_format")
    assert number in finding.message or "…" in finding.message


def test_a_number_starts_with_the_exporting_countrys_alpha2_code(parties: Any) -> None:
    issuer, destination = parties
    wrong = "ZZ12345678"
    finding = only_finding(check([certificate_row(issuer, destination, certificate_number=wrong)]))
    assert (finding.column, finding.code) == ("certificate_number", "number_prefix")
    assert issuer.country.alpha2 in finding.message
    assert wrong in finding.message


def test_numbers_may_carry_separators(parties: Any) -> None:
    issuer, destination = parties
    number = f"{issuer.country.alpha2}/2023-00.12"
    assert check([certificate_row(issuer, destination, certificate_number=number)]).findings == []


def test_an_unknown_participant_code_is_refused(parties: Any) -> None:
    issuer, _destination = parties
    finding = only_finding(
        check([certificate_row(issuer, _destination, destination_participant="QQQ")])
    )
    assert (finding.column, finding.code) == ("destination_participant", "participant_unknown")
    assert "QQQ" in finding.message


def test_an_eu_member_state_is_not_a_participant(real: dict[str, Participant]) -> None:
    row = certificate_row(real["BWA"], real["ZAF"], destination_participant="BEL")
    finding = only_finding(check([row]))
    assert finding.code == "participant_unknown"
    assert "EUR" in finding.message and "Belgium" in finding.message


def test_the_destination_is_another_participant(parties: Any) -> None:
    issuer, _destination = parties
    result = check([certificate_row(issuer, issuer)])
    assert codes(result) == {(2, "destination_participant", "destination_is_issuer")}


def test_the_exporting_country_is_the_issuers(parties: Any) -> None:
    issuer, destination = parties
    row = certificate_row(issuer, destination, exporting_country=destination.country.alpha3)
    result = check([row])
    assert (2, "exporting_country", "country_not_issuers") in codes(result)


def test_an_unknown_exporting_country_is_refused(parties: Any) -> None:
    result = check([certificate_row(*parties, exporting_country="QQQ")])
    assert (2, "exporting_country", "country_unknown") in codes(result)


def test_eu_certificates_name_a_member_state_and_start_with_eu_or_its_code(
    real: dict[str, Participant],
) -> None:
    eu, zaf = real["EUR"], real["ZAF"]
    good = [
        certificate_row(zaf, eu, exporting_country="ZAF")
        | {"issuing_participant": "EUR", "destination_participant": "ZAF"}
        | {"exporting_country": "BEL", "certificate_number": number, "origin": "MIXED"}
        for number in ("EU/BE/2023/0001", "BE0000123")
    ]
    assert check(good).findings == []
    wrong_prefix = good[0] | {"certificate_number": "FR0000123"}
    finding = only_finding(check([wrong_prefix]))
    assert (finding.column, finding.code) == ("certificate_number", "number_prefix")
    assert "BE or EU" in finding.message
    not_a_member = good[0] | {"exporting_country": "ZAF", "certificate_number": "ZA0000001"}
    finding = only_finding(check([not_a_member]))
    assert (finding.column, finding.code) == ("exporting_country", "country_not_issuers")
    assert "not an EU member state" in finding.message


@pytest.mark.parametrize(
    ("value", "code"),
    [("01/03/2023", "date_format"), ("2023-3-1", "date_format"), ("2023-02-30", "date_invalid")],
)
def test_dates_are_iso_dates_of_the_calendar(parties: Any, value: str, code: str) -> None:
    finding = only_finding(check([certificate_row(*parties, date_issued=value)]))
    assert (finding.column, finding.code) == ("date_issued", code)
    assert value in finding.message


def test_the_expiry_is_not_before_the_issue(parties: Any) -> None:
    finding = only_finding(check([certificate_row(*parties, date_expiry="2023-02-28")]))
    assert (finding.column, finding.code) == ("date_expiry", "expiry_before_issue")
    assert "2023-02-28" in finding.message and "2023-03-01" in finding.message


def test_the_expiry_may_be_the_day_of_issue(parties: Any) -> None:
    assert check([certificate_row(*parties, date_expiry="2023-03-01")]).findings == []


def test_a_date_of_issue_in_the_future_is_refused(parties: Any) -> None:
    row = certificate_row(*parties, date_issued="2025-06-02", date_expiry="2025-08-01")
    finding = only_finding(check([row]))
    assert (finding.column, finding.code) == ("date_issued", "date_in_future")


@pytest.mark.parametrize("value", ["7102.99", "7102.1", "710231"])
def test_hs_codes_are_the_three_kp_codes(parties: Any, value: str) -> None:
    finding = only_finding(check([certificate_row(*parties, hs_code=value)]))
    assert (finding.column, finding.code) == ("hs_code", "hs_code_unknown")
    assert "7102.10" in finding.message


@pytest.mark.parametrize(
    ("column", "value", "code", "says"),
    [
        ("carats", "1,500.00", "amount_format", "thousands separators"),
        ("carats", "12,5", "amount_format", "decimal comma"),
        ("carats", "many", "amount_format", "not a number"),
        ("carats", "0", "amount_not_positive", "positive"),
        ("value_usd", "-5", "amount_not_positive", "positive"),
        ("carats", "1.234", "amount_decimals", "two decimals"),
        ("value_usd", "1" * 17, "amount_too_large", "largest"),
    ],
)
def test_carats_and_values_are_positive_numbers_with_two_decimals(
    parties: Any, column: str, value: str, code: str, says: str
) -> None:
    finding = only_finding(check([certificate_row(*parties, **{column: value})]))
    assert (finding.column, finding.code) == (column, code)
    assert says in finding.message


def test_trailing_zeros_beyond_two_decimals_are_accepted(parties: Any) -> None:
    result = check([certificate_row(*parties, carats="12.500")])
    assert result.findings == []
    assert result.certificates[0].carats == Decimal("12.50")


@pytest.mark.parametrize("value", ["0", "1.5", "-1", "two"])
def test_parcels_are_a_whole_number_of_at_least_one(parties: Any, value: str) -> None:
    finding = only_finding(check([certificate_row(*parties, parcels=value)]))
    assert (finding.column, finding.code) == ("parcels", "parcels_invalid")


def test_origin_is_a_country_or_mixed(parties: Any) -> None:
    assert check([certificate_row(*parties, origin="mixed")]).findings == []
    finding = only_finding(check([certificate_row(*parties, origin="QQQ")]))
    assert (finding.column, finding.code) == ("origin", "origin_unknown")


def test_company_names_fit_the_register(parties: Any) -> None:
    finding = only_finding(check([certificate_row(*parties, exporter="E" * 201)]))
    assert (finding.column, finding.code) == ("exporter", "text_too_long")


def test_values_in_cells_without_a_column_name_are_refused(parties: Any) -> None:
    row: dict[str, Any] = certificate_row(*parties)
    row[""] = ["stray"]
    finding = only_finding(check([row]))
    assert (finding.column, finding.code) == ("", "unnamed_values")
    assert "stray" in finding.message


def test_an_authority_records_only_its_own_participants_certificates(parties: Any) -> None:
    issuer, destination = parties
    result = check([certificate_row(issuer, destination)], participant=destination)
    finding = only_finding(result)
    assert (finding.column, finding.code) == ("issuing_participant", "issuer_not_yours")
    assert check([certificate_row(issuer, destination)], participant=issuer).findings == []


def test_every_bad_row_is_reported_with_its_file_row(parties: Any) -> None:
    rows = [
        certificate_row(*parties),
        certificate_row(*parties, carats="x"),
        certificate_row(*parties),
        certificate_row(*parties, parcels="0", date_issued="bad"),
    ]
    assert codes(check(rows)) == {
        (3, "carats", "amount_format"),
        (5, "date_issued", "date_format"),
        (5, "parcels", "parcels_invalid"),
    }


# --- Rows of one certificate -------------------------------------------------------------------


def test_rows_of_one_certificate_agree_on_its_header(parties: Any) -> None:
    first = certificate_row(*parties)
    second = first | {"hs_code": "7102.10", "date_expiry": "2023-05-31"}
    result = check([first, second])
    finding = only_finding(result)
    assert (finding.row, finding.column, finding.code) == (3, "date_expiry", "header_disagrees")
    assert "2023-05-31" in finding.message and "2023-04-30" in finding.message
    assert "row 2" in finding.message
    assert result.certificates == []


def test_an_hs_code_appears_once_on_a_certificate(parties: Any) -> None:
    first = certificate_row(*parties)
    result = check([first, certificate_row(*parties), first | {"carats": "3"}])
    finding = only_finding(result)
    assert (finding.row, finding.column, finding.code) == (4, "hs_code", "hs_code_repeated")
    assert "row 2" in finding.message
    # The other certificate is still clean, but a batch with findings is not stored.
    assert len(result.certificates) == 1


# --- Against what is stored --------------------------------------------------------------------


def _row_of(certificate: Any, **overrides: str) -> dict[str, str]:
    line = certificate.lines.get()
    return (
        certificate_row(
            certificate.issuing_participant,
            certificate.destination_participant,
            certificate_number=certificate.number,
            date_issued=certificate.date_issued.isoformat(),
            date_expiry=certificate.date_expiry.isoformat(),
            hs_code=line.hs_code,
            carats=str(line.carats),
            value_usd=str(line.value_usd),
            parcels=str(line.parcels),
            origin=certificate.origin.alpha3,
            exporter=certificate.exporter,
            importer=certificate.importer,
        )
        | overrides
    )


def test_a_certificate_already_recorded_identically_is_unchanged() -> None:
    stored = CertificateFactory()
    result = check([_row_of(stored)])
    assert result.findings == []
    assert result.certificates == []
    assert result.unchanged_ids == [stored.pk]


def test_a_recorded_number_with_other_content_is_a_duplicate_naming_the_stored_one() -> None:
    stored = CertificateFactory()
    result = check([_row_of(stored, carats="1499.00", importer="Someone Else")])
    finding = only_finding(result)
    assert (finding.column, finding.code) == ("certificate_number", "duplicate_number")
    assert stored.number in finding.message
    assert "importer" in finding.message
    assert "HS codes, carats, values or parcels" in finding.message


def test_a_recorded_number_with_a_line_more_is_a_duplicate() -> None:
    stored = CertificateFactory()
    row = _row_of(stored)
    result = check([row, row | {"hs_code": HSCode.UNSORTED.value}])
    assert only_finding(result).code == "duplicate_number"


def test_the_same_number_from_another_issuer_is_another_certificate(parties: Any) -> None:
    stored = CertificateFactory()
    issuer, destination = parties
    row = certificate_row(issuer, destination, certificate_number=issuer.country.alpha2 + "1")
    CertificateFactory(issuing_participant=destination, number=destination.country.alpha2 + "1")
    assert check([row]).findings == []
    assert stored.pk


# --- Good standing on the date of issue (the real reference data) ------------------------------


def test_control_participants_in_good_standing_trade(real: dict[str, Participant]) -> None:
    row = certificate_row(
        real["BWA"], real["ZAF"], date_issued="2014-02-01", date_expiry="2014-03-01"
    )
    assert check([row]).findings == []


def test_the_central_african_republic_during_its_2013_suspension(
    real: dict[str, Participant],
) -> None:
    row = certificate_row(
        real["CAF"],
        real["BEL"] if "BEL" in real else real["ZAF"],
        destination_participant="ZAF",
        date_issued="2014-02-01",
        date_expiry="2014-03-01",
    )
    finding = only_finding(check([row]))
    assert (finding.column, finding.code) == ("issuing_participant", "not_in_good_standing")
    assert finding.message.startswith("CAF (Central African Republic) was suspended on 23 May 2013")
    assert "2014-02-01, the date of issue" in finding.message
    assert "partially resumed" in finding.message and "17 July 2015" in finding.message
    assert "good standing on the date of issue" in finding.message


def test_the_central_african_republic_as_destination_during_its_suspension(
    real: dict[str, Participant],
) -> None:
    row = certificate_row(
        real["ZAF"], real["CAF"], date_issued="2014-02-01", date_expiry="2014-03-01"
    )
    finding = only_finding(check([row]))
    assert (finding.column, finding.code) == ("destination_participant", "not_in_good_standing")
    assert "CAF" in finding.message


def test_the_central_african_republic_after_the_partial_resumption(
    real: dict[str, Participant],
) -> None:
    row = certificate_row(
        real["CAF"], real["ZAF"], date_issued="2016-02-01", date_expiry="2016-03-01"
    )
    assert check([row]).findings == []


def test_venezuela_during_its_self_suspension_2008_to_2016(real: dict[str, Participant]) -> None:
    row = certificate_row(
        real["VEN"], real["ZAF"], date_issued="2010-06-01", date_expiry="2010-07-01"
    )
    finding = only_finding(check([row]))
    assert finding.code == "not_in_good_standing"
    assert "VEN" in finding.message and "self-suspended on 1 November 2008" in finding.message
    assert "reinstated on 17 November 2016" in finding.message
    after = row | {
        "date_issued": "2017-01-10",
        "date_expiry": "2017-02-10",
        "certificate_number": "VE00000001",
    }
    assert check([after]).findings == []


def test_cote_divoire_under_the_un_embargo_2005_to_2014(real: dict[str, Participant]) -> None:
    row = certificate_row(
        real["ZAF"], real["CIV"], date_issued="2010-06-01", date_expiry="2010-07-01"
    )
    finding = only_finding(check([row]))
    assert (finding.column, finding.code) == ("destination_participant", "not_in_good_standing")
    assert "embargoed on 15 December 2005" in finding.message
    assert "1643" in finding.message
    assert "embargo lifted on 29 April 2014" in finding.message


def test_the_republic_of_congo_while_removed_2004_to_2007(real: dict[str, Participant]) -> None:
    row = certificate_row(
        real["COG"], real["ZAF"], date_issued="2005-03-01", date_expiry="2005-04-01"
    )
    finding = only_finding(check([row]))
    assert (finding.column, finding.code) == ("issuing_participant", "not_a_participant")
    assert "removed on 9 July 2004" in finding.message
    assert "not a participant on 2005-03-01, the date of issue" in finding.message
    assert "readmitted on 8 November 2007" in finding.message


def test_a_participant_not_yet_admitted_on_the_date_of_issue(real: dict[str, Participant]) -> None:
    row = certificate_row(
        real["ZAF"], real["GAB"], date_issued="2015-03-01", date_expiry="2015-04-01"
    )
    finding = only_finding(check([row]))
    assert (finding.column, finding.code) == ("destination_participant", "not_a_participant")
    assert "not yet a participant on 2015-03-01" in finding.message
    assert "admitted on 16 November 2018" in finding.message


def test_a_country_that_is_no_participant(real: dict[str, Participant]) -> None:
    row = certificate_row(real["ZAF"], real["BWA"], destination_participant="SOM")
    finding = only_finding(check([row]))
    assert (finding.column, finding.code) == ("destination_participant", "participant_unknown")
    assert "SOM" in finding.message


def test_standing_changes_take_effect_on_their_day(parties: Any) -> None:
    issuer, destination = parties
    StatusEventFactory(participant=issuer, date=dt.date(2023, 3, 1), event="suspended")
    before = certificate_row(issuer, destination, date_issued="2023-02-28")
    on = certificate_row(issuer, destination, date_issued="2023-03-01")
    assert codes(check([before, on])) == {(3, "issuing_participant", "not_in_good_standing")}


def test_validation_costs_the_same_queries_whatever_the_number_of_rows(parties: Any) -> None:
    issuer, destination = parties
    CertificateFactory(issuing_participant=issuer, destination_participant=destination)
    reference = Reference.load()

    def queries(count: int) -> int:
        rows = [certificate_row(issuer, destination) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            check(rows, reference=reference)
        return len(captured)

    assert queries(3) == queries(300) <= 2
    with CaptureQueriesContext(connection) as captured:
        Reference.load()
    assert len(captured) == 4


# --- Import confirmations -------------------------------------------------------------------------


def test_a_good_confirmation_is_matched_to_its_certificate() -> None:
    certificate = CertificateFactory()
    result = check_confirmations([confirmation_row(certificate)])
    assert result.findings == []
    (confirmation,) = result.confirmations
    assert confirmation.certificate_id == certificate.pk
    assert confirmation.carats_differ is False


def test_a_confirmation_of_an_unknown_certificate_is_refused() -> None:
    certificate = CertificateFactory()
    row = confirmation_row(certificate, certificate_number=certificate.number + "9")
    finding = only_finding(check_confirmations([row]))
    assert (finding.column, finding.code) == ("certificate_number", "certificate_unknown")


def test_only_the_destination_confirms() -> None:
    certificate = CertificateFactory()
    other = ParticipantFactory()
    finding = only_finding(
        check_confirmations([confirmation_row(certificate, confirming_participant=other.code)])
    )
    assert (finding.column, finding.code) == ("confirming_participant", "not_destination")
    assert certificate.destination_participant.code in finding.message


def test_an_authority_confirms_only_for_its_own_participant() -> None:
    certificate = CertificateFactory()
    result = check_confirmations(
        [confirmation_row(certificate)], participant=certificate.issuing_participant
    )
    assert (2, "confirming_participant", "confirming_not_yours") in codes(result)


def test_the_date_received_is_not_before_the_issue_nor_in_the_future() -> None:
    certificate = CertificateFactory()
    before = confirmation_row(certificate, date_received="2023-02-28")
    assert only_finding(check_confirmations([before])).code == "received_before_issue"
    future = confirmation_row(certificate, date_received="2025-06-02")
    assert only_finding(check_confirmations([future])).code == "date_in_future"


def test_confirmed_carats_are_positive() -> None:
    certificate = CertificateFactory()
    finding = only_finding(check_confirmations([confirmation_row(certificate, carats="0")]))
    assert (finding.column, finding.code) == ("carats", "amount_not_positive")


def test_a_void_certificate_cannot_be_confirmed() -> None:
    notice = VoidNoticeFactory()
    finding = only_finding(check_confirmations([confirmation_row(notice.certificate)]))
    assert finding.code == "certificate_void"


def test_an_identical_confirmation_changes_nothing_and_a_different_one_is_refused() -> None:
    confirmation = ImportConfirmationFactory()
    certificate = confirmation.certificate
    same = confirmation_row(certificate, date_received=confirmation.date_received.isoformat())
    result = check_confirmations([same])
    assert (result.findings, result.confirmations, result.unchanged_ids) == (
        [],
        [],
        [certificate.pk],
    )
    other = same | {"carats": "1.00"}
    finding = only_finding(check_confirmations([other]))
    assert finding.code == "already_confirmed"
    assert certificate.destination_participant.code in finding.message


def test_a_certificate_is_confirmed_once_in_a_file() -> None:
    certificate = CertificateFactory()
    row = confirmation_row(certificate)
    finding = only_finding(check_confirmations([row, row]))
    assert (finding.row, finding.code) == (3, "confirmation_repeated")


@pytest.mark.parametrize(
    ("received", "flagged"),
    [("1500.00", False), ("1485.00", False), ("1515.00", False), ("1484.99", True), ("1600", True)],
)
def test_carats_beyond_the_tolerance_are_flagged_not_refused(
    received: str, flagged: bool, settings: Any
) -> None:
    settings.CERTIFICATE_CARATS_TOLERANCE = Decimal("0.01")
    certificate = CertificateFactory()  # 1,500.00 carats
    result = check_confirmations([confirmation_row(certificate, carats=received)])
    assert result.findings == []
    assert result.confirmations[0].carats_differ is flagged
