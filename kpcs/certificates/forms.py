"""Forms of the certificate registry's pages: the list's filters, one certificate with its
HS-code lines, an import confirmation, a void notice, a file upload and a specimen.

The certificate and confirmation fields are plain text named after the FORMATS.md columns:
they are checked by the one validation of the registry (kpcs.certificates.validation,
through the services), not here, so the form, an uploaded file and the API refuse the same
things with the same messages. The forms only keep absurd input out of the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpcs.certificates.models import Certificate, CertificateUpload, VoidNotice
from kpcs.participants.models import Country
from kpcs.statistics.models import HSCode
from kpcs.statistics.selectors.submissions import partner_choices

MAX_IMAGES = 10
# A certificate has one line per HS code: three at most, and "Add a line" stops there.
MAX_LINES = len(HSCode.choices)
MIXED = "MIXED"
# The first year a KP certificate can carry (the scheme began in January 2003).
FIRST_YEAR = 2003

HEADER_COLUMNS = (
    "certificate_number",
    "issuing_participant",
    "exporting_country",
    "destination_participant",
    "date_issued",
    "date_expiry",
    "origin",
    "exporter",
    "importer",
)
LINE_COLUMNS = ("hs_code", "carats", "value_usd", "parcels")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _number_input(*, decimal: bool = True) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "inputmode": "decimal" if decimal else "numeric",
            "autocomplete": "off",
            "class": "num",
        }
    )


def _text(label: Any, *, widget: forms.Widget | None = None, max_length: int = 60) -> forms.Field:
    return forms.CharField(
        label=label, required=False, max_length=max_length, strip=True, widget=widget
    )


def _country_choices() -> list[tuple[str, str]]:
    return [
        (alpha3, f"{name} ({alpha3})")
        for alpha3, name in Country.objects.order_by("name").values_list("alpha3", "name")
    ]


def _check_date_range(form: forms.Form, first: str, last: str) -> None:
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if start and end and end < start:
        form.add_error(
            last,
            _("This date is before the start date (%(start)s).")
            % {"start": formats.date_format(start, "SHORT_DATE_FORMAT")},
        )


def _plausible(value: dt.date | None) -> dt.date | None:
    if value is not None and not FIRST_YEAR <= value.year <= 2100:
        raise forms.ValidationError(
            _("Give a date from %(first)s to 2100: KP certificates began in %(first)s.")
            % {"first": FIRST_YEAR}
        )
    return value


# --- The registry list ------------------------------------------------------------------------


class CertificateFilterForm(forms.Form):
    """The query string of the registry list; a bad value is reported, never a 500."""

    number = forms.CharField(
        label=gettext_lazy("Number"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("The number as printed, or its beginning"),
    )
    issuing_participant = forms.ChoiceField(label=gettext_lazy("Issued by"), required=False)
    destination_participant = forms.ChoiceField(label=gettext_lazy("Destination"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("any status")), *Certificate.Status.choices],
    )
    date_from = forms.DateField(
        label=gettext_lazy("Issued from"), required=False, widget=_date_input()
    )
    date_to = forms.DateField(label=gettext_lazy("Issued to"), required=False, widget=_date_input())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        participants = [("", _("any participant")), *partner_choices()]
        self.fields["issuing_participant"].choices = participants  # type: ignore[attr-defined]
        self.fields["destination_participant"].choices = participants  # type: ignore[attr-defined]

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()

    def clean_date_from(self) -> dt.date | None:
        return _plausible(self.cleaned_data.get("date_from"))

    def clean_date_to(self) -> dt.date | None:
        return _plausible(self.cleaned_data.get("date_to"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_date_range(self, "date_from", "date_to")
        return cleaned


# --- One certificate with its lines -----------------------------------------------------------


class CertificateHeaderForm(forms.Form):
    """The header of one certificate, in the FORMATS.md §2 columns. The issuing participant
    is the authority's own (set by the page, never read from the browser); the secretariat
    chooses it."""

    certificate_number = _text(
        gettext_lazy("Certificate number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    issuing_participant = _text(gettext_lazy("Issuing participant"), widget=forms.Select())
    exporting_country = _text(gettext_lazy("Exporting country"), widget=forms.Select())
    destination_participant = _text(gettext_lazy("Destination participant"), widget=forms.Select())
    date_issued = _text(gettext_lazy("Date of issue"), widget=_date_input())
    date_expiry = _text(gettext_lazy("Date of expiry"), widget=_date_input())
    origin = _text(gettext_lazy("Country of origin"), widget=forms.Select())
    exporter = _text(gettext_lazy("Exporter"), max_length=200)
    importer = _text(gettext_lazy("Importer"), max_length=200)

    def __init__(self, *args: Any, issuing_code: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        participants = [("", "—"), *partner_choices()]
        countries = _country_choices()
        self.issuing_code = issuing_code
        if issuing_code is not None:
            # An authority records only what its own participant issued.
            del self.fields["issuing_participant"]
        else:
            self.fields["issuing_participant"].widget.choices = participants  # type: ignore[attr-defined]
        self.fields["destination_participant"].widget.choices = participants  # type: ignore[attr-defined]
        self.fields["exporting_country"].widget.choices = [("", "—"), *countries]  # type: ignore[attr-defined]
        self.fields["origin"].widget.choices = [  # type: ignore[attr-defined]
            ("", "—"),
            (MIXED, _("Mixed origin (MIXED)")),
            *countries,
        ]
        self.fields["certificate_number"].help_text = _(
            "As printed: it starts with the exporting country's two-letter code (EU "
            "certificates may start with EU)."
        )

    def header(self) -> dict[str, str]:
        """The FORMATS.md §2 header columns of the certificate, as strings."""
        data = self.cleaned_data
        header = {column: str(data.get(column) or "") for column in HEADER_COLUMNS}
        if self.issuing_code is not None:
            header["issuing_participant"] = self.issuing_code
        header["certificate_number"] = header["certificate_number"].upper()
        return header


class CertificateLineForm(forms.Form):
    """One HS code of the certificate: carats, US$ and parcels."""

    hs_code = _text(gettext_lazy("HS code"), widget=forms.Select())
    carats = _text(gettext_lazy("Carats"), widget=_number_input())
    value_usd = _text(gettext_lazy("Value (US$)"), widget=_number_input())
    parcels = _text(gettext_lazy("Parcels"), widget=_number_input(decimal=False))

    def __init__(self, *args: Any, line_number: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hs_code"].widget.choices = [("", "—"), *HSCode.choices]  # type: ignore[attr-defined]
        if line_number is not None:
            # Inputs in a table are not labelled by its header for every screen reader.
            for field in self.fields.values():
                field.widget.attrs["aria-label"] = _("%(column)s, line %(line)s") % {
                    "column": field.label,
                    "line": line_number,
                }

    def line(self) -> dict[str, str]:
        """The line's FORMATS.md §2 columns, or {} when every cell is empty (a blank line)."""
        data = getattr(self, "cleaned_data", None) or {}
        line = {column: str(data.get(column) or "") for column in LINE_COLUMNS}
        return line if any(line.values()) else {}


class _LineFormSet(forms.BaseFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        # Lines are numbered from 1 on the page.
        return super()._construct_form(i, line_number=i + 1, **kwargs)  # type: ignore[misc]

    def lines(self) -> list[dict[str, str]]:
        """The filled lines, in page order (blank ones left out)."""
        return [line for form in self.forms if (line := form.line())]  # type: ignore[attr-defined]


CertificateLineFormSet = forms.formset_factory(
    CertificateLineForm,
    formset=_LineFormSet,
    extra=1,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def line_formset_with_another_line(data: QueryDict, **kwargs: Any) -> forms.BaseFormSet:
    """The posted lines with one empty line more, up to one per HS code (nothing is saved)."""
    data = data.copy()
    key = f"{kwargs.get('prefix', 'form')}-TOTAL_FORMS"
    try:
        total = int(data.get(key, ""))
    except ValueError:
        total = None
    if total is not None and 0 <= total < MAX_LINES:
        data[key] = str(total + 1)
    return CertificateLineFormSet(data, **kwargs)


# --- Confirmation and void notice -------------------------------------------------------------


class ConfirmationForm(forms.Form):
    """The importing authority's confirmation of one certificate (FORMATS.md §3)."""

    date_received = _text(gettext_lazy("Date received"), widget=_date_input())
    carats = _text(gettext_lazy("Carats received"), widget=_number_input())


class VoidForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=[("", "—"), *VoidNotice.Reason.choices],
        error_messages={"required": gettext_lazy("Say why the certificate is void.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What happened, for the other participants' authorities"),
    )


# --- Uploads ----------------------------------------------------------------------------------


class CertificateUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("The file holds"),
        choices=CertificateUpload.Kind.choices,
        initial=CertificateUpload.Kind.CERTIFICATES,
        widget=forms.RadioSelect,
    )
    participant = forms.ChoiceField(
        label=gettext_lazy("For participant"),
        required=False,
        help_text=gettext_lazy(
            "Leave empty to load certificates of any participants (the secretariat's own load)."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A CSV file (UTF-8) or an Excel workbook (.xlsx) with the columns of the KP "
            "certificate or import confirmation format."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": gettext_lazy("Choose a CSV or XLSX file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def __init__(self, *args: Any, choose_participant: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if choose_participant:
            self.fields["participant"].choices = [("", "—"), *partner_choices()]  # type: ignore[attr-defined]
        else:
            del self.fields["participant"]


# --- Specimens --------------------------------------------------------------------------------


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one input (the pictures of a specimen); the service checks that each
    is a picture it keeps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files: Sequence[Any] = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_IMAGES:
            raise forms.ValidationError(
                _("Send at most %(count)s pictures at a time.") % {"count": MAX_IMAGES},
                code="too_many",
            )
        return [super(_MultipleFileField, self).clean(upload, initial) for upload in files]


class SpecimenForm(forms.Form):
    participant = forms.ChoiceField(label=gettext_lazy("Participant"))
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=_date_input())
    valid_to = forms.DateField(
        label=gettext_lazy("Valid to"),
        required=False,
        widget=_date_input(),
        help_text=gettext_lazy("Empty while no other specimen replaces it"),
    )
    notified_on = forms.DateField(
        label=gettext_lazy("Notified through the Chair on"), required=False, widget=_date_input()
    )
    security_features = forms.CharField(
        label=gettext_lazy("Security features"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What customs and authorities should look for"),
    )
    images = _MultipleFileField(
        label=gettext_lazy("Pictures"),
        required=False,
        help_text=gettext_lazy(
            "Front, back and security features: JPEG, PNG, GIF or WebP, 5 MB each."
        ),
    )

    def __init__(self, *args: Any, participant_code: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participant_code = participant_code
        if participant_code is not None:
            # An authority registers its own participant's specimen only.
            del self.fields["participant"]
        else:
            self.fields["participant"].choices = [("", "—"), *partner_choices()]  # type: ignore[attr-defined]

    def clean_valid_from(self) -> dt.date | None:
        return _plausible(self.cleaned_data.get("valid_from"))

    def clean_valid_to(self) -> dt.date | None:
        return _plausible(self.cleaned_data.get("valid_to"))


class SpecimenFilterForm(forms.Form):
    participant = forms.ChoiceField(label=gettext_lazy("Participant"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [("", _("all participants")), *partner_choices()]  # type: ignore[attr-defined]
