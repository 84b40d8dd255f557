#!/usr/bin/env bash
# Back up the hub's PostgreSQL database to one file (pg_dump's custom format, compressed).
#   deploy/backup.sh postgresql://hub@db.internal:5432/hub /var/backups/hub/hub-$(date +%F).dump
# Connection details may also come from the usual PG* variables and ~/.pgpass.
set -euo pipefail
url=${1:?usage: backup.sh DATABASE_URL OUTPUT_FILE}
out=${2:?usage: backup.sh DATABASE_URL OUTPUT_FILE}
url=${url/postgresql+psycopg:/postgresql:}
umask 077  # the dump holds encrypted secrets and the audit log: owner only
tmp="$out.partial"
# One consistent snapshot; no owners or grants, so it restores under another role.
pg_dump --format=custom --no-owner --no-privileges --file="$tmp" "$url"
pg_restore --list "$tmp" > /dev/null  # readable before it replaces anything
mv "$tmp" "$out"
echo "backup written to $out ($(du -h "$out" | cut -f1))"
