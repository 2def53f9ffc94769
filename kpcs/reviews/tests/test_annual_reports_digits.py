"""`str.isdigit()` says yes to digits such as "²" that `int()` refuses (the class of bug the API
fuzz found in the packs API): a count given as "²" is refused with the field's message instead
of crashing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kpcs.reviews.services.annual_reports import clean_values


@pytest.mark.parametrize("value", ["²", "-³", "٣"])
def test_a_count_in_digits_other_than_0_to_9_is_refused_naming_the_field(value) -> None:
    with pytest.raises(ValidationError) as refused:
        clean_values({"seizures": value})

    assert "seizures" in refused.value.message_dict


def test_a_count_in_plain_digits_is_still_read() -> None:
    assert clean_values({"seizures": " 12 "}) == {"seizures": 12}
