#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database, then check the audit chain.
#   createdb hub_restored && deploy/restore.sh /var/backups/hub/hub-2026-11-25.dump \
#       postgresql://hub@db.internal:5432/hub_restored
set -euo pipefail
dump=${1:?usage: restore.sh DUMP_FILE DATABASE_URL}
url=${2:?usage: restore.sh DUMP_FILE DATABASE_URL}
url=${url/postgresql+psycopg:/postgresql:}
tables=$(psql --no-psqlrc --tuples-only --quiet --dbname="$url" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "${tables// /}" != "0" ]; then
  echo "restore.sh: $url is not empty; restore into a new database" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$dump"
echo "restored $dump into $url"
HUB_DATABASE_URL="$url" hub audit verify
