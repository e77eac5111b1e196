/**
 * The program a Django rehearsal runs inside the project, through `manage.py shell -c`: one long-lived
 * process, so Django starts once rather than three times per migration. It points Django's default
 * connection at the scratch database it is given (host, port, user, password, name: whatever the project's
 * settings say, the rehearsal never touches the project's own database), makes sure django_migrations
 * exists (so the first fingerprint already holds it), prints a ready line, then reads one request per line
 * on stdin — `{"targets": [[app, name or null], …]}` — and answers each with one result line: Django's own
 * executor migrating to those targets (forwards or backwards), without the migrate command's signals, so
 * only the migrations themselves change the schema. Unlike the deploy program (program.ts) it never
 * travels in an ECS override: it runs where the rehearsal runs.
 */
export const SESSION_PREFIX = 'stepback-django-session ';

export const DJANGO_SESSION_PROGRAM = String.raw`import json, os, sys, time
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
R = json.loads(os.environ["STEPBACK_DJANGO"])
db = connections["default"]
def out(**doc):
    t = json.dumps(doc)
    p = R["db"].get("PASSWORD") or ""
    sys.stdout.write("stepback-django-session " + (t.replace(p, "***") if p else t) + "\n")
    sys.stdout.flush()
def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
try:
    if db.vendor != "postgresql":
        raise Exception("the default database uses the " + db.vendor + " backend; stepback rehearses on PostgreSQL only")
    db.close()
    db.settings_dict.update(R["db"])
    MigrationRecorder(db).ensure_schema()
    out(ok=True, ready=True)
except Exception as e:
    out(ok=False, error=type(e).__name__ + ": " + str(e))
    sys.exit(0)
for line in sys.stdin:
    q = json.loads(line)
    done, marks, cur = [], {}, [None]
    def progress(action, migration=None, fake=False):
        if migration is None:
            return
        n, now = migration.app_label + "." + migration.name, time.monotonic()
        if action.endswith("_start"):
            marks[n], cur[0] = now, n
            log(("applying " if action == "apply_start" else "reverting ") + n)
        elif action.endswith("_success"):
            done.append({"name": n, "durationMs": round((now - marks[n]) * 1000, 1)})
            cur[0] = None
    try:
        ex = MigrationExecutor(db, progress)
        targets = [(t[0], t[1]) for t in q["targets"]]
        ex.migrate(targets, plan=ex.migration_plan(targets))
        out(ok=True, done=done)
    except Exception as e:
        out(ok=False, done=done, failed=cur[0], error=type(e).__name__ + ": " + str(e))
`;
