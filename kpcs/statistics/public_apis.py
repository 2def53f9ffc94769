"""The public statistics API: published figures for everyone, no login.

Everything comes from releases (see selectors.py): a figure that was not published in a
release never appears. Each endpoint answers JSON by default and, with `format=csv` or
`format=xlsx`, a file with the same columns as the JSON rows. Decimals are strings with two
decimals in JSON; US$ per carat is value / carats rounded to the cent (half away from zero),
null (an empty CSV cell) where there are no carats.

The CSV files hold the participants' rows only, without a total row, so that a script summing
a column gets the world total; the XLSX files end with a bold "World total" row and carry the
release (number, date, note) on a second sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kpcs.common.api import ErrorSerializer
from kpcs.participants import selectors as participant_selectors
from kpcs.participants.models import Participant
from kpcs.statistics import exports, selectors
from kpcs.statistics.models import Release

TAGS = ["published statistics"]
FORMATS = ("json", "csv", "xlsx")


# Shared by the API and the pages ----------------------------------------------------------------


def release_or_404(*, year: int, number: int | None = None) -> Release:
    """The release asked for (default: the year's latest), or a 404 that says what is missing.
    API views turn the Http404 into the common error body; pages into the error page."""
    latest = selectors.release_get(year=year)
    if latest is None:
        raise Http404(gettext("No statistics have been published for %(year)s.") % {"year": year})
    if number is None or number == latest.number:
        return latest
    release = selectors.release_get(year=year, number=number)
    if release is None:
        raise Http404(
            gettext(
                "There is no release %(number)s of the %(year)s statistics; the latest is "
                "release %(latest)s."
            )
            % {"number": number, "year": year, "latest": latest.number}
        )
    return release


def participant_or_404(code: str) -> Participant:
    participant = participant_selectors.participant_get(code=code)
    if participant is None:
        raise Http404(
            gettext("No participant has the code “%(code)s”.") % {"code": code.upper()[:10]}
        )
    return participant


def api_url(name: str, **query: Any) -> str:
    """The path of a public statistics endpoint with its query string (None values left out)."""
    params = {key: value for key, value in query.items() if value is not None}
    return reverse(f"api:public-statistics-{name}") + ("?" + urlencode(params) if params else "")


def _stable_url(request: Request, name: str, release: Release) -> str:
    """The address of this release's file, whichever release is the latest now."""
    return request.build_absolute_uri(
        api_url(name, year=release.year, release=release.number, format="xlsx")
    )


def download_links(name: str, **query: Any) -> dict[str, str]:
    """The same data as JSON, CSV and XLSX."""
    return {fmt: api_url(name, **query, format=fmt) for fmt in FORMATS}


# Content negotiation ---------------------------------------------------------------------------


class FormatParameterNegotiation(BaseContentNegotiation):
    """`format` is this API's own parameter (json, csv or xlsx), validated by each view with a
    400 for a bad value; DRF would otherwise answer `format=pdf` with a bare 404. JSON is the
    only renderer: files are built by the views."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class PublicStatisticsApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FormatParameterNegotiation


# Query parameters -----------------------------------------------------------------------------


class WholeNumberField(serializers.IntegerField):
    """A whole number whose error names what was given ("“abc” is not a year ...")."""

    def to_internal_value(self, data: Any) -> int:
        text = str(data).strip()
        if not re.fullmatch(r"\d{1,9}", text):
            self.fail("invalid", input=text[:20])
        return int(text)


class FormatQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=FORMATS,
        default="json",
        help_text=_("json (default), csv or xlsx."),
        error_messages={"invalid_choice": _("“{input}” is not a format: use json, csv or xlsx.")},
    )


class YearQuerySerializer(FormatQuerySerializer):
    year = WholeNumberField(
        min_value=2000,
        max_value=2100,
        help_text=_("The year of the statistics, four digits."),
        error_messages={
            "required": _("Give the year of the statistics, for example year=2023."),
            "invalid": _("“{input}” is not a year: give four digits, for example 2023."),
            "min_value": _("There are no KP statistics before {min_value}."),
            "max_value": _("A year after {max_value} is not plausible."),
        },
    )
    release = WholeNumberField(
        min_value=1,
        required=False,
        help_text=_("An earlier release of the year, by number (default: the latest)."),
        error_messages={
            "invalid": _("“{input}” is not a release number: give a whole number, such as 1."),
            "min_value": _("Releases are numbered from 1."),
        },
    )


class ReleaseListQuerySerializer(FormatQuerySerializer):
    year = WholeNumberField(
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("Only the releases of this year."),
        error_messages=YearQuerySerializer().fields["year"].error_messages,
    )


_PLAIN_YEAR = re.compile(r"20\d\d|2100")


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    params = request.query_params
    if (
        serializer_class is YearQuerySerializer
        and len(params) == 1
        and _PLAIN_YEAR.fullmatch(params.get("year", ""))
    ):
        # The summaries' usual request, `?year=2023`, which the serializer would accept as
        # it is: skip building one (a tenth of the request in profiles).
        return {"year": int(params["year"]), "format": "json"}
    query = serializer_class(data=params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


# Output shapes --------------------------------------------------------------------------------


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=22, decimal_places=2, **kwargs)


def _per_carat() -> serializers.DecimalField:
    return _amount(
        allow_null=True,
        help_text=_("US$ per carat, rounded to the cent; null when there are no carats."),
    )


class ReleaseRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    note = serializers.CharField(help_text=_("What changed from the previous release."))

    class Meta:
        ref_name = "StatisticsReleaseRef"


class ProductionTotalSerializer(serializers.Serializer):
    carats = _amount()
    value_usd = _amount()
    usd_per_carat = _per_carat()

    class Meta:
        ref_name = "ProductionTotal"


class ProductionRowSerializer(ProductionTotalSerializer):
    participant = serializers.CharField(source="participant.code")

    class Meta:
        ref_name = "ProductionRow"

    def get_fields(self) -> dict[str, serializers.Field]:
        # The participant first, as in the CSV.
        fields = super().get_fields()
        return {"participant": fields.pop("participant"), **fields}


class TradeTotalSerializer(serializers.Serializer):
    imports_carats = _amount()
    imports_value_usd = _amount()
    imports_usd_per_carat = _per_carat()
    import_certificates = serializers.IntegerField()
    exports_carats = _amount()
    exports_value_usd = _amount()
    exports_usd_per_carat = _per_carat()
    export_certificates = serializers.IntegerField()

    class Meta:
        ref_name = "TradeTotal"


class TradeRowSerializer(TradeTotalSerializer):
    participant = serializers.CharField(source="participant.code")

    class Meta:
        ref_name = "TradeRow"

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {"participant": fields.pop("participant"), **fields}


def _file_responses(json_output: Any, *, not_found: bool = True) -> dict[Any, Any]:
    responses = {
        (200, "application/json"): json_output,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=_("With format=csv.")),
        (200, exports.XLSX_TYPE): OpenApiResponse(
            OpenApiTypes.BINARY, description=_("With format=xlsx.")
        ),
        (400, "application/json"): ErrorSerializer,
    }
    if not_found:
        responses[(404, "application/json")] = ErrorSerializer
    return responses


# The summaries' JSON is built directly rather than through the OutputSerializers below, which
# describe it for the schema: these are the busiest public reads, and DRF's field-by-field
# serialization of 60 rows cost as much as reading them (docs/performance.md). A test holds
# the two to the same output.


def _money(value: Decimal | None) -> str | None:
    # The figures carry two decimals already (numeric(…, 2) columns, cents computed to 0.01).
    return None if value is None else f"{value:.2f}"


_DATETIME = serializers.DateTimeField()  # stateless: formats as the API's datetimes


def _release_json(release: Release) -> dict[str, Any]:
    return {
        "number": release.number,
        "published_at": _DATETIME.to_representation(release.published_at),
        "note": release.note,
    }


def _production_figures_json(figures: selectors.ProductionFigures) -> dict[str, Any]:
    return {
        "carats": _money(figures.carats),
        "value_usd": _money(figures.value_usd),
        "usd_per_carat": _money(figures.usd_per_carat),
    }


def production_json(summary: selectors.ProductionSummary) -> dict[str, Any]:
    return {
        "year": summary.year,
        "release": _release_json(summary.release),
        "rows": [
            {"participant": row.participant.code} | _production_figures_json(row)  # type: ignore[union-attr]
            for row in summary.rows
        ],
        "total": _production_figures_json(summary.total),
    }


def _trade_figures_json(figures: selectors.TradeFigures) -> dict[str, Any]:
    return {
        "imports_carats": _money(figures.imports_carats),
        "imports_value_usd": _money(figures.imports_value_usd),
        "imports_usd_per_carat": _money(figures.imports_usd_per_carat),
        "import_certificates": figures.import_certificates,
        "exports_carats": _money(figures.exports_carats),
        "exports_value_usd": _money(figures.exports_value_usd),
        "exports_usd_per_carat": _money(figures.exports_usd_per_carat),
        "export_certificates": figures.export_certificates,
    }


def trade_json(summary: selectors.TradeSummary) -> dict[str, Any]:
    return {
        "year": summary.year,
        "release": _release_json(summary.release),
        "rows": [
            {"participant": row.participant.code} | _trade_figures_json(row)  # type: ignore[union-attr]
            for row in summary.rows
        ],
        "total": _trade_figures_json(summary.total),
    }


# Endpoints ------------------------------------------------------------------------------------


class ProductionSummaryApi(PublicStatisticsApi):
    """Rough-diamond production of each participant in a year, and the world total, from the
    year's latest release (or an earlier one with `release`). CSV: the participants' rows
    without a total row; XLSX: the rows, then a bold world-total row."""

    class OutputSerializer(serializers.Serializer):
        year = serializers.IntegerField()
        release = ReleaseRefSerializer()
        rows = ProductionRowSerializer(many=True)
        total = ProductionTotalSerializer()

        class Meta:
            ref_name = "ProductionSummary"

    @extend_schema(
        operation_id="public_statistics_production",
        tags=TAGS,
        parameters=[YearQuerySerializer],
        responses=_file_responses(OutputSerializer),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        query = _query(YearQuerySerializer, request)
        release = release_or_404(year=query["year"], number=query.get("release"))
        summary = selectors.production_summary(year=query["year"], release=release)
        assert summary is not None
        if query["format"] == "csv":
            return exports.production_csv(summary)
        if query["format"] == "xlsx":
            return exports.production_xlsx(
                summary, source=_stable_url(request, "production", release)
            )
        return Response(production_json(summary))


class TradeSummaryApi(PublicStatisticsApi):
    """Imports and exports of each participant in a year (carats, US$, US$ per carat, number
    of certificates), and the world totals, from the year's latest release (or an earlier one
    with `release`). CSV: the participants' rows without a total row; XLSX: the rows, then a
    bold world-total row."""

    class OutputSerializer(serializers.Serializer):
        year = serializers.IntegerField()
        release = ReleaseRefSerializer()
        rows = TradeRowSerializer(many=True)
        total = TradeTotalSerializer()

        class Meta:
            ref_name = "TradeSummary"

    @extend_schema(
        operation_id="public_statistics_trade",
        tags=TAGS,
        parameters=[YearQuerySerializer],
        responses=_file_responses(OutputSerializer),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        query = _query(YearQuerySerializer, request)
        release = release_or_404(year=query["year"], number=query.get("release"))
        summary = selectors.trade_summary(year=query["year"], release=release)
        assert summary is not None
        if query["format"] == "csv":
            return exports.trade_csv(summary)
        if query["format"] == "xlsx":
            return exports.trade_xlsx(summary, source=_stable_url(request, "trade", release))
        return Response(trade_json(summary))


class DownloadLinksSerializer(serializers.Serializer):
    json = serializers.CharField()
    csv = serializers.CharField()
    xlsx = serializers.CharField()

    class Meta:
        ref_name = "StatisticsDownloadLinks"


class ReleaseLinksSerializer(serializers.Serializer):
    production = DownloadLinksSerializer()
    trade = DownloadLinksSerializer()
    page = serializers.CharField(help_text=_("The release on the public statistics page."))

    class Meta:
        ref_name = "StatisticsReleaseLinks"


def release_links(release: Release, request: Request) -> dict[str, Any]:
    """Absolute links to a release's figures (JSON, CSV, XLSX) and to its page."""
    query = {"year": release.year, "release": release.number}
    absolute = request.build_absolute_uri
    return {
        name: {fmt: absolute(url) for fmt, url in download_links(name, **query).items()}
        for name in ("production", "trade")
    } | {"page": absolute(reverse("statistics:summary") + "?" + urlencode(query))}


class ReleaseListApi(PublicStatisticsApi):
    """Every published release, newest year first and the latest release of a year first,
    with links to its figures. Earlier releases stay readable with `release=<number>`."""

    class OutputSerializer(serializers.Serializer):
        year = serializers.IntegerField()
        number = serializers.IntegerField()
        published_at = serializers.DateTimeField()
        note = serializers.CharField()
        links = serializers.SerializerMethodField()

        class Meta:
            ref_name = "StatisticsRelease"

        @extend_schema_field(ReleaseLinksSerializer)
        def get_links(self, release: Release) -> dict[str, Any]:
            return release_links(release, self.context["request"])

    @extend_schema(
        operation_id="public_statistics_release_list",
        tags=TAGS,
        parameters=[ReleaseListQuerySerializer],
        responses=_file_responses(OutputSerializer(many=True), not_found=False),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        query = _query(ReleaseListQuerySerializer, request)
        releases = selectors.release_list(year=query.get("year"))
        if query["format"] == "csv":
            return exports.release_list_csv(releases)
        if query["format"] == "xlsx":
            return exports.release_list_xlsx(releases)
        return Response(
            self.OutputSerializer(releases, many=True, context={"request": request}).data
        )


class YearFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    release = ReleaseRefSerializer(help_text=_("The latest release of the year."))
    production = ProductionTotalSerializer(
        allow_null=True, help_text=_("Null when the release holds no production for it.")
    )
    trade = TradeTotalSerializer(
        allow_null=True, help_text=_("Null when the release holds no trade for it.")
    )

    class Meta:
        ref_name = "StatisticsYearFigures"


class ParticipantHistoryApi(PublicStatisticsApi):
    """One participant's published production and trade, year by year (oldest first), each
    year from its latest release. CSV and XLSX: one row per year, empty cells where the
    release holds no figures of that kind."""

    class OutputSerializer(serializers.Serializer):
        participant = serializers.CharField(source="participant.code")
        years = YearFiguresSerializer(many=True)

        class Meta:
            ref_name = "ParticipantStatisticsHistory"

    @extend_schema(
        operation_id="public_statistics_participant_history",
        tags=TAGS,
        parameters=[FormatQuerySerializer],
        responses=_file_responses(OutputSerializer),
    )
    def get(self, request: Request, code: str) -> Response | HttpResponse:
        query = _query(FormatQuerySerializer, request)
        participant = participant_or_404(code)
        history = selectors.participant_history(participant=participant)
        if query["format"] == "csv":
            return exports.history_csv(participant, history)
        if query["format"] == "xlsx":
            return exports.history_xlsx(participant, history)
        data = {"participant": participant, "years": history}
        return Response(self.OutputSerializer(data).data)
