"""Weak staff passwords are refused when set, whatever their length.

The estimate is zxcvbn's (Dropbox's password-strength estimator: its dictionaries of common passwords,
words, names and keyboard patterns ship inside the package; nothing is fetched at run time), fed
with what a guesser would try first for this account: the username and its reverse, the account's
area code and name, this system's name (volunteers, 志愿者, zhiyuanzhe…), and the pinyin and digit
favourites of Chinese password lists that the English dictionaries miss (woaini1314, 5201314…).
A password must take an estimated 10⁸ guesses (zxcvbn score 3): at the at most 70 online guesses an
hour that auth/throttle.py lets through to one account, that is more than a century.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import anyio.to_thread
from zxcvbn import zxcvbn  # type: ignore[import-untyped]

from volunteers.errors import Invalid

MIN_SCORE = 3
# zxcvbn's own bound, which keeps an estimate within milliseconds; a prefix is never the stronger part.
CHECKED_LENGTH = 72

SYSTEM_WORDS = (
    "volunteers",
    "volunteer",
    "zhiyuanzhe",
    "zhiyuan",
    "zhiyuanfuwu",
    "志愿者",
    "志愿服务",
    "wenming",
    "wenmingshijian",
    "xinshidai",
    "文明实践",
    "新时代",
)
# Favourites of Chinese password lists that zxcvbn's (mostly English) dictionaries do not hold.
CHINESE_FAVOURITES = (
    "woaini",
    "woaini1314",
    "woaini520",
    "5201314",
    "1314520",
    "1314",
    "520",
    "aini",
    "dearbook",
    "xiazhili",
    "nihao",
    "zhongguo",
    "beijing",
    "shanghai",
    "wangwang",
    "zhangwei",
    "wangwei",
    "abc123456",
    "qq123456",
    "123qwe",
    "qwe123",
)
_FAVOURITES = frozenset(CHINESE_FAVOURITES)
_NOT_ALNUM = re.compile(r"[\W_]+")

# zxcvbn keeps the words of the call in progress in a module-level dictionary: one estimate at a time.
_ESTIMATING = threading.Lock()

_ADVICE = "请换一个更长、不常见的密码，例如把三四个不相关的词连在一起"


async def refuse_weak_password(password: str, *, username: str, context: tuple[str, ...] = ()) -> None:
    """A 422 naming `password` when it contains the username, is common, or is otherwise easy to guess.

    `context` holds further words a guesser would try for this account (its area's code and name)."""
    bare_password, bare_username = _bare(password), _bare(username)
    if len(bare_username) >= 3 and (bare_username in bare_password or bare_username[::-1] in bare_password):
        raise Invalid(
            f"密码不能包含用户名（或倒写的用户名）；{_ADVICE}", field="password", code="password_contains_username"
        )
    words = _context_words(username, context)
    result = await anyio.to_thread.run_sync(_estimate, password[:CHECKED_LENGTH], [*words, *CHINESE_FAVOURITES])
    if result["score"] >= MIN_SCORE:
        return
    matched = [m for m in result["sequence"] if m["pattern"] == "dictionary"]
    if any(m["dictionary_name"] == "user_inputs" and m["matched_word"] in words for m in matched):
        raise Invalid(
            f"密码不能以用户名、所属区域或“志愿者”等与本系统相关的词为主；{_ADVICE}",
            field="password",
            code="password_contains_context",
        )
    if any(m["dictionary_name"] == "passwords" or m["matched_word"] in _FAVOURITES for m in matched):
        raise Invalid(f"密码过于常见，很容易被猜中；{_ADVICE}", field="password", code="common_password")
    raise Invalid(
        f"密码太容易被猜中（太短，或由相邻按键、重复或连续的字符、日期、常见单词组成）；{_ADVICE}",
        field="password",
        code="weak_password",
    )


def _estimate(password: str, words: list[str]) -> dict[str, Any]:
    with _ESTIMATING:
        result: dict[str, Any] = zxcvbn(password, user_inputs=words, max_length=CHECKED_LENGTH)
        return result


def _bare(text: str) -> str:
    """Lower case without separators: `Staff_C11` and `staff-c11` are the same name."""
    return _NOT_ALNUM.sub("", text.lower())


def _context_words(username: str, context: tuple[str, ...]) -> list[str]:
    """The account's own words, then the system's: lower case, as zxcvbn compares them, first the likeliest."""
    parts = [p for p in re.split(r"[_.@\-]+", username.lower()) if len(p) >= 3]
    own = [username.lower(), _bare(username), _bare(username)[::-1], *parts, *(c.lower() for c in context if c)]
    return list(dict.fromkeys([*own, *SYSTEM_WORDS]))
