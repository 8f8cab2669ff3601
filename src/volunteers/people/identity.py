"""Identity data: ID-card numbers (validated, encrypted, hashed) and mobile phones.

The full ID number never leaves this module except through `decrypt_id_number`, which
only tests use; no answer shows any of its characters (see `volunteers.access`). Keys
derive from `VOLUNTEERS_SECRET_KEY`, or from a key generated once into `data_dir/secret.key`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from datetime import date
from functools import cache
from pathlib import Path
from typing import NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from volunteers.errors import Invalid
from volunteers.fields import today
from volunteers.settings import get_settings

# GB 11643-1999: weights of the first 17 digits, and remainder (mod 11) -> check character.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_NONCE_BYTES = 12
_AAD = b"volunteer.id_number"
_ENCRYPTION_INFO = b"volunteers/id-number/aes-gcm/v1"
_HASHING_INFO = b"volunteers/id-number/hmac-sha256/v1"
_KEY_FILE = "secret.key"

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_SEPARATORS = re.compile(r"[\s-]")


class IdFacts(NamedTuple):
    """A valid ID number (upper-case X) and what it says about its holder."""

    number: str
    birth_date: date
    gender: str


def validate_id_number(raw: str, field: str = "id_number") -> IdFacts:
    """Check an 18-character ID number (GB 11643) and read its birth date and gender."""
    number = raw.strip().upper()

    def refuse(why: str) -> Invalid:
        return Invalid(f"身份证号（{field}）不正确：{why}", field=field, code="invalid_id_number")

    if len(number) != 18:
        raise refuse(f"应为 18 位，实际 {len(number)} 位")
    body, check = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or check not in "0123456789X":
        raise refuse("前 17 位应为数字，最后一位应为数字或 X")
    expected = _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
    if check != expected:
        raise refuse("校验位不符，请核对是否输错")
    try:
        born = date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise refuse(f"出生日期 {body[6:14]} 不是有效日期") from None
    if born.year < 1900 or born > today():
        raise refuse(f"出生日期 {born} 不合理")
    return IdFacts(number, born, "male" if int(body[16]) % 2 else "female")


def encrypt_id_number(number: str) -> bytes:
    """AES-GCM ciphertext with its random 12-byte nonce in front."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return nonce + AESGCM(_encryption_key()).encrypt(nonce, number.encode(), _AAD)


def decrypt_id_number(cipher: bytes) -> str:
    """The plaintext of `encrypt_id_number`'s output (for tests and exports only)."""
    nonce, sealed = cipher[:_NONCE_BYTES], cipher[_NONCE_BYTES:]
    return AESGCM(_encryption_key()).decrypt(nonce, sealed, _AAD).decode()


def id_number_hash(number: str) -> str:
    """A keyed hash (HMAC-SHA256, hex) for exact search and uniqueness."""
    return hmac.new(_hashing_key(), number.strip().upper().encode(), hashlib.sha256).hexdigest()


def normalise_phone(raw: str, field: str = "phone") -> str:
    """An 11-digit mainland mobile number, from input with spaces, hyphens or +86/86."""
    phone = _PHONE_SEPARATORS.sub("", raw)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not _PHONE.match(phone):
        raise Invalid(
            f"手机号（{field}）不正确：应为 11 位大陆手机号，以 13–19 开头", field=field, code="invalid_phone"
        )
    return phone


def _encryption_key() -> bytes:
    return _derive(_master_key(), _ENCRYPTION_INFO)


def _hashing_key() -> bytes:
    return _derive(_master_key(), _HASHING_INFO)


@cache
def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def _master_key() -> bytes:
    settings = get_settings()
    if settings.secret_key is not None:
        return settings.secret_key.encode()
    return _key_file(settings.data_dir / _KEY_FILE)


@cache
def _key_file(path: Path) -> bytes:
    """The key in `path`, generated on first use (mode 0600; safe if two processes race)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)  # atomic: the first writer wins, later ones read its key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_bytes()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; remove it or set VOLUNTEERS_SECRET_KEY")
    return key
