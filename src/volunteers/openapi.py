"""The OpenAPI document as clients need it, completed from the route table.

Litestar documents each operation's success and a generic 400 whose body is not ours. Every error here is an
RFC 9457 problem (`errors.problem`), so each /api/v1 operation is given the statuses its mechanisms can answer
(parsing, login, guards, path lookups, writes, and a handler's `opt={"problems": (...)}`) with an
`application/problem+json` body; `Response[bytes]` handlers and `format` queries get their file media types;
request Structs that forbid unknown fields say so; and `int | float` unions become `anyOf`, which they are.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.routes import HTTPRoute

from volunteers.auth.authentication import SAFE_METHODS, BearerAuthentication, read_only_officials

API_PREFIX = "/api/v1/"
PROBLEM_JSON = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_MEDIA_TYPES = {"xlsx": XLSX, "csv": "text/csv", "json": "application/json"}
BEARER = "BearerToken"

# Component schemas named in the document; `Problem` is the body `errors.problem` writes.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `code` is stable, `detail` is the Chinese message staff see",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "field": {"type": "string", "description": "the request field at fault"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

DESCRIPTIONS = {
    400: "请求格式不正确（JSON、类型、长度、未知字段、参数）",
    401: "未登录，或令牌无效、过期、已注销",
    403: "角色或区域不允许此操作",
    404: "不存在，或不在您的管辖范围内",
    409: "与现有记录或当前状态冲突",
    410: "已失效（例如已轮换的签到码）",
    413: "请求内容过大",
    422: "内容不符合业务规则（field 指出字段）",
    429: "请求过于频繁，请稍后再试",
    503: "数据库暂时不可用或正忙，请稍后重试",
}

PAGING = {"limit", "offset"}
# Extra statuses a handler answers beyond what its kind of route implies: `opt={"problems": (410, 429)}`.
OPT_PROBLEMS = "problems"

BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "令牌来自 POST /api/v1/auth/token"}


def requires_login(handler: HTTPRouteHandler) -> bool:
    """Whether the handler sits behind the bearer-token middleware."""
    layers = handler.ownership_layers
    return any(getattr(m, "middleware", m) is BearerAuthentication for layer in layers for m in layer.middleware or [])


def free_form_query(operation: dict[str, Any]) -> bool:
    """Whether a query parameter carries text, a code, a date or a number (not paging, an enum, a flag or an id)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query" or parameter.get("name") in PAGING:
            continue
        schema = parameter.get("schema", {})
        branches = [schema, *schema.get("oneOf", [])]
        if any(b.get("type") in ("string", "number") and "enum" not in b for b in branches):
            return True
    return False


def required_inputs(operation: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """Names of the required query parameters and required top-level body fields."""
    names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query" and p.get("required")}
    for media in operation.get("requestBody", {}).get("content", {}).values():
        body = media.get("schema", {})
        if "$ref" in body:
            body = schemas.get(body["$ref"].rsplit("/", 1)[-1], {})
        names.update(body.get("required", []))
    return names


def problem_statuses(
    handler: HTTPRouteHandler, method: str, operation: dict[str, Any], schemas: dict[str, Any]
) -> set[int]:
    """The error statuses `operation` can answer, from the mechanisms that guard and parse it."""
    guards = {guard for layer in handler.ownership_layers for guard in layer.guards or []}
    located = {p.get("in") for p in operation.get("parameters", [])}
    has_body = "requestBody" in operation
    writes = method.upper() not in SAFE_METHODS

    statuses = {503}  # any call may find the database away
    if has_body or located & {"path", "query"}:
        statuses.add(400)  # msgspec / Litestar refuse a malformed body, path or query; asyncpg refuses bad text
    if has_body:
        statuses.add(413)
    if has_body or free_form_query(operation):
        statuses.add(422)  # services check content beyond its type: codes, dates and ranges, text
    if "path" in located or "area" in required_inputs(operation, schemas):
        statuses.add(404)  # the path or a required `area` names something absent or outside the caller's area
    if requires_login(handler):
        statuses.add(401)
        changes = writes and not handler.opt.get("any_role")  # any_role posts (logout, reconcile) change no record
        if changes and read_only_officials in guards:
            statuses.add(403)  # officials' writes; a role a service refuses (admins only) is in opt problems
        if changes and (has_body or "path" in located):
            statuses |= {409, 422}  # a change the current state refuses; a record that does not allow it
    statuses.update(handler.opt.get(OPT_PROBLEMS, ()))
    return statuses


def _problem_response(status: int) -> dict[str, Any]:
    schema = {"allOf": [{"$ref": "#/components/schemas/Problem"}, {"properties": {"status": {"const": status}}}]}
    return {"description": DESCRIPTIONS.get(status, "问题详情"), "content": {PROBLEM_JSON: {"schema": schema}}}


def _document_formats(handler: HTTPRouteHandler, operation: dict[str, Any]) -> None:
    """A `format` query picks the media type of every answer that is not a problem; `Response[bytes]` is a file."""
    formats: list[str] = []
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("name") == "format":
            formats = [f for f in parameter.get("schema", {}).get("enum", []) if f in FILE_MEDIA_TYPES]
    inner = handler.parsed_fn_signature.return_type.inner_types
    if not formats and inner and inner[0].annotation is bytes:
        formats = ["xlsx"]
    for response in operation.get("responses", {}).values():
        content = response.get("content") or {}
        if not content:
            continue
        data = content.get("application/json", {}).get("schema", {})
        response["content"] = {
            FILE_MEDIA_TYPES[f]: {"schema": data if f == "json" else {"type": "string", "format": "binary"}}
            for f in formats
        } or content


def _document_operation(
    handler: HTTPRouteHandler, method: str, operation: dict[str, Any], schemas: dict[str, Any]
) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("400", None)  # Litestar's generic ValidationException body; ours is a problem
    _document_formats(handler, operation)
    for status in sorted(problem_statuses(handler, method, operation, schemas)):
        existing = responses.get(str(status))
        if existing is None:
            responses[str(status)] = _problem_response(status)
        else:  # a handler that documents its own body for this status (e.g. a report) may still answer a problem
            existing.setdefault("content", {})[PROBLEM_JSON] = _problem_response(status)["content"][PROBLEM_JSON]
    if requires_login(handler):
        operation["security"] = [{BEARER: []}]


def document_problems(app: Litestar, schema: dict[str, Any]) -> dict[str, Any]:
    """Complete the generated document in place (once) with every /api/v1 operation's problem answers."""
    components = schema.setdefault("components", {})
    if "Problem" in components.setdefault("schemas", {}):
        return schema
    components["schemas"]["Problem"] = PROBLEM_SCHEMA
    components.setdefault("securitySchemes", {})[BEARER] = BEARER_SCHEME
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path_format.startswith(API_PREFIX):
            continue
        operations = schema.get("paths", {}).get(route.path_format, {})
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method.lower() in operations:
                    _document_operation(handler, method, operations[method.lower()], components["schemas"])
    _forbid_unknown_fields(app, components["schemas"])
    _overlapping_unions_to_any_of(schema)
    return schema


def _forbid_unknown_fields(app: Litestar, schemas: dict[str, Any]) -> None:
    """Request Structs declared `forbid_unknown_fields=True` refuse extra keys (400): say so in their schemas."""
    strict: set[str] = set()
    for route in app.routes:
        for handler in route.route_handlers if isinstance(route, HTTPRoute) else []:
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                _collect_strict_structs(msgspec.inspect.type_info(data.annotation), strict)
    for component in schemas.values():
        if component.get("type") == "object" and component.get("title") in strict:
            component["additionalProperties"] = False


def _collect_strict_structs(node: msgspec.inspect.Type, names: set[str]) -> None:
    if isinstance(node, msgspec.inspect.StructType):
        if node.cls.__name__ in names or not node.forbid_unknown_fields:
            return
        names.add(node.cls.__name__)
        children = [f.type for f in node.fields]
    else:
        children = [getattr(node, a) for a in ("item_type", "key_type", "value_type") if hasattr(node, a)]
        children += [*getattr(node, "types", ()), *getattr(node, "item_types", ())]
    for child in children:
        _collect_strict_structs(child, names)


def _overlapping_unions_to_any_of(node: Any) -> None:
    """Litestar writes every union as `oneOf`; `int | float` overlap (an integer is a number), so use `anyOf`."""
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list):
            types = {b.get("type") for b in branches if isinstance(b, dict)}
            if {"integer", "number"} <= types:
                node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _overlapping_unions_to_any_of(value)
    elif isinstance(node, list):
        for value in node:
            _overlapping_unions_to_any_of(value)


class DocumentedJsonRenderPlugin(JsonRenderPlugin):
    """Serves /schema/openapi.json completed by `document_problems` (the document is built on first request)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return self.render_json(request, document_problems(request.app, openapi_schema))
