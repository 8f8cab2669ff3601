"""Drop the masked ID numbers: beside the stored birth date they spelled the whole number in clear.

Audit entries written before kept the same mask beside the birth date in their before/after images;
the mask goes from those too (whether a number was on file stays, as `has_id_number`).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T16:00:00:000010"
VERSION = "1.38.0"
DESCRIPTION = "Drop volunteer.id_number_masked (first 6 + last 4 characters); the ciphertext and keyed hash stay."


async def forget_masks_in_the_audit_trail() -> None:
    """Replace `id_number` (the mask) by `has_id_number` in every volunteer's audit images."""
    for image in ("before", "after"):
        await engine_finder().run_ddl(
            f"UPDATE audit_entry SET {image} = ({image} - 'id_number')"
            f" || jsonb_build_object('has_id_number', {image}->'id_number' <> 'null'::jsonb)"
            f" WHERE entity = 'volunteer' AND jsonb_typeof({image}) = 'object' AND {image} ? 'id_number'"
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="people", description=DESCRIPTION)
    manager.add_raw(forget_masks_in_the_audit_trail)
    manager.drop_column(
        table_class_name="Volunteer",
        tablename="volunteer",
        column_name="id_number_masked",
        db_column_name="id_number_masked",
        schema=None,
    )
    return manager
