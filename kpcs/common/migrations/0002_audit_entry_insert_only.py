"""The audit trail is insert-only in the database itself: a row-level trigger refuses every
UPDATE and DELETE of an entry, whoever asks (the application, the admin, a psql session of
the application's role). TRUNCATE is a statement, not a row change, and is left alone: the
test runner empties tables with it, and a restore into a new database never needs it."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION common_auditentry_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or deleted (% of entry %)', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation',
              HINT = 'The audit trail is insert-only; record a new entry instead.';
END;
$$;
CREATE TRIGGER common_auditentry_insert_only
    BEFORE UPDATE OR DELETE ON common_auditentry
    FOR EACH ROW EXECUTE FUNCTION common_auditentry_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS common_auditentry_insert_only ON common_auditentry;
DROP FUNCTION IF EXISTS common_auditentry_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
