"""Forms of the document pages: the public and the secretariat's filters, a new document,
its edit (facts and English source, with the "minor change" box), its status and a revision.
They check what a person can correct at the field; the services check again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpcs.plenary.meeting_forms import code_choice, date_field, year_field
from kpcs.plenary.models import Document, Meeting
from kpcs.plenary.selectors import meetings as meeting_selectors
from kpcs.plenary.selectors.documents import english
from kpcs.plenary.services import documents as services

Q_MAX = 200


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.start_date:%Y})"


def meeting_field(*, queryset: Any = None, empty: Any = None) -> MeetingChoiceField:
    field = MeetingChoiceField(
        label=_("Meeting"),
        queryset=queryset if queryset is not None else Meeting.objects.order_by("-start_date"),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not the code of a meeting.")},
    )
    if empty is not None:
        field.empty_label = str(empty)
    return field


def _choice(label: Any, choices: Any, *, empty: Any, invalid: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", empty), *choices],
        error_messages={"invalid_choice": invalid},
    )


def kind_filter() -> forms.ChoiceField:
    return _choice(
        _("Kind"),
        Document.Kind.choices,
        empty=_("any kind"),
        invalid=_("“%(value)s” is not a kind of document."),
    )


def q_field() -> forms.CharField:
    return forms.CharField(
        label=_("Words"),
        required=False,
        max_length=Q_MAX,
        error_messages={"max_length": _("Search with at most 200 characters.")},
    )


class PublicDocumentFilterForm(forms.Form):
    """The public list's query string: kind, meeting, year and words."""

    q = q_field()
    kind = kind_filter()
    meeting = meeting_field(empty=_("any meeting"))
    year = year_field()

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = meeting_selectors.meeting_list(user=user)


class DocumentFilterForm(forms.Form):
    """The secretariat's list: kind, status, meeting and words (symbol or English title)."""

    q = q_field()
    kind = kind_filter()
    status = _choice(
        _("Status"),
        Document.Status.choices,
        empty=_("any status"),
        invalid=_("“%(value)s” is not a status: use draft, adopted or published."),
    )
    meeting = meeting_field(empty=_("any meeting"))


class DocumentFactsForm(forms.Form):
    symbol = forms.CharField(
        label=_("Symbol"),
        max_length=services.SYMBOL_MAX + 50,
        help_text=_(
            "The same in every language, e.g. KP/2026/Plenary/Administrative Decision 1. It "
            "is the document's public address and cannot change once adopted."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    meeting = meeting_field(empty=_("no meeting"))
    date = date_field(_("Date"), required=True)
    distribution = forms.ChoiceField(
        label=_("Distribution"),
        choices=Document.Distribution.choices,
        help_text=_(
            "Public: everyone. Participants and observers: users acting for one. Restricted: "
            "the members of one working body."
        ),
    )
    working_body = code_choice(
        _("Working body"),
        meeting_selectors.working_bodies_for_choice(),
        invalid=_("Choose one of the working bodies listed."),
        empty=_("none (not restricted)"),
        help_text=_("For a document restricted to a working body: which one."),
    )
    compendium_section = forms.ChoiceField(
        label=_("Compendium section"),
        required=False,
        choices=[("", _("not in the compendium")), *Document.CompendiumSection.choices],
    )

    @staticmethod
    def stored(document: Document) -> dict[str, Any]:
        return {
            "symbol": document.symbol,
            "kind": document.kind,
            "meeting": document.meeting.code if document.meeting else None,
            "date": document.date,
            "distribution": document.distribution,
            "working_body": document.working_body.code if document.working_body else None,
            "compendium_section": document.compendium_section,
            "title": english(document),
            "body": english(document, "body"),
        }

    def clean_symbol(self) -> str:
        symbol = services.normalise_symbol(self.cleaned_data["symbol"])
        document = getattr(self, "document", None)
        if document is not None and symbol == document.symbol:
            return symbol
        for message in services.symbol_problems(symbol, document=document):
            self.add_error("symbol", message)
        return symbol

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        fields = ("kind", "date", "distribution", "working_body")
        if any(name in self.errors for name in fields):
            return cleaned
        problems = services.fact_problems(
            **{name: cleaned.get(name) for name in fields},
            compendium_section=cleaned.get("compendium_section") or "",
        )
        for field, messages in problems.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class DocumentForm(DocumentFactsForm):
    """A new document: its facts and its English title and body."""

    title = forms.CharField(
        label=_("Title (English)"),
        max_length=services.TITLE_MAX,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    body = forms.CharField(
        label=_("Body (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "lang": "en"}),
        help_text=_(
            "Paragraphs separated by a blank line are numbered; a line starting with # is a "
            "heading; lines starting with | are the rows of a table."
        ),
    )


class DocumentEditForm(DocumentForm):
    """The facts, the English source and whether the change of the source is minor."""

    minor = forms.BooleanField(
        label=_("Minor change"),
        required=False,
        help_text=_(
            "A typo or punctuation: the translations made from the current text stay current. "
            "Otherwise they become outdated."
        ),
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        self.document = document
        # Also when bound: the fields that cannot change (disabled) keep these values.
        kwargs.setdefault("initial", self.stored(document))
        super().__init__(*args, **kwargs)
        if document.status != Document.Status.DRAFT:
            self.fields["symbol"].disabled = True
            self.fields["symbol"].help_text = _(
                "Adopted documents keep their symbol: issue a revision instead."
            )
        if document.status == Document.Status.PUBLISHED:
            for name in ("title", "body", "minor"):
                self.fields[name].disabled = True
            self.fields["body"].help_text = _(
                "The text of a published document changes through a corrigendum or a revision."
            )


class DocumentStatusForm(forms.Form):
    """One action on a document's status, with its date and (publishing) the advance box."""

    action = forms.ChoiceField(
        choices=[
            (services.ACTION_ADOPT, _("Adopt")),
            (services.ACTION_PUBLISH, _("Publish")),
            (services.ACTION_RELEASE_ADVANCE, _("Release an advance version")),
        ],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("“%(value)s” is not something to do with a status.")},
    )
    date = date_field(_("Date"))
    advance = forms.BooleanField(
        label=_("Release an advance version anyway"),
        required=False,
        help_text=_(
            "Publish although some required languages are not final: the document is marked "
            "as an advance version."
        ),
    )

    LABELS = {
        services.ACTION_ADOPT: _("Adopt"),
        services.ACTION_PUBLISH: _("Publish"),
        services.ACTION_RELEASE_ADVANCE: _("Release an advance version"),
    }

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        initial = kwargs.pop("initial", None) or {}
        initial.setdefault("action", action)
        initial.setdefault("date", timezone.localdate())
        kwargs["initial"] = initial
        kwargs.setdefault("auto_id", f"status-{action}-%s")
        super().__init__(*args, **kwargs)
        self.move = action
        self.move_label = self.LABELS.get(action, action)
        if action == services.ACTION_ADOPT:
            self.fields["date"].label = _("Adopted on")
        if action == services.ACTION_PUBLISH:
            self.fields["date"].label = _("Published on")
        if action != services.ACTION_PUBLISH:
            del self.fields["advance"]
        if action == services.ACTION_RELEASE_ADVANCE:
            del self.fields["date"]


class DocumentReviseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Issue"),
        choices=Document.RevisionKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A revision replaces the text (…/Rev.N); a corrigendum corrects it (…/Corr.N)."
        ),
    )
    date = date_field(_("Date"), required=True)
