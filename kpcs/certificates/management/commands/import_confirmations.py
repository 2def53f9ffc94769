"""`manage.py import_confirmations PATH`: the secretariat loads a file of import
confirmations (FORMATS.md §3, CSV or XLSX). Scripts outside the project call it by this
name."""

from __future__ import annotations

from kpcs.certificates.importing import confirmation_file_read
from kpcs.certificates.management.commands._certificate_import import ImportCommand
from kpcs.certificates.services import confirmations_import


class Command(ImportCommand):
    help = (
        "Record the import confirmations of a CSV or XLSX file in the FORMATS.md §3 columns "
        "(certificate_number, issuing_participant, confirming_participant, date_received, "
        "carats). The whole file or nothing: on any error every bad row is listed with its "
        "reason and nothing is stored. Re-importing the same file changes nothing."
    )
    read = staticmethod(confirmation_file_read)
    run = staticmethod(confirmations_import)
