from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kpcs.accounts.models import Role, User
from kpcs.common import audit
from kpcs.participants.models import Observer, Participant


def _acting_for(
    *,
    role: str,
    participant_code: str | None,
    observer_code: str | None,
) -> tuple[Participant | None, Observer | None]:
    participant = observer = None
    if role not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    if participant_code and observer_code:
        raise ValidationError(_("A user acts for one participant or one observer, not both."))
    if participant_code:
        participant = Participant.objects.filter(code=participant_code.upper()).first()
        if participant is None:
            raise ValidationError(
                _("No participant has the code “%(code)s”.") % {"code": participant_code}
            )
    if observer_code:
        observer = Observer.objects.filter(code=observer_code.upper()).first()
        if observer is None:
            raise ValidationError(
                _("No observer has the code “%(code)s”.") % {"code": observer_code}
            )
    if role == Role.AUTHORITY and participant is None:
        raise ValidationError(_("A participant authority must act for a participant."))
    if role == Role.OBSERVER and observer is None:
        raise ValidationError(_("An observer account must act for an observer."))
    if role == Role.SECRETARIAT and (participant or observer):
        raise ValidationError(_("Secretariat accounts act for the whole scheme, not one body."))
    if role == Role.AUTHORITY and observer is not None:
        raise ValidationError(_("A participant authority cannot act for an observer."))
    return participant, observer


@transaction.atomic
def user_create_or_update(
    *,
    username: str,
    role: str,
    password: str,
    participant_code: str | None = None,
    observer_code: str | None = None,
    email: str = "",
    actor: User | None = None,
) -> User:
    """Create the account, or bring an existing one to this role and password."""
    participant, observer = _acting_for(
        role=role, participant_code=participant_code, observer_code=observer_code
    )
    user = User.objects.filter(username=username).first()
    validate_password(password, user=user)
    before = audit.snapshot(user) if user else None
    if user is None:
        user = User(username=username)
    user.role = role
    user.participant = participant
    user.observer = observer
    if email:
        user.email = email
    user.is_staff = role == Role.SECRETARIAT  # the admin site is for reference data only
    user.set_password(password)
    user.save()
    if before is None:
        audit.record_create(actor=actor, instance=user)
    else:
        audit.record_update(actor=actor, instance=user, before=before)
    return user
