"""The secretariat's analysis API: the anomalies found in a year's accepted statistics.

Only for the secretariat, logged in through the site (a session): anonymous clients get 401,
every other role 403, API client keys (`Authorization: Token <key>`) included, since each acts
for one participant.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kpcs.accounts.permissions import IsSecretariat
from kpcs.common.api import ErrorSerializer
from kpcs.participants import selectors as participant_selectors
from kpcs.participants.models import Participant
from kpcs.statistics.anomalies import anomaly_analysis_has_run, anomaly_analysis_run, anomaly_list
from kpcs.statistics.models import Anomaly, Period

TAGS = ["statistics analysis"]


class AnomalySerializer(serializers.Serializer):
    """One anomaly, as the secretariat's scripts read it."""

    id = serializers.IntegerField()
    year = serializers.IntegerField()
    participant = serializers.CharField(
        source="participant.code", help_text=_("The participant the anomaly is about.")
    )
    partner = serializers.CharField(
        source="partner.code",
        allow_null=True,
        help_text=_("For a mirror discrepancy, the partner (the importer); otherwise null."),
    )
    rule = serializers.ChoiceField(choices=Anomaly.Rule.choices)
    severity = serializers.ChoiceField(choices=Anomaly.Severity.choices)
    period = serializers.ChoiceField(
        choices=Period.choices,
        help_text=_("Y for the whole year, or a quarter (Q1-Q4) or half (H1, H2)."),
    )
    message = serializers.CharField(help_text=_("The anomaly in plain words, with figures."))
    figures = serializers.DictField(
        help_text=_("The numbers behind the message (decimals as strings).")
    )
    status = serializers.ChoiceField(
        choices=Anomaly.Status.choices, help_text=_("Where the secretariat is with it.")
    )
    first_found_at = serializers.DateTimeField()
    last_found_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Anomaly"


class AnomalyListSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    results = AnomalySerializer(many=True)

    class Meta:
        ref_name = "AnomalyList"


class AnomalyListApi(APIView):
    """The anomalies the latest analysis still finds in one year's accepted and published
    statistics, by participant and rule. If the year was never analysed, it is analysed
    first (synchronously), so an empty list means that nothing was found. The analysis also
    runs every night for the current and the previous year."""

    permission_classes = [IsSecretariat]

    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(
            min_value=2000,
            max_value=2100,
            help_text=_("The year analysed, as four digits (required)."),
            error_messages={
                "required": _("Give the year to analyse, e.g. year=2023."),
                "invalid": _("Give the year as four digits, e.g. 2023."),
                "min_value": _("Statistics start in 2000: give a year from 2000 to 2100."),
                "max_value": _("Give a year from 2000 to 2100."),
                "max_string_length": _("Give the year as four digits, e.g. 2023."),
            },
        )
        rule = serializers.ChoiceField(
            choices=Anomaly.Rule.choices,
            required=False,
            help_text=_("Only anomalies found by this rule."),
            error_messages={
                "invalid_choice": _(
                    "“{input}” is not a rule: use mirror_discrepancy, supply_gap, "
                    "unit_value_outlier, jump, missing_data or certificate_mismatch."
                )
            },
        )
        participant = serializers.CharField(
            required=False,
            max_length=3,
            help_text=_("Only anomalies of this participant (its code, e.g. BWA or EUR)."),
            error_messages={
                "max_length": _("A participant code has three letters, e.g. BWA or EUR."),
                "blank": _("A participant code has three letters, e.g. BWA or EUR."),
            },
        )
        severity = serializers.ChoiceField(
            choices=Anomaly.Severity.choices,
            required=False,
            help_text=_("Only anomalies of this severity."),
            error_messages={
                "invalid_choice": _("“{input}” is not a severity: use high, medium or low.")
            },
        )

        def validate_participant(self, code: str) -> Participant:
            participant = participant_selectors.participant_get(code=code)
            if participant is None:
                raise serializers.ValidationError(
                    gettext("No participant has the code “%(code)s”.") % {"code": code.upper()}
                )
            return participant

    @extend_schema(
        operation_id="statistics_anomaly_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={
            200: OpenApiResponse(
                response=AnomalyListSerializer,
                description=_("The anomalies still present, under `results`."),
            ),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data: dict[str, Any] = filters.validated_data
        year = data["year"]
        if not anomaly_analysis_has_run(year=year):
            anomaly_analysis_run(year=year)
        anomalies = list(
            anomaly_list(
                year=year,
                rule=data.get("rule", ""),
                participant=data.get("participant"),
                severity=data.get("severity", ""),
            )
        )
        results = AnomalySerializer(anomalies, many=True).data
        return Response({"year": year, "count": len(anomalies), "results": results})
