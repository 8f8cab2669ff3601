"""Drop the masked ID numbers: beside the stored birth date they spelled the whole number in clear."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-27T16:00:00:000010"
VERSION = "1.38.0"
DESCRIPTION = "Drop volunteer.id_number_masked (first 6 + last 4 characters); the ciphertext and keyed hash stay."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="people", description=DESCRIPTION)
    manager.drop_column(
        table_class_name="Volunteer",
        tablename="volunteer",
        column_name="id_number_masked",
        db_column_name="id_number_masked",
        schema=None,
    )
    return manager
