from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kpcs.common.api import error_responses
from kpcs.common.selectors import background_job_visible_to


class JobDetailApi(APIView):
    """Progress of a background job started by the caller (or any job, for the secretariat)."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        kind = serializers.CharField()
        description = serializers.CharField()
        status = serializers.CharField()
        percent = serializers.IntegerField()
        progress_done = serializers.IntegerField()
        progress_total = serializers.IntegerField()
        message = serializers.CharField()
        result = serializers.JSONField()
        created_at = serializers.DateTimeField()
        finished_at = serializers.DateTimeField(allow_null=True)

        class Meta:
            # Without a name of its own the schema component would be "Output", which every
            # other API's OutputSerializer would collide with.
            ref_name = "BackgroundJob"

    @extend_schema(
        operation_id="job_retrieve",
        tags=["jobs"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, job_id: Any) -> Response:
        job = background_job_visible_to(user=request.user, job_id=str(job_id))
        if job is None:
            raise Http404(gettext("No background job with this id is visible to you."))
        return Response(self.OutputSerializer(job).data)
