"""SQL has one home: Piccolo for single-table CRUD, any other statement a named file under `sql/<domain>/`.

A Python module under `src/volunteers` (migrations aside) holding an SQL statement in a string fails here;
move the statement into `sql/<domain>/NAME.sql` and load it by name (`db.sql`, `db.fetch`, `db.fetchrow`,
`db.fetchval`, `db.execute`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from volunteers import db

SOURCE = Path(__file__).resolve().parents[1] / "src" / "volunteers"

# Folded into sql/ on their own branches (issue 11); the lead empties this set after merging them.
TODO_DIRS: set[str] = set()

# (module, statement) pairs that may stay inline: the health endpoint's pool ping.
ALLOWED = {("app.py", "SELECT 1")}

# A statement's opening words; the object words after CREATE/ALTER/DROP keep prose ("Create a staff user") out.
_OBJECT = r"(TABLE|INDEX|VIEW|MATERIALIZED|FUNCTION|PROCEDURE|TRIGGER|SEQUENCE|SCHEMA|TYPE|EXTENSION|DATABASE|ROLE)"
STATEMENT = re.compile(
    r"(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\S+\s+SET\s|DELETE\s+FROM\s|WITH\s+(RECURSIVE\s+)?\S+\s+AS\b|TRUNCATE\s|"
    rf"CREATE\s+(OR\s+REPLACE\s+|TEMP\S*\s+|UNIQUE\s+)*{_OBJECT}\b|ALTER\s+{_OBJECT}\b|DROP\s+{_OBJECT}\b|"
    r"LOCK\s+(TABLE\s+)?\S|SHOW\s+\S)",
    re.IGNORECASE,
)
_HOLE = "x"  # what an f-string's {…} reads as, so f"TRUNCATE {table}" is still a statement


def is_statement(text: str) -> bool:
    """Whether `text`, leading blanks stripped, opens with an SQL statement."""
    return STATEMENT.match(text.lstrip() + " ") is not None


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring constants (module, classes, functions): prose, not SQL."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def statements_in(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string constant or f-string in `source` that opens with an SQL statement."""
    tree = ast.parse(source)
    skipped = _docstrings(tree)
    inside_fstrings = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(str(v.value) if isinstance(v, ast.Constant) else _HOLE for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in skipped or id(node) in inside_fstrings:
                continue
            text = node.value
        else:
            continue
        if is_statement(text):
            found.append((node.lineno, text.strip()))
    return found


def modules() -> list[Path]:
    """Every Python module under src/volunteers except migrations and the folders still being folded."""
    return [
        path
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts and path.relative_to(SOURCE).parts[0] not in TODO_DIRS
    ]


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("SELECT 1", True),
        ("\n    select id from area where path like $1", True),
        ("WITH taken AS (DELETE FROM login_attempt) SELECT 1", True),
        ("UPDATE activity SET status = $2 WHERE id = $1", True),
        ("TRUNCATE import_team", True),
        ("CREATE TEMP TABLE import_team (target integer)", True),
        ("SHOW server_version", True),
        ("create", False),
        ("update", False),
        ("Create a staff user in your subtree", False),
        ("Set the resident population of an area for a year", False),
    ],
)
def test_a_statement_is_told_from_prose(text: str, statement: bool) -> None:
    assert is_statement(text) is statement


def test_an_fstring_statement_is_found() -> None:
    source = 'async def f(conn, table):\n    """Select the rows."""\n    await conn.execute(f"TRUNCATE {table}")\n'
    assert statements_in(source) == [(3, "TRUNCATE x")]


def test_no_module_holds_an_sql_statement() -> None:
    inline = [
        f"{path.relative_to(SOURCE)}:{line}: {text[:80]!r}"
        for path in modules()
        for line, text in statements_in(path.read_text(encoding="utf-8"))
        if (str(path.relative_to(SOURCE)), text) not in ALLOWED
    ]
    assert inline == [], "SQL belongs in sql/<domain>/NAME.sql, loaded by name:\n" + "\n".join(inline)


_LOADERS = {"sql", "fetch", "fetchrow", "fetchval", "execute", "execute_script"}


def test_every_query_named_in_the_code_exists() -> None:
    named = set()
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "db"
                and node.func.attr in _LOADERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                named.add(node.args[0].value)
    missing = sorted(name for name in named if not db.SQL_DIR.joinpath(f"{name}.sql").is_file())
    assert named and missing == []
