"""Document pages: the public list (with search) and the stable page of each released
document by its symbol, in every language (/<lang>/documents/<symbol>/), with its PDFs; and
the secretariat's work on documents (list, new, detail with status and history, edit of the
English source, status moves, revisions and corrigenda).

Who may read which document is decided by `access.documents_visible_to` (a document the user
may not see answers 404 on every page, PDFs included). The secretariat's pages answer 403 to
every other user (anonymous visitors go to the log-in page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin, is_secretariat
from kpcs.participants.views import paginate
from kpcs.plenary import document_forms as df
from kpcs.plenary.meeting_views import filter_values, place_errors
from kpcs.plenary.models import Document
from kpcs.plenary.rendering.body import parse_body
from kpcs.plenary.selectors import documents as selectors
from kpcs.plenary.selectors.access import meetings_visible_to
from kpcs.plenary.selectors.documents import (
    LANGUAGE_CODES,
    SOURCE_LANGUAGE,
    current_language,
    english,
    language_name,
    language_state,
    text_in,
)
from kpcs.plenary.services import documents as services

TEMPLATES = "plenary/documents/"
PAGE_SIZE = 25
DOCUMENTS = gettext_lazy("Documents")
SECRETARIAT_DOCUMENTS = gettext_lazy("Documents (secretariat)")


def shown_text(document: Document, language: str) -> dict[str, Any]:
    """What a reader in `language` is shown: that language's version when it is issued,
    else the English one with the reason (missing, in preparation or outdated)."""
    state = language_state(document, language)
    shown = language if state in ("source", "final") else SOURCE_LANGUAGE
    title, body = text_in(document, shown)
    return {
        "language": shown,
        "requested": language,
        "requested_name": language_name(language),
        "state": state,
        "fallback": shown != language,
        "title": title,
        "body": body,
        "bidi": translation.get_language_info(shown)["bidi"],
    }


# --- Public pages ----------------------------------------------------------------------------


def public_document_list(request: HttpRequest) -> HttpResponse:
    form = df.PublicDocumentFilterForm(request.GET or None, user=request.user)
    filters, status = filter_values(form)
    language = current_language()
    documents = selectors.public_document_list(user=request.user, language=language, **filters)
    if status != 200:
        documents = documents.none()
    page = paginate(request, documents, per_page=PAGE_SIZE)
    rows = [
        {
            "document": document,
            "text": shown_text(document, language),
            "languages": selectors.issued_languages(document),
        }
        for document in page.object_list
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": bool(filters),
        "breadcrumbs": [(DOCUMENTS, "")],
    }
    return render(request, TEMPLATES + "public_list.html", context, status=status)


def _document_by_symbol(request: HttpRequest, symbol: str) -> Document:
    document = selectors.document_by_symbol(user=request.user, symbol=symbol)
    if document is None:
        raise Http404(_("There is no document “%(symbol)s” for you.") % {"symbol": symbol[:200]})
    return document


def public_document_detail(request: HttpRequest, symbol: str) -> HttpResponse:
    document = _document_by_symbol(request, symbol)
    language = current_language()
    text = shown_text(document, language)
    issued = selectors.issued_languages(document)
    pdfs = selectors.ready_pdfs([document])[document.pk]
    missing_required = [
        code for code in services.required_languages_missing(document) if code not in issued
    ]
    context = {
        "document": document,
        "text": text,
        "blocks": parse_body(text["body"]).blocks,
        "versions": [
            {
                "code": code,
                # Each language named in itself: a reader finds their own.
                "name": translation.get_language_info(code)["name_local"],
                "url": selectors.page_url(document.symbol, code),
                "current": code == language,
            }
            for code in issued
        ],
        "pdfs": [
            {
                "code": code,
                "name": language_name(code),
                "url": reverse("documents:pdf", args=[document.symbol, code]),
            }
            for code in LANGUAGE_CODES
            if code in pdfs
        ],
        "advance": document.advance_release and bool(missing_required),
        "released": document.status == Document.Status.PUBLISHED or document.advance_release,
        "relations": selectors.relations(document, user=request.user),
        "meeting_visible": document.meeting_id is not None
        and meetings_visible_to(request.user).filter(pk=document.meeting_id).exists(),
        "breadcrumbs": [(DOCUMENTS, reverse("documents:list")), (document.symbol, "")],
    }
    return render(request, TEMPLATES + "public_detail.html", context)


def document_pdf(request: HttpRequest, symbol: str, language: str) -> FileResponse:
    """The ready PDF of one language of a document the user may read, shown in the browser;
    404 with a message when the language is unknown or no current PDF is ready."""
    document = _document_by_symbol(request, symbol)
    if language not in LANGUAGE_CODES:
        raise Http404(
            _("“%(language)s” is not a language of the documents: use %(languages)s.")
            % {"language": language[:20], "languages": ", ".join(LANGUAGE_CODES)}
        )
    ready = selectors.ready_pdf(document, language)
    if ready is None:
        raise Http404(
            _("No PDF of %(symbol)s in %(language)s is ready for its current text.")
            % {"symbol": document.symbol, "language": language_name(language)}
        )
    name = f"{slugify(document.symbol.replace('/', ' ')) or 'document'}-{language}.pdf"
    try:
        handle = ready.file.open("rb")
    except FileNotFoundError as exc:  # registered, but lost from storage: build it again
        raise Http404(
            _("No PDF of %(symbol)s in %(language)s is ready for its current text.")
            % {"symbol": document.symbol, "language": language_name(language)}
        ) from exc
    response = FileResponse(
        handle, content_type="application/pdf", filename=name, as_attachment=False
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The secretariat's pages -----------------------------------------------------------------


def _crumbs(*trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(SECRETARIAT_DOCUMENTS, reverse("plenary:documents")), *trail]


class SecretariatDocumentView(SecretariatRequiredMixin, View):
    """A secretariat page about one document: 403 for other users, then 404 if it does not
    exist."""

    document: Document

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if is_secretariat(request.user):
            document = selectors.document_get(user=request.user, pk=kwargs["pk"])
            if document is None:
                raise Http404(_("There is no document number %(id)s.") % {"id": kwargs["pk"]})
            self.document = document
        return super().dispatch(request, *args, **kwargs)


class DocumentListView(SecretariatRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = df.DocumentFilterForm(request.GET or None)
        filters, status = filter_values(form)
        documents = selectors.document_list(**filters)
        if status != 200:
            documents = documents.none()
        page = paginate(request, documents, per_page=PAGE_SIZE)
        rows = [
            {"document": document, "languages": selectors.issued_languages(document)}
            for document in page.object_list
        ]
        context = {
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": bool(filters),
            "breadcrumbs": [(SECRETARIAT_DOCUMENTS, "")],
        }
        return render(request, TEMPLATES + "list.html", context, status=status)


def _form_page(
    request: HttpRequest, form: BaseForm, *, document: Document | None = None, status: int = 200
) -> HttpResponse:
    if document is None:
        crumbs = _crumbs((gettext_lazy("New document"), ""))
    else:
        crumbs = _crumbs(
            (document.symbol, reverse("plenary:document", args=[document.pk])),
            (gettext_lazy("Edit"), ""),
        )
    context = {"form": form, "document": document, "breadcrumbs": crumbs}
    return render(request, TEMPLATES + "form.html", context, status=status)


class DocumentCreateView(SecretariatRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {
            "date": timezone.localdate(),
            "distribution": Document.Distribution.PUBLIC,
        }
        meeting = request.GET.get("meeting")
        if meeting:
            initial["meeting"] = meeting
        return _form_page(request, df.DocumentForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = df.DocumentForm(request.POST)
        if not form.is_valid():
            return _form_page(request, form, status=400)
        try:
            document = services.document_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            place_errors(form, exc)
            return _form_page(request, form, status=400)
        messages.success(
            request,
            _("%(symbol)s is recorded as a draft: its translations come next.")
            % {"symbol": document.symbol},
        )
        return redirect("plenary:document", document.pk)


def detail_page(
    request: HttpRequest,
    document: Document,
    *,
    bound: df.DocumentStatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = []
    for action in services.available_actions(document):
        if bound is not None and bound.move == action:
            forms.append(bound)
        else:
            forms.append(df.DocumentStatusForm(action=action))
    pdfs = selectors.ready_pdfs([document])[document.pk]
    context = {
        "document": document,
        "status_forms": forms,
        "states": [
            {
                "code": code,
                "name": language_name(code),
                "state": language_state(document, code),
                "pdf_url": reverse("documents:pdf", args=[document.symbol, code])
                if code in pdfs
                else "",
            }
            for code in LANGUAGE_CODES
        ],
        "missing": services.required_languages_missing(document)
        if document.status != Document.Status.PUBLISHED
        else [],
        "chain": selectors.revision_chain(document),
        "relations": selectors.relations(document, user=request.user),
        "source_versions": selectors.source_versions(document)[:20],
        "audit": selectors.audit_trail(document)[:30],
        "text": shown_text(document, SOURCE_LANGUAGE),
        "blocks": parse_body(english(document, "body")).blocks,
        "public_url": reverse("documents:detail", args=[document.symbol]),
        "breadcrumbs": _crumbs((document.symbol, "")),
    }
    return render(request, TEMPLATES + "detail.html", context, status=status)


class DocumentDetailView(SecretariatDocumentView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return detail_page(request, self.document)


class DocumentEditView(SecretariatDocumentView):
    """The facts and the English source; a changed source goes through TRANSLATIONS'
    `source_edit`, with the "minor change" box."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = df.DocumentEditForm(document=self.document)
        return _form_page(request, form, document=self.document)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = df.DocumentEditForm(request.POST, document=self.document)
        if not form.is_valid():
            return _form_page(request, form, document=self.document, status=400)
        values = dict(form.cleaned_data)
        try:
            services.document_edit(actor=request.user, document=self.document, **values)
        except ValidationError as exc:
            place_errors(form, exc)
            return _form_page(request, form, document=self.document, status=400)
        messages.success(request, _("The document is updated."))
        return redirect("plenary:document", self.document.pk)


class DocumentStatusView(SecretariatDocumentView):
    """Adopt, publish (or publish an advance version on purpose), release an advance
    version; posted from the document's page."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect(reverse("plenary:document", args=[pk]) + "#status")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = request.POST.get("action", "")
        if action not in services.ACTIONS:
            messages.error(
                request,
                _("“%(action)s” is not something to do with a status: nothing changed.")
                % {"action": action[:30]},
            )
            return detail_page(request, self.document, status=400)
        form = df.DocumentStatusForm(request.POST, action=action)
        if not form.is_valid():
            return detail_page(request, self.document, bound=form, status=400)
        try:
            document = services.document_transition(
                actor=request.user,
                document=self.document,
                action=action,
                on=form.cleaned_data.get("date"),
                advance=bool(form.cleaned_data.get("advance")),
            )
        except ValidationError as exc:
            if action not in services.available_actions(self.document):
                for message in exc.messages:
                    messages.error(request, message)
                return detail_page(request, self.document, status=400)
            place_errors(form, exc)
            return detail_page(request, self.document, bound=form, status=400)
        if action == services.ACTION_RELEASE_ADVANCE:
            text = _("An advance version of %(symbol)s is released to its readers.")
        elif document.status == Document.Status.PUBLISHED and document.advance_release:
            text = _("%(symbol)s is published as an advance version.")
        elif document.status == Document.Status.PUBLISHED:
            text = _("%(symbol)s is published.")
        else:
            text = _("%(symbol)s is adopted.")
        messages.success(request, text % {"symbol": document.symbol})
        return redirect("plenary:document", document.pk)


class DocumentReviseView(SecretariatDocumentView):
    def _page(self, request: HttpRequest, form: BaseForm, status: int = 200) -> HttpResponse:
        document = self.document
        context = {
            "document": document,
            "form": form,
            "next_revision": services.revision_symbol(document, Document.RevisionKind.REVISION),
            "next_corrigendum": services.revision_symbol(
                document, Document.RevisionKind.CORRIGENDUM
            ),
            "breadcrumbs": _crumbs(
                (document.symbol, reverse("plenary:document", args=[document.pk])),
                (gettext_lazy("Revise"), ""),
            ),
        }
        return render(request, TEMPLATES + "revise.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = df.DocumentReviseForm(
            initial={"kind": Document.RevisionKind.REVISION, "date": timezone.localdate()}
        )
        return self._page(request, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = df.DocumentReviseForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            revision = services.document_revise(
                actor=request.user, document=self.document, **form.cleaned_data
            )
        except ValidationError as exc:
            place_errors(form, exc)
            return self._page(request, form, status=400)
        messages.success(
            request,
            _("%(symbol)s is recorded as a draft, a copy of %(original)s to change.")
            % {"symbol": revision.symbol, "original": self.document.symbol},
        )
        return redirect("plenary:document", revision.pk)
