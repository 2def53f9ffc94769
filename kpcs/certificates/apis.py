"""The certificates API: public verification, and the registry for participant authorities and
the secretariat (docs/certificates.md).

`GET /api/v1/public/certificates/verify/` answers anyone `{"status": ...}` and nothing else,
throttled per client address. Everything under `/api/v1/certificates/` needs an API client key
(a participant's) or a session of a participant authority or the secretariat (reviewers and
observers 403, anonymous clients 401). An authority sees the certificates its participant
issued or received; the secretariat sees all; a certificate outside what the caller may see
answers 404, as if it did not exist. Writes go through kpcs.certificates.services, the same
validation as the browser and the files: a refused certificate answers 400 with every finding
and stores nothing.
"""

from __future__ import annotations

import mimetypes
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kpcs.accounts.permissions import is_secretariat
from kpcs.certificates import selectors, services, verification
from kpcs.certificates.models import (
    Certificate,
    CertificateUpload,
    ImportConfirmation,
    SpecimenImage,
    VoidNotice,
)
from kpcs.certificates.validation import HEADER_COLUMNS, CertificateValidationError
from kpcs.common.api import ErrorSerializer, StandardPagination, findings_error_serializer
from kpcs.participants.models import Participant
from kpcs.participants.selectors import participant_get
from kpcs.statistics.models import HSCode

TAGS = ["certificates"]
PUBLIC_TAGS = ["certificate verification"]
# One certificate has one line per HS code; there are three.
MAX_LINES = len(HSCode.values)


# --- Public verification ---------------------------------------------------------------------


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(value, value) for value in verification.STATUSES],
        help_text=_(
            "valid: issued and not expired; confirmed: the importing participant confirmed "
            "it; expired: expired without an import confirmation; void: declared lost, stolen "
            "or cancelled; unknown: no such certificate for this participant (or not for "
            "these carats)."
        ),
    )

    class Meta:
        ref_name = "CertificateVerification"


class CertificateVerifyApi(APIView):
    """Whether a participant issued a certificate with this number, and where it stands: one
    word, nothing commercial. No login; limited per client address (429 beyond)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [verification.CertificateVerifyThrottle]

    @extend_schema(
        operation_id="certificate_verify",
        tags=PUBLIC_TAGS,
        parameters=[
            OpenApiParameter(
                "participant",
                OpenApiTypes.STR,
                required=True,
                description=_("The issuing participant's code, e.g. BWA (EUR for the EU)."),
            ),
            OpenApiParameter(
                "number",
                OpenApiTypes.STR,
                required=True,
                description=_("The certificate number as printed, e.g. BW123456."),
            ),
            OpenApiParameter(
                "carats",
                OpenApiTypes.STR,
                required=False,
                description=_(
                    "Optional: the carats on the certificate, e.g. 1250.50; a certificate for "
                    "other carats (beyond the tolerance) answers unknown."
                ),
            ),
        ],
        responses={
            200: VerificationSerializer,
            400: ErrorSerializer,
            429: OpenApiResponse(
                ErrorSerializer, description=_("Too many checks from this address; retry later.")
            ),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        cleaners = {
            "participant": verification.clean_participant,
            "number": verification.clean_number,
            "carats": verification.clean_carats,
        }
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, clean in cleaners.items():
            try:
                values[name] = clean(params.get(name, ""))
            except ValueError as exc:
                errors[name] = [str(exc)]
        if errors:
            raise exceptions.ValidationError(errors)
        answer = selectors.certificate_status_public(
            participant_code=values["participant"],
            number=values["number"],
            carats=values["carats"],
        )
        return Response({"status": answer})


# --- Access ----------------------------------------------------------------------------------


class IsAuthorityOrSecretariat(BasePermission):
    message = _("Only participant authorities and the KP secretariat may use the certificates API.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return is_secretariat(user) or bool(getattr(user, "is_authority", False))


def _certificate_or_404(request: Request, issuing_code: str, number: str) -> Certificate:
    certificate = selectors.certificate_get(
        user=request.user, issuing_code=issuing_code.upper(), number=number
    )
    if certificate is None:
        # The same answer whether it does not exist or belongs to others.
        raise exceptions.NotFound(
            gettext("No certificate %(number)s of %(code)s is in the registry for you.")
            % {"number": number[:40], "code": issuing_code.upper()[:3]}
        )
    return certificate


# --- Shapes ----------------------------------------------------------------------------------


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


class CertificateLineSerializer(serializers.Serializer):
    hs_code = serializers.CharField()
    carats = _amount()
    value_usd = _amount()
    parcels = serializers.IntegerField()

    class Meta:
        ref_name = "CertificateLine"


class ConfirmationSerializer(serializers.Serializer):
    confirming_participant = serializers.CharField(source="confirming_participant.code")
    date_received = serializers.DateField()
    carats = _amount(help_text=_("Carats received."))
    carats_differ = serializers.BooleanField(
        help_text=_("Whether they differ from the certificate's beyond the tolerance.")
    )
    recorded_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ImportConfirmation"


class VoidSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=VoidNotice.Reason.choices)
    note = serializers.CharField()
    declared_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CertificateVoid"


class CertificateSerializer(serializers.Serializer):
    """A certificate's header and totals (the sums of its lines)."""

    issuing_participant = serializers.CharField(source="issuing_participant.code")
    number = serializers.CharField()
    exporting_country = serializers.CharField(source="exporting_country.alpha3")
    destination_participant = serializers.CharField(source="destination_participant.code")
    date_issued = serializers.DateField()
    date_expiry = serializers.DateField()
    origin = serializers.SerializerMethodField(
        help_text=_("The alpha-3 country of origin, or MIXED.")
    )
    exporter = serializers.CharField()
    importer = serializers.CharField()
    carats = _amount()
    value_usd = _amount()
    parcels = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=Certificate.Status.choices,
        help_text=_("issued → confirmed, or expired (unconfirmed), or void."),
    )
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Certificate"

    def get_origin(self, certificate: Certificate) -> str:
        origin = certificate.origin
        return origin.alpha3 if origin is not None else "MIXED"

    def get_url(self, certificate: Certificate) -> str:
        return reverse(
            "api:certificate-detail",
            kwargs={
                "issuing_code": certificate.issuing_participant.code,
                "number": certificate.number,
            },
            request=self.context.get("request"),
        )


class CertificateDetailSerializer(CertificateSerializer):
    """The full record: header, lines, the import confirmation and the void notice."""

    lines = CertificateLineSerializer(many=True, source="lines.all")
    confirmation = serializers.SerializerMethodField()
    void_notice = serializers.SerializerMethodField()
    recorded_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CertificateDetail"

    @extend_schema_field(ConfirmationSerializer(allow_null=True))
    def get_confirmation(self, certificate: Certificate) -> dict[str, Any] | None:
        try:
            confirmation: ImportConfirmation = certificate.confirmation
        except ImportConfirmation.DoesNotExist:
            return None
        return dict(ConfirmationSerializer(confirmation).data)

    @extend_schema_field(VoidSerializer(allow_null=True))
    def get_void_notice(self, certificate: Certificate) -> dict[str, Any] | None:
        try:
            notice: VoidNotice = certificate.void_notice
        except VoidNotice.DoesNotExist:
            return None
        return dict(VoidSerializer(notice).data)


class FindingSerializer(serializers.Serializer):
    """A finding of the validation: for a posted certificate, the field it names (and `line`,
    counted from 1, for a line's field); for a file, the file row (header = row 1)."""

    row = serializers.IntegerField(
        allow_null=True, help_text=_("The file row (header = 1); null for a posted record.")
    )
    line = serializers.IntegerField(
        required=False, help_text=_("The line of a posted certificate (1, 2, …), if any.")
    )
    column = serializers.CharField(help_text=_("A FORMATS.md column or field name, or empty."))
    code = serializers.CharField(help_text=_("The rule, e.g. duplicate_number."))
    message = serializers.CharField()

    class Meta:
        ref_name = "CertificateFinding"


FindingsErrorSerializer = findings_error_serializer(
    ref_name="CertificateFindingsError",
    finding_ref="CertificateFinding",
    description="Refused: every finding under errors.findings; nothing stored.",
)


def _findings_response(exc: CertificateValidationError) -> Response:
    detail = ngettext(
        "Refused: %(count)s error; nothing was stored.",
        "Refused: %(count)s errors; nothing was stored.",
        exc.total,
    ) % {"count": exc.total}
    findings = [finding.as_dict() for finding in exc.findings]
    return Response(
        {"status": 400, "code": "invalid", "detail": detail, "errors": {"findings": findings}},
        status=status.HTTP_400_BAD_REQUEST,
    )


# --- The registry ----------------------------------------------------------------------------


def _participant_or_invalid(code: str) -> Participant:
    """The participant with this code (any letter case), for a query or form parameter."""
    code = code.strip()
    participant = participant_get(code=code) if len(code) <= 3 else None
    if participant is None:
        raise serializers.ValidationError(
            gettext("No participant has the code “%(code)s”.") % {"code": code[:10]}
        )
    return participant


_DATE_MESSAGE = _("Enter a real date in the form YYYY-MM-DD, for example 2024-06-30.")


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "number"}],
        "nullable": True,
        "description": "Text as in the FORMATS.md file; numbers are accepted too.",
    }
)
class _CellField(serializers.Field):
    """A cell of a FORMATS.md §2 row, kept as text for the validation to judge (the same rules
    and messages as a file)."""

    default_error_messages = {"invalid": _("Give text or a number.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if data is None:
            return ""
        if isinstance(data, bool) or not isinstance(data, str | int | float | Decimal):
            self.fail("invalid")
        return str(data).strip()

    def to_representation(self, value: Any) -> Any:
        return value


class CertificateLineInputSerializer(serializers.Serializer):
    """One HS code of the certificate (the line columns of FORMATS.md §2)."""

    hs_code = _CellField(help_text=_("7102.10, 7102.21 or 7102.31."))
    carats = _CellField(help_text=_("Carats, with a dot for decimals (at most 2)."))
    value_usd = _CellField(help_text=_("Value in US dollars, with a dot for decimals."))
    parcels = _CellField(help_text=_("Number of parcels, at least 1."))

    class Meta:
        ref_name = "CertificateLineInput"


class CertificateInputSerializer(serializers.Serializer):
    """One certificate as the header columns of FORMATS.md §2 and its lines."""

    certificate_number = _CellField(help_text=_("As printed, e.g. BW123456."))
    issuing_participant = _CellField(
        help_text=_("Your own participant's code (the default when left out).")
    )
    exporting_country = _CellField(help_text=_("The alpha-3 country the shipment leaves."))
    destination_participant = _CellField(help_text=_("The importing participant's code."))
    date_issued = _CellField(help_text=_("YYYY-MM-DD."))
    date_expiry = _CellField(help_text=_("YYYY-MM-DD, not before the date of issue."))
    origin = _CellField(help_text=_("The alpha-3 country of origin, or MIXED."))
    exporter = _CellField(help_text=_("The exporting company."))
    importer = _CellField(help_text=_("The importing company."))
    lines = CertificateLineInputSerializer(  # type: ignore[call-arg]  # a ListSerializer option
        many=True,
        allow_empty=False,
        max_length=MAX_LINES,
        help_text=_("One line per HS code; a finding about lines[i] names line i + 1."),
        error_messages={
            "empty": _("Give at least one line (HS code, carats, value, parcels)."),
            "max_length": _("A certificate has at most one line per HS code (three)."),
        },
    )

    class Meta:
        ref_name = "CertificateInput"


class CertificateListApi(APIView):
    """GET: the certificates you may see (an authority those its participant issued or
    received, the secretariat all), latest first, filtered. POST: an authority records one
    certificate its participant issued (header and lines); 400 with every finding if any rule
    is broken, nothing stored; an identical certificate recorded again changes nothing."""

    permission_classes = [IsAuthorityOrSecretariat]
    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        issuing_participant = serializers.CharField(
            required=False,
            help_text=_("Only certificates issued by this participant (its code, e.g. BWA)."),
        )
        destination_participant = serializers.CharField(
            required=False,
            help_text=_("Only certificates for this importing participant (its code)."),
        )
        status = serializers.ChoiceField(
            choices=Certificate.Status.choices,
            required=False,
            error_messages={
                "invalid_choice": _(
                    "“{input}” is not a status: use issued, confirmed, expired or void."
                )
            },
        )
        date_from = serializers.DateField(
            required=False,
            input_formats=["%Y-%m-%d"],
            help_text=_("Issued on or after this date (YYYY-MM-DD)."),
            error_messages={"invalid": _DATE_MESSAGE},
        )
        date_to = serializers.DateField(
            required=False,
            input_formats=["%Y-%m-%d"],
            help_text=_("Issued on or before this date (YYYY-MM-DD)."),
            error_messages={"invalid": _DATE_MESSAGE},
        )
        number = serializers.CharField(
            required=False,
            max_length=40,
            help_text=_("Only numbers that start with this, as printed (any letter case)."),
            error_messages={"max_length": verification.NUMBER_MESSAGE},
        )

        class Meta:
            ref_name = "CertificateFilter"

        def validate_issuing_participant(self, code: str) -> Participant:
            return _participant_or_invalid(code)

        def validate_destination_participant(self, code: str) -> Participant:
            return _participant_or_invalid(code)

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            if "date_from" in data and "date_to" in data and data["date_from"] > data["date_to"]:
                raise serializers.ValidationError(
                    {
                        "date_to": [
                            gettext("date_to (%(to)s) is before date_from (%(from)s).")
                            % {"to": data["date_to"], "from": data["date_from"]}
                        ]
                    }
                )
            return data

    @extend_schema(
        operation_id="certificate_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={
            200: CertificateSerializer(many=True),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        certificates = selectors.certificate_list(user=request.user, **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(certificates, request, view=self)
        output = CertificateSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        operation_id="certificate_record",
        tags=TAGS,
        request=CertificateInputSerializer,
        responses={
            201: OpenApiResponse(CertificateDetailSerializer, description=_("Recorded.")),
            200: OpenApiResponse(
                CertificateDetailSerializer,
                description=_("Already recorded exactly so: nothing changed."),
            ),
            400: OpenApiResponse(
                FindingsErrorSerializer,
                description=_(
                    "Refused: every finding under errors.findings (or, for a malformed "
                    "request, the fields at fault under errors); nothing stored."
                ),
            ),
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        payload = CertificateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        lines = [dict(line) for line in data.pop("lines")]
        header = {column: data.get(column, "") for column in HEADER_COLUMNS}
        user = request.user
        # Whether this exact certificate is already there decides 200 (nothing changed) or
        # 201; the service judges everything else (the role, the issuer, every rule).
        issuing_code = header["issuing_participant"] or getattr(
            getattr(user, "participant", None), "code", ""
        )
        existed = bool(header["certificate_number"] and issuing_code) and (
            selectors.certificate_get(
                user=user, issuing_code=issuing_code, number=header["certificate_number"]
            )
            is not None
        )
        try:
            certificate = services.certificate_record(
                actor=user, participant=None, header=header, lines=lines
            )
        except CertificateValidationError as exc:
            return _findings_response(exc)
        certificate = _certificate_or_404(
            request, certificate.issuing_participant.code, certificate.number
        )
        return Response(
            CertificateDetailSerializer(certificate, context={"request": request}).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class CertificateDetailApi(APIView):
    """One certificate you may see, with its lines, import confirmation and void notice."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="certificate_retrieve",
        tags=TAGS,
        responses={
            200: CertificateDetailSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, issuing_code: str, number: str) -> Response:
        certificate = _certificate_or_404(request, issuing_code, number)
        return Response(CertificateDetailSerializer(certificate, context={"request": request}).data)


class ConfirmationInputSerializer(serializers.Serializer):
    """The import confirmation (the columns of FORMATS.md §3 the address does not give)."""

    date_received = _CellField(help_text=_("YYYY-MM-DD, not before the date of issue."))
    carats = _CellField(help_text=_("Carats found on arrival, with a dot for decimals."))

    class Meta:
        ref_name = "ConfirmationInput"


class ConfirmationApi(APIView):
    """The destination participant's authority confirms that the shipment arrived. Carats
    that differ beyond the tolerance are stored and flagged; the same confirmation again
    changes nothing, a different one is refused."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="certificate_confirm",
        tags=TAGS,
        request=ConfirmationInputSerializer,
        responses={
            201: OpenApiResponse(
                CertificateDetailSerializer, description=_("Confirmed: the certificate.")
            ),
            200: OpenApiResponse(
                CertificateDetailSerializer,
                description=_("Already confirmed exactly so: nothing changed."),
            ),
            400: FindingsErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, issuing_code: str, number: str) -> Response:
        certificate = _certificate_or_404(request, issuing_code, number)
        payload = ConfirmationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        existed = certificate.status == Certificate.Status.CONFIRMED
        try:
            services.confirmation_record(
                actor=request.user,
                participant=None,
                certificate_number=certificate.number,
                issuing_participant_code=certificate.issuing_participant.code,
                date_received=payload.validated_data.get("date_received", ""),
                carats=payload.validated_data.get("carats", ""),
            )
        except CertificateValidationError as exc:
            return _findings_response(exc)
        certificate = _certificate_or_404(request, issuing_code, number)
        return Response(
            CertificateDetailSerializer(certificate, context={"request": request}).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class VoidInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=VoidNotice.Reason.choices,
        error_messages={
            "invalid_choice": _("“{input}” is not a reason: use lost, stolen or cancelled."),
            "required": _("Say why the certificate is void: lost, stolen or cancelled."),
        },
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("What happened, for the other participants."),
    )

    class Meta:
        ref_name = "CertificateVoidInput"


class VoidApi(APIView):
    """The issuing participant's authority (or the secretariat) declares the certificate
    void: lost, stolen or cancelled. Every participant then sees the void notice."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="certificate_void",
        tags=TAGS,
        request=VoidInputSerializer,
        responses={
            200: OpenApiResponse(
                CertificateDetailSerializer, description=_("Void: the certificate.")
            ),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, issuing_code: str, number: str) -> Response:
        certificate = _certificate_or_404(request, issuing_code, number)
        payload = VoidInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.certificate_void(
                actor=request.user,
                certificate=certificate,
                reason=payload.validated_data["reason"],
                note=payload.validated_data["note"],
            )
        except CertificateValidationError as exc:
            return _findings_response(exc)
        certificate = _certificate_or_404(request, issuing_code, number)
        return Response(CertificateDetailSerializer(certificate, context={"request": request}).data)


# --- Files -----------------------------------------------------------------------------------


class UploadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CertificateUpload.Kind.choices)
    participant = serializers.CharField(source="participant.code", allow_null=True)
    original_name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=CertificateUpload.Status.choices,
        help_text=_(
            "received → checking → stored (the whole file) or refused (nothing stored; "
            "every finding under findings)."
        ),
    )
    rows = serializers.IntegerField()
    stored = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text=_("Rows already recorded exactly so."))
    findings = FindingSerializer(many=True, help_text=_("Every bad row, column and reason."))
    progress = serializers.SerializerMethodField(
        help_text=_("Percent of the rows checked while the file is being checked.")
    )
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "CertificateUpload"

    def get_progress(self, upload: CertificateUpload) -> int:
        if upload.finished_at is not None:
            return 100
        job = upload.job
        if job is None or not job.progress_total:
            return 0
        return min(100, job.progress_done * 100 // job.progress_total)

    def get_url(self, upload: CertificateUpload) -> str:
        return reverse(
            "api:certificate-upload-detail", args=[upload.pk], request=self.context.get("request")
        )


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A FORMATS.md §2 (certificates) or §3 (confirmations) file, CSV or XLSX."),
        error_messages={
            "required": _("Attach the file as the form field `file`."),
            "empty": _("The file is empty."),
        },
    )
    kind = serializers.ChoiceField(
        choices=CertificateUpload.Kind.choices,
        error_messages={
            "invalid_choice": _("“{input}” is not a kind: use certificates or confirmations."),
            "required": _("Say what the file holds: kind=certificates or kind=confirmations."),
        },
    )
    participant = serializers.CharField(
        required=False,
        help_text=_(
            "For the secretariat: the participant whose file it is (its code); an authority "
            "sends its own participant's files only."
        ),
    )

    class Meta:
        ref_name = "CertificateUploadInput"

    def validate_participant(self, code: str) -> Participant:
        return _participant_or_invalid(code)


class UploadListApi(APIView):
    """A file of certificates or import confirmations (a national system's whole month in
    one), checked in the background and stored whole or refused with every finding. 202 with
    the address to follow it at (also in the Location header)."""

    permission_classes = [IsAuthorityOrSecretariat]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="certificate_upload_create",
        tags=TAGS,
        request={"multipart/form-data": UploadInputSerializer},
        responses={
            202: OpenApiResponse(
                UploadSerializer, description=_("Received; follow `url` for the outcome.")
            ),
            400: OpenApiResponse(
                FindingsErrorSerializer,
                description=_(
                    "Refused before any check (not CSV or XLSX, empty, too large), under "
                    "errors.findings; or a malformed request, the fields at fault under errors."
                ),
            ),
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        payload = UploadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            upload = services.certificate_upload_start(
                actor=request.user,
                participant=data.get("participant"),
                kind=data["kind"],
                uploaded_file=data["file"],
            )
        except CertificateValidationError as exc:
            return _findings_response(exc)
        upload = _upload_or_404(request, upload.pk)
        body = UploadSerializer(upload, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


def _upload_or_404(request: Request, upload_id: int) -> CertificateUpload:
    upload = selectors.upload_get(user=request.user, upload_id=upload_id)
    if upload is None:
        raise exceptions.NotFound(
            gettext("There is no certificate file number %(id)s.") % {"id": upload_id}
        )
    return upload


class UploadDetailApi(APIView):
    """A file sent: its status, counts and every finding (the uploader's participant and the
    secretariat only)."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="certificate_upload_retrieve",
        tags=TAGS,
        responses={
            200: UploadSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, upload_id: int) -> Response:
        upload = _upload_or_404(request, upload_id)
        return Response(UploadSerializer(upload, context={"request": request}).data)


# --- What every participant sees -------------------------------------------------------------


class VoidNoticeSerializer(serializers.Serializer):
    issuing_participant = serializers.CharField(source="certificate.issuing_participant.code")
    number = serializers.CharField(source="certificate.number")
    date_issued = serializers.DateField(source="certificate.date_issued")
    date_expiry = serializers.DateField(source="certificate.date_expiry")
    reason = serializers.ChoiceField(choices=VoidNotice.Reason.choices)
    note = serializers.CharField()
    declared_at = serializers.DateTimeField()

    class Meta:
        ref_name = "VoidNotice"


class VoidNoticeListApi(APIView):
    """Certificates that must not be honoured (lost, stolen, cancelled), latest first."""

    permission_classes = [IsAuthorityOrSecretariat]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="certificate_void_notice_list",
        tags=TAGS,
        responses={
            200: VoidNoticeSerializer(many=True),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.void_notice_list(), request, view=self)
        return paginator.get_paginated_response(VoidNoticeSerializer(page, many=True).data)


class SpecimenImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    caption = serializers.CharField()

    class Meta:
        ref_name = "SpecimenImage"

    def get_url(self, image: SpecimenImage) -> str:
        # The media folder is never served (a specimen helps forgers too): the picture comes
        # through the API, to the same callers as the specimens.
        return reverse(
            "api:certificate-specimen-image", args=[image.pk], request=self.context.get("request")
        )


class SpecimenSerializer(serializers.Serializer):
    participant = serializers.CharField(source="participant.code")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    notified_on = serializers.DateField(allow_null=True)
    security_features = serializers.CharField()
    images = SpecimenImageSerializer(many=True, source="images.all")

    class Meta:
        ref_name = "CertificateSpecimen"


class SpecimenListApi(APIView):
    """Participants' certificate specimens as notified through the Chair."""

    permission_classes = [IsAuthorityOrSecretariat]
    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        participant = serializers.CharField(
            required=False, help_text=_("Only this participant's specimens (its code).")
        )

        class Meta:
            ref_name = "SpecimenFilter"

        def validate_participant(self, code: str) -> Participant:
            return _participant_or_invalid(code)

    @extend_schema(
        operation_id="certificate_specimen_list",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={
            200: SpecimenSerializer(many=True),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        specimens = selectors.specimen_list(participant=filters.validated_data.get("participant"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(specimens, request, view=self)
        output = SpecimenSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(output.data)


class SpecimenImageApi(APIView):
    """A specimen's picture (the same callers as the specimens)."""

    permission_classes = [IsAuthorityOrSecretariat]

    @extend_schema(
        operation_id="certificate_specimen_image",
        tags=TAGS,
        responses={
            (200, "image/*"): OpenApiTypes.BINARY,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, image_id: int) -> FileResponse:
        image = (
            SpecimenImage.objects.filter(pk=image_id, specimen__in=selectors.specimen_list())
            .exclude(image="")
            .first()
        )
        missing = gettext("There is no specimen picture number %(id)s.") % {"id": image_id}
        if image is None:
            raise exceptions.NotFound(missing)
        try:
            handle = image.image.open("rb")
        except FileNotFoundError as exc:
            raise exceptions.NotFound(missing) from exc
        content_type = mimetypes.guess_type(image.image.name or "")[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response
