"""Forms of the participant's statistics pages: the grid of one period, the explanation of a
warning, the file upload and the declaration of opening stock.

The grid's cells are plain text: they are checked by the one validation of statistics rows
(kpcs.statistics.validation, through services.figures_save), not here, so the grid, an
uploaded file and the API refuse the same things with the same messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpcs.statistics.models import Flow, HSCode
from kpcs.statistics.validation import PRODUCTION

# Uploads through the browser: a year of one participant's quarterly trade is a few hundred
# rows (tens of kB); 10 MB leaves room for years of history without filling the memory.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A value longer than this is not a figure; the validation names it, the form only keeps
# absurd input out of the page.
MAX_CELL_LENGTH = 60
# Rows offered empty below the stored ones, and added by "More rows".
BLANK_ROWS = 3
MORE_ROWS = 5
MAX_TRADE_ROWS = 2000

Row = dict[str, Any]


def _number_input(*, decimal: bool = True) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "inputmode": "decimal" if decimal else "numeric",
            "autocomplete": "off",
            "class": "num",
            "size": 12 if decimal else 6,
        }
    )


def _cell(widget: forms.Widget, label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=MAX_CELL_LENGTH, strip=True, widget=widget
    )


class _GridRowForm(forms.Form):
    """One grid row. Its values become a FORMATS.md §1 row; the year, period and participant
    come from the page, never from the browser."""

    flow_value = ""
    figure_columns: tuple[str, ...] = ()

    def __init__(self, *args: Any, row_number: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if row_number is not None:
            # Inputs in a table are not labelled by its header for every screen reader.
            for field in self.fields.values():
                field.widget.attrs["aria-label"] = _("%(column)s, row %(row)s") % {
                    "column": field.label,
                    "row": row_number,
                }

    def cells(self) -> Row:
        data = getattr(self, "cleaned_data", None) or {}
        return {column: data.get(column) or "" for column in self.figure_columns}

    def row(self, *, participant_code: str, year: int, period: str) -> Row:
        """The FORMATS.md §1 row of this grid row, or {} when every cell is empty (a blank
        row: the validation skips it without a finding and keeps the numbering)."""
        cells = self.cells()
        if not any(cells.values()):
            return {}
        return {
            "participant": participant_code,
            "year": str(year),
            "period": period,
            "flow": self.flow_value,
            "partner": "",
            "hs_code": "",
            "certificates": "",
            **cells,
        }


class ProductionForm(_GridRowForm):
    """Production of one half-year: carats and US$. Both empty is a nil return."""

    flow_value = PRODUCTION
    figure_columns = ("carats", "value_usd")

    carats = _cell(_number_input(), gettext_lazy("Carats"))
    value_usd = _cell(_number_input(), gettext_lazy("Value (US$)"))


class TradeRowForm(_GridRowForm):
    """One trade row: flow, partner, HS code, carats, US$ and number of certificates."""

    figure_columns = ("flow", "partner", "hs_code", "carats", "value_usd", "certificates")

    flow = _cell(forms.Select(), gettext_lazy("Flow"))
    partner = _cell(forms.Select(), gettext_lazy("Partner"))
    hs_code = _cell(forms.Select(), gettext_lazy("HS code"))
    carats = _cell(_number_input(), gettext_lazy("Carats"))
    value_usd = _cell(_number_input(), gettext_lazy("Value (US$)"))
    certificates = _cell(_number_input(decimal=False), gettext_lazy("Certificates"))

    def __init__(self, *args: Any, partners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["flow"].widget.choices = blank + list(Flow.choices)  # type: ignore[attr-defined]
        self.fields["partner"].widget.choices = blank + partners  # type: ignore[attr-defined]
        self.fields["hs_code"].widget.choices = blank + list(HSCode.choices)  # type: ignore[attr-defined]


class _TradeFormSet(forms.BaseFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        # Grid rows are numbered from 1 on the page.
        return super()._construct_form(i, row_number=i + 1, **kwargs)  # type: ignore[misc]


TradeFormSet = forms.formset_factory(
    TradeRowForm,
    formset=_TradeFormSet,
    extra=BLANK_ROWS,
    can_delete=True,
    max_num=MAX_TRADE_ROWS,
    validate_max=True,
)


def trade_formset_with_more_rows(data: Any, **kwargs: Any) -> forms.BaseFormSet:
    """The posted grid with MORE_ROWS empty rows added below (nothing is saved)."""
    data = data.copy()
    key = f"{kwargs.get('prefix', 'form')}-TOTAL_FORMS"
    try:
        total = int(data.get(key, ""))
    except ValueError:
        total = None
    if total is not None and 0 <= total < MAX_TRADE_ROWS:
        data[key] = str(min(total + MORE_ROWS, MAX_TRADE_ROWS))
    return TradeFormSet(data, **kwargs)


class ExplanationForm(forms.Form):
    explanation = forms.CharField(
        label=gettext_lazy("Your explanation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": gettext_lazy(
                "Write an explanation: a warning cannot be explained by nothing."
            )
        },
    )


class StatisticsUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Statistics file"),
        help_text=gettext_lazy(
            "A CSV file (UTF-8) or an Excel workbook (.xlsx) with the columns participant, "
            "year, period, flow, partner, hs_code, carats, value_usd and certificates; at "
            "most 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": gettext_lazy("Choose a CSV or XLSX file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; files up to %(limit)s MB are accepted. Split it "
                    "by year and upload each part."
                )
                % {
                    "size": formats.number_format(upload.size / (1024 * 1024), 1),
                    "limit": MAX_UPLOAD_BYTES // (1024 * 1024),
                },
                code="too_large",
            )
        return upload


class UploadConfirmForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


class OverviewYearForm(forms.Form):
    """`?year=` on the overview: one year instead of the recent ones."""

    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a year with reporting periods; choose one from the list."
            )
        },
    )

    def __init__(self, *args: Any, years: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Recent years"))] + [  # type: ignore[attr-defined]
            (year, year) for year in years
        ]


def _stock_figure(label: Any, *, required: Any, invalid: Any) -> forms.DecimalField:
    # Only read as a number here: services.stock_declare judges it (negative, decimals,
    # size, a value without carats) for the browser and the API alike.
    return forms.DecimalField(
        label=label,
        widget=_number_input(),
        error_messages={"required": required, "invalid": invalid},
    )


class StockDeclarationForm(forms.Form):
    """The opening stock of one year: carats, US$ and a note. Declaring a year again replaces
    what was declared for it."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    carats = _stock_figure(
        gettext_lazy("Carats"),
        required=gettext_lazy("Give the carats held in stock (0 when there was none)."),
        invalid=gettext_lazy(
            "The carats must be a number, with a dot for decimals (e.g. 1250.50)."
        ),
    )
    value_usd = _stock_figure(
        gettext_lazy("Value (US$)"),
        required=gettext_lazy("Give the value (US$) of the stock (0 when there was none)."),
        invalid=gettext_lazy(
            "The value (US$) must be a number, with a dot for decimals (e.g. 187500.00)."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Optional: how the stock was counted or valued."),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, years: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = list(years)
        field = self.fields["year"]
        field.choices = [(year, year) for year in years]  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = _(
            "The year must be from %(first)s to %(last)s."
        ) % {"first": min(years), "last": max(years)}
