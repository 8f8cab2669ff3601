"""What every page of the site shares: the staff login session (session.py) and the templates."""

__all__: list[str] = []
