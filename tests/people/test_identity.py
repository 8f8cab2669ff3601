"""ID-card numbers and phones: validation, masking, encryption and the keyed hash."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.factories import id_number_ending_in_x, make_id_number, with_wrong_check_digit
from volunteers import access
from volunteers.errors import Invalid
from volunteers.fields import today
from volunteers.people import identity
from volunteers.settings import get_settings


def test_valid_id_number_gives_birth_date_and_gender() -> None:
    male = identity.validate_id_number(make_id_number(date(1990, 3, 7), male=True))
    assert (male.birth_date, male.gender) == (date(1990, 3, 7), "male")
    female = identity.validate_id_number(make_id_number(date(2001, 12, 31), male=False))
    assert (female.birth_date, female.gender) == (date(2001, 12, 31), "female")


def test_known_real_format_number() -> None:
    # The example in GB 11643-1999 itself.
    assert identity.validate_id_number("11010519491231002X").birth_date == date(1949, 12, 31)


def test_lowercase_x_is_accepted_and_stored_upper() -> None:
    number = id_number_ending_in_x()
    assert identity.validate_id_number(number.lower()).number == number
    assert identity.id_number_hash(number.lower()) == identity.id_number_hash(number)


@pytest.mark.parametrize(
    "bad",
    [
        with_wrong_check_digit(make_id_number()),
        make_id_number()[:17],  # too short
        make_id_number() + "1",  # too long
        "43042119900A07123" + "1",  # a letter in the body
        "430421" + "19901345" + "123" + "X",  # month 13
    ],
)
def test_invalid_id_numbers_are_refused(bad: str) -> None:
    with pytest.raises(Invalid) as refused:
        identity.validate_id_number(bad)
    assert refused.value.code == "invalid_id_number" and refused.value.field == "id_number"


def test_bad_embedded_date_with_correct_check_digit_is_refused() -> None:
    from tests.factories import check_digit

    body = "430421" + "19900230" + "123"  # 30 February
    with pytest.raises(Invalid, match="不是有效日期"):
        identity.validate_id_number(body + check_digit(body))


def test_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(Invalid, match="不合理"):
        identity.validate_id_number(make_id_number(today() + timedelta(days=1)))


def test_masks() -> None:
    assert access.mask_phone("13800138000") == "138****8000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("19912345678", "19912345678"),
    ],
)
def test_phone_normalisation(raw: str, expected: str) -> None:
    assert identity.normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380001", "021-12345678", "1380013800x", ""])
def test_invalid_phones(raw: str) -> None:
    with pytest.raises(Invalid) as refused:
        identity.normalise_phone(raw, "guardian.phone")
    assert refused.value.code == "invalid_phone" and refused.value.field == "guardian.phone"


def test_encryption_round_trip_uses_a_fresh_nonce() -> None:
    number = make_id_number()
    first, second = identity.encrypt_id_number(number), identity.encrypt_id_number(number)
    assert first != second and number.encode() not in first
    assert identity.decrypt_id_number(first) == identity.decrypt_id_number(second) == number


def test_hash_is_keyed_not_a_bare_digest() -> None:
    import hashlib

    number = make_id_number()
    assert identity.id_number_hash(number) != hashlib.sha256(number.encode()).hexdigest()
    assert len(identity.id_number_hash(number)) == 64


@pytest.fixture
def no_secret_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings without VOLUNTEERS_SECRET_KEY, with a fresh data folder."""
    data_dir = tmp_path / "data"
    monkeypatch.delenv("VOLUNTEERS_SECRET_KEY")
    monkeypatch.setenv("VOLUNTEERS_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


def test_without_secret_key_a_key_file_is_made_once_and_reused(
    no_secret_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = make_id_number()
    cipher = identity.encrypt_id_number(number)
    key_file = no_secret_key / "secret.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    key = key_file.read_bytes()
    assert len(key) == 32
    # reused: the same key decrypts and hashes, and the file is unchanged
    hashed = identity.id_number_hash(number)
    assert identity.decrypt_id_number(cipher) == number
    assert key_file.read_bytes() == key
    # a configured secret key takes precedence, and gives different keys
    monkeypatch.setenv("VOLUNTEERS_SECRET_KEY", "another-secret")
    get_settings.cache_clear()
    assert identity.id_number_hash(number) != hashed
