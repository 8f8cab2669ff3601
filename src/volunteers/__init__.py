"""volunteers: a registry for volunteer service and civilisation-practice work."""

__all__: list[str] = []
