"""Excel and CSV in and out: imports of volunteers, teams, memberships, activities and service records, and exports.

The entry points are `imports.run_import` (the kinds are `columns.KINDS`) and the `exports` module. This
package's own module imports nothing, so `transfer.kinds.*`, which import their sibling modules through
it (`from volunteers.transfer import cells`), never import it back.
"""

__all__: list[str] = []
