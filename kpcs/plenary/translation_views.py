"""The secretariat's translation pages (namespace `plenary`):

- `document-languages`: the language matrix of one document — every UN language, the required
  ones marked, its state, who saved it last and when, a link to edit it;
- `meeting-languages`: the matrix of a meeting's documents, with counts per language;
- `translation`: one language side by side with the English source; when the source changed
  since the translation was made, what changed (paragraph by paragraph, word by word).

Only the secretariat: anonymous visitors go to the log-in page, other users get 403; a
document or meeting that does not exist, or a language that is not a UN language, is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kpcs.accounts.permissions import SecretariatRequiredMixin
from kpcs.plenary.models import Document, DocumentTranslation, Meeting
from kpcs.plenary.selectors import translations as selectors
from kpcs.plenary.selectors.access import documents_visible_to, meetings_visible_to
from kpcs.plenary.services import translations as services
from kpcs.plenary.services.translations import SOURCE_LANGUAGE, field_name, localized
from kpcs.plenary.translation_forms import TranslationForm, text_attributes

TEMPLATES = "plenary/translations/"
DOCUMENTS = gettext_lazy("Plenary documents")
MEETINGS = gettext_lazy("Meetings")


def url_or_none(name: str, *args: Any) -> str | None:
    """The address of a page another part of the plenary app provides, or None while that
    page does not exist (the link is then left out)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _document_or_404(request: HttpRequest, pk: int) -> Document:
    document = documents_visible_to(request.user).filter(pk=pk).first()
    if document is None:
        raise Http404(_("There is no document number %(id)s.") % {"id": pk})
    return document


def _meeting_or_404(request: HttpRequest, code: str) -> Meeting:
    meeting = meetings_visible_to(request.user).filter(code=code).first()
    if meeting is None:
        raise Http404(_("There is no meeting “%(code)s”.") % {"code": code[:60]})
    return meeting


def _translation_language_or_404(language: str) -> str:
    if language == SOURCE_LANGUAGE:
        raise Http404(
            _("English is the source: edit it on the document's page, not as a translation.")
        )
    if not selectors.is_known_language(language):
        raise Http404(
            _("“%(language)s” is not a language of the KP: use one of %(languages)s.")
            % {"language": language[:20], "languages": ", ".join(selectors.languages())}
        )
    return language


def _document_crumbs(document: Document, *trail: tuple[Any, str]) -> list[tuple[Any, str]]:
    crumbs: list[tuple[Any, str]] = [(DOCUMENTS, url_or_none("plenary:documents") or "")]
    crumbs.append((document.symbol, url_or_none("plenary:document", document.pk) or ""))
    return [*crumbs, *trail]


def place_errors(form: BaseForm, exc: ValidationError) -> None:
    """Each of the service's messages at the field it names; the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


# --- One document ------------------------------------------------------------------------------


class DocumentLanguagesView(SecretariatRequiredMixin, View):
    """The language matrix of one document."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = _document_or_404(request, pk)
        row = selectors.document_languages(document)
        waiting = selectors.required_languages_final(document)
        names = selectors.language_names()
        context = {
            "document": document,
            "row": row,
            "waiting": [names.get(language, language) for language in waiting],
            "latest_version": selectors.source_versions(document).last(),
            "source_edit_url": url_or_none("plenary:document-edit", document.pk),
            "meeting_url": (
                reverse("plenary:meeting-languages", args=[document.meeting.code])
                if document.meeting
                else None
            ),
            "breadcrumbs": _document_crumbs(document, (gettext_lazy("Languages"), "")),
        }
        return render(request, TEMPLATES + "document_languages.html", context)


# --- A meeting ---------------------------------------------------------------------------------


class MeetingLanguagesView(SecretariatRequiredMixin, View):
    """The language matrix of a meeting's documents, with counts per language."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        meeting = _meeting_or_404(request, code)
        visible = documents_visible_to(request.user)
        context = {
            "meeting": meeting,
            "rows": selectors.meeting_matrix(meeting, visible),
            "counts": selectors.meeting_counts(meeting, visible),
            "languages": selectors.languages(),
            "meeting_url": url_or_none("plenary:meeting", meeting.code),
            "breadcrumbs": [
                (MEETINGS, url_or_none("plenary:meetings") or ""),
                (meeting.title, url_or_none("plenary:meeting", meeting.code) or ""),
                (gettext_lazy("Languages"), ""),
            ],
        }
        return render(request, TEMPLATES + "meeting_languages.html", context)


# --- One language, side by side with the source ------------------------------------------------


def _translation_page(
    request: HttpRequest,
    document: Document,
    language: str,
    form: TranslationForm,
    *,
    status: int = 200,
) -> HttpResponse:
    row = selectors.document_languages(document)
    cell = next(cell for cell in row.cells if cell.language == language)
    source_body = localized(document, "body", SOURCE_LANGUAGE)
    saved_body = getattr(document, field_name("body", language)) or ""
    saved_title = getattr(document, field_name("title", language)) or ""
    diff = selectors.source_diff(document, language) if cell.state == selectors.OUTDATED else None
    source_paragraphs = selectors.paragraph_count(source_body)
    saved_paragraphs = selectors.paragraph_count(saved_body)
    context = {
        "document": document,
        "language": language,
        "language_name": selectors.language_names()[language],
        "attributes": text_attributes(language),
        "source_attributes": text_attributes(SOURCE_LANGUAGE),
        "cell": cell,
        "form": form,
        "diff": diff,
        "source_blocks": selectors.body_blocks(source_body),
        "saved_title": saved_title,
        "saved_blocks": selectors.body_blocks(saved_body),
        "paragraphs_differ": bool(saved_body) and source_paragraphs != saved_paragraphs,
        "source_paragraphs": source_paragraphs,
        "saved_paragraphs": saved_paragraphs,
        "other_languages": [c for c in row.cells if c.language not in (language, SOURCE_LANGUAGE)],
        "source_edit_url": url_or_none("plenary:document-edit", document.pk),
        "breadcrumbs": _document_crumbs(
            document,
            (gettext_lazy("Languages"), reverse("plenary:document-languages", args=[document.pk])),
            (selectors.language_names()[language], ""),
        ),
    }
    return render(request, TEMPLATES + "translation.html", context, status=status)


class TranslationView(SecretariatRequiredMixin, View):
    """One language of a document: the English source beside the translation's form."""

    def _initial(self, document: Document, language: str) -> dict[str, Any]:
        record = DocumentTranslation.objects.filter(document=document, language=language).first()
        return {
            "title": getattr(document, field_name("title", language)) or "",
            "body": getattr(document, field_name("body", language)) or "",
            "status": record.status if record else DocumentTranslation.Status.DRAFT,
        }

    def get(self, request: HttpRequest, pk: int, language: str) -> HttpResponse:
        language = _translation_language_or_404(language)
        document = _document_or_404(request, pk)
        form = TranslationForm(
            initial=self._initial(document, language),
            language=language,
            source_body=localized(document, "body", SOURCE_LANGUAGE),
        )
        return _translation_page(request, document, language, form)

    def post(self, request: HttpRequest, pk: int, language: str) -> HttpResponse:
        language = _translation_language_or_404(language)
        document = _document_or_404(request, pk)
        form = TranslationForm(
            request.POST,
            language=language,
            source_body=localized(document, "body", SOURCE_LANGUAGE),
        )
        if not form.is_valid():
            return _translation_page(request, document, language, form, status=400)
        try:
            translation = services.translation_save(
                document=document, language=language, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            place_errors(form, exc)
            document.refresh_from_db()
            return _translation_page(request, document, language, form, status=400)
        name = selectors.language_names()[language]
        if translation.status == DocumentTranslation.Status.FINAL:
            message = _("The %(language)s version is saved as final and is current.")
        else:
            message = _("The %(language)s version is saved as a draft and is current.")
        messages.success(request, message % {"language": name})
        return redirect("plenary:translation", document.pk, language)
