"""Real, valid ID-card numbers for tests, computed with the GB 11643 check digit."""

from __future__ import annotations

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(body: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def make_id_number(born: date = date(1990, 3, 7), *, male: bool = True, region: str = "430421", n: int = 1) -> str:
    """A valid ID number; `n` picks among holders with the same region, birth date and gender."""
    sequence = 2 * n + (1 if male else 0)  # the 17th digit's parity is the gender
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + check_digit(body)


def id_number_ending_in_x() -> str:
    """A valid ID number whose check character is X."""
    for n in range(1, 400):
        number = make_id_number(n=n)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit found")


def with_wrong_check_digit(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong
