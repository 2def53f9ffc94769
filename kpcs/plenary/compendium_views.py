"""Pages of the compendium of KPCS rules and guidance, /<lang>/compendium/ (namespace
`compendium`): the whole compendium by section, one section, search in the page's language,
and the secretariat's management page (sections and supersessions).

Public pages show only what the visitor may see (kpcs.plenary.selectors.access): the public
reads published public documents. Management pages are the secretariat's (others: 403; a
document that does not exist: 404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin
from kpcs.plenary import compendium_forms as cf
from kpcs.plenary.models import Document
from kpcs.plenary.selectors import compendium as selectors
from kpcs.plenary.selectors.search import search_headlines
from kpcs.plenary.services import compendium as services

TEMPLATES = "plenary/compendium/"
RESULTS_PER_PAGE = 20
WORK_LIST_PER_PAGE = 50


def _section_links() -> list[dict[str, str]]:
    return [
        {
            "slug": selectors.section_slug(section),
            "label": str(section.label),
            "url": reverse(
                "compendium:section", kwargs={"section": selectors.section_slug(section)}
            ),
        }
        for section in selectors.SECTIONS
    ]


def _page_number(request: HttpRequest) -> str:
    return request.GET.get("page") or "1"


class CompendiumIndexView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "sections": selectors.compendium_sections(request.user),
            "section_links": _section_links(),
            "form": cf.CompendiumSearchForm(),
            "title": _("Compendium of KPCS rules and guidance"),
        }
        return render(request, TEMPLATES + "index.html", context)


class CompendiumSectionView(View):
    def get(self, request: HttpRequest, section: str) -> HttpResponse:
        chosen = selectors.section_from_slug(section)
        if chosen is None:
            raise Http404(
                _("The compendium has no section “%(section)s”.") % {"section": section[:40]}
            )
        sections = selectors.compendium_sections(request.user, section=chosen)
        context = {
            "sections": sections,
            "section": sections[0],
            "section_links": _section_links(),
            "form": cf.CompendiumSearchForm(initial={"section": chosen.value}),
            "title": str(chosen.label),
        }
        return render(request, TEMPLATES + "section.html", context)


class CompendiumSearchView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = cf.CompendiumSearchForm(request.GET or None)
        context: dict[str, Any] = {
            "form": form,
            "section_links": _section_links(),
            "q": "",
            "page": None,
        }
        if not request.GET:
            return render(request, TEMPLATES + "search.html", context)
        if not form.is_valid():
            return render(request, TEMPLATES + "search.html", context, status=400)
        q = form.cleaned_data["q"]
        context["q"] = q
        if not q:
            return render(request, TEMPLATES + "search.html", context)
        language = get_language() or "en"
        found = selectors.compendium_search(
            request.user, q, language, section=form.cleaned_data["section"] or None
        )
        page = Paginator(found, RESULTS_PER_PAGE).get_page(_page_number(request))
        documents = list(page.object_list)
        headlines = search_headlines(documents, q, language)
        selectors.mark_superseding_visible(request.user, documents)
        results = [
            {"document": document, "headline": headlines.get(document.pk, ("", ""))}
            for document in documents
        ]
        context.update({"page": page, "results": results})
        return render(request, TEMPLATES + "search.html", context)


# --- The secretariat's management page ----------------------------------------------------


def _back(request: HttpRequest) -> str:
    """Back to the management page the form was sent from (same site only)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("compendium:manage")


def _place_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class CompendiumManageView(SecretariatRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request)

    @staticmethod
    def page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
        q = " ".join((request.GET.get("q") or "").split())[:200]
        documents = selectors.compendium_work_list(q=q, language=get_language() or "en")
        page = Paginator(documents, WORK_LIST_PER_PAGE).get_page(_page_number(request))
        rows = [
            {
                "document": document,
                "section_form": cf.SectionForm(
                    initial={"section": document.compendium_section}, prefix=f"d{document.pk}"
                ),
            }
            for document in page.object_list
        ]
        context = {"page": page, "rows": rows, "q": q, "here": request.get_full_path()}
        return render(request, TEMPLATES + "manage.html", context, status=status)


class CompendiumSectionSetView(SecretariatRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(Document, pk=pk)
        form = cf.SectionForm(request.POST, prefix=f"d{document.pk}")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"{document.symbol}: {error}")
            return CompendiumManageView.page(request, status=400)
        try:
            services.compendium_section_set(
                document=document, section=form.cleaned_data["section"], actor=request.user
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, f"{document.symbol}: {error}")
            return CompendiumManageView.page(request, status=400)
        if form.cleaned_data["section"]:
            messages.success(
                request,
                _("%(symbol)s is in the compendium under “%(section)s”.")
                % {
                    "symbol": document.symbol,
                    "section": Document.CompendiumSection(form.cleaned_data["section"]).label,
                },
            )
        else:
            messages.success(
                request,
                _("%(symbol)s is no longer in the compendium.") % {"symbol": document.symbol},
            )
        return redirect(_back(request))


class CompendiumSupersedeView(SecretariatRequiredMixin, View):
    def page(
        self, request: HttpRequest, document: Document, form: BaseForm, *, status: int = 200
    ) -> HttpResponse:
        context = {"document": document, "form": form}
        return render(request, TEMPLATES + "supersede.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(Document.objects.select_related("superseded_by"), pk=pk)
        initial = {
            "superseded_by": document.superseded_by_id,
            "superseded_on": document.superseded_on,
        }
        return self.page(request, document, cf.SupersedeForm(initial=initial, document=document))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(Document.objects.select_related("superseded_by"), pk=pk)
        form = cf.SupersedeForm(request.POST, document=document)
        if not form.is_valid():
            return self.page(request, document, form, status=400)
        try:
            services.document_supersede(
                document=document,
                superseded_by=form.cleaned_data["superseded_by"],
                superseded_on=form.cleaned_data["superseded_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            _place_errors(form, exc)
            return self.page(request, document, form, status=400)
        messages.success(
            request,
            _("%(symbol)s is marked superseded by %(by)s from %(date)s.")
            % {
                "symbol": document.symbol,
                "by": form.cleaned_data["superseded_by"].symbol,
                "date": form.cleaned_data["superseded_on"].isoformat(),
            },
        )
        return redirect("compendium:manage")


class CompendiumSupersessionClearView(SecretariatRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(Document, pk=pk)
        services.document_supersession_clear(document=document, actor=request.user)
        messages.success(request, _("%(symbol)s is in force again.") % {"symbol": document.symbol})
        return redirect(_back(request))
