"""`manage.py import_certificates PATH`: the secretariat loads a file of certificates
(FORMATS.md §2, CSV or XLSX, any size). Scripts outside the project call it by this name."""

from __future__ import annotations

from kpcs.certificates.importing import certificate_file_read
from kpcs.certificates.management.commands._certificate_import import ImportCommand
from kpcs.certificates.services import certificates_import


class Command(ImportCommand):
    help = (
        "Record the certificates of a CSV or XLSX file in the FORMATS.md §2 columns "
        "(certificate_number, issuing_participant, exporting_country, destination_participant, "
        "date_issued, date_expiry, hs_code, carats, value_usd, parcels, origin, exporter, "
        "importer) for any participant. The whole file or nothing: on any error every bad row "
        "is listed with its reason and nothing is stored. Re-importing the same file changes "
        "nothing."
    )
    read = staticmethod(certificate_file_read)
    run = staticmethod(certificates_import)
