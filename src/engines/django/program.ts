/**
 * The program the Django engine runs inside the app's own image, through `manage.py shell -c`: Django reads
 * its own settings, so nothing of stepback (no Node) is needed there. It reads one JSON request from the
 * environment (STEPBACK_DJANGO) and prints one result line starting with RESULT_PREFIX on stdout; progress
 * goes to stderr. Operations:
 * - `graph`: every migration in Django's plan order (as `showmigrations --plan` lists them), with its file's
 *   checksum, `atomic`, the operations that are not reversible (RunPython without reverse_code, RunSQL
 *   without reverse_sql, custom operations declaring so), graph parents and `replaces`; and each app's leaves.
 *   Built by MigrationLoader without a database connection.
 * - `status`: the graph and django_migrations' rows in id order.
 * - `up`: Django's own migrate command (signals included), under stepback's session advisory lock taken on
 *   Django's connection, timing each migration through the command's progress callback.
 * - `down`: all targets handed to Django's planner at once; refused before any change when the plan would
 *   apply anything, differs from the set stepback expects, or holds an irreversible operation.
 * The lock key is lockKey() of src/migrate/lock.ts computed the same way, so a Django run and a stepback run
 * on one database exclude each other. With `audit` in the request, `up` and `down` keep stepback's audit
 * trail: stepback's tables are made when missing (the DDL of migrate/state.ts, sent with the request), and
 * each migration Django commits, forwards or backwards, and each failure, gets its row in stepback_events
 * (release, run id and actor from STEPBACK_RUN_ID / STEPBACK_ACTOR, duration), written right after Django's
 * own commit. django_migrations is only ever written by Django.
 *
 * It travels in an ECS container override (8 KiB in all), so what is sent is DJANGO_COMMAND: the program
 * deflated and base64-encoded behind a one-line `exec` (about half the size; the task's log still shows
 * every step the program prints).
 */
import { deflateSync } from 'node:zlib';
export const RESULT_PREFIX = 'stepback-django ';

const DJANGO_PROGRAM = String.raw`import base64, hashlib, json, os, sys, time, zlib
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
R = json.loads(os.environ["STEPBACK_DJANGO"])
db = connections["default"]
def red(t):
    p = db.settings_dict.get("PASSWORD") or ""
    return t.replace(p, "***") if p else t
def out(**doc):
    sys.stdout.write("stepback-django " + red(json.dumps(doc)) + "\n")
    sys.stdout.flush()
A = R.get("audit")
def ev(kind, n, error=None, detail=None):
    if A:
        with db.cursor() as c:
            c.execute("insert into " + A["events"] + " (kind, name, release, run_id, actor, runner_version, error, detail) values (%s, %s, %s, %s, %s, %s, %s, %s)", [kind, n, A["release"], os.environ.get("STEPBACK_RUN_ID") or None, os.environ.get("STEPBACK_ACTOR") or None, A["version"], error, json.dumps(detail) if detail else None])
def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
def nm(k):
    return k[0] + "." + k[1]
def graph():
    g = MigrationLoader(None, ignore_no_migrations=True).graph
    seen, nodes = set(), []
    for leaf in g.leaf_nodes():
        for k in g.forwards_plan(leaf):
            if k in seen:
                continue
            seen.add(k)
            m = g.nodes[k]
            f = sys.modules[type(m).__module__].__file__
            with open(f, "rb") as fh:
                digest = "sha256:" + hashlib.sha256(fh.read()).hexdigest()
            bad = [type(o).__name__ for o in m.operations if not o.reversible]
            nodes.append({"name": nm(k), "checksum": digest, "atomic": m.atomic, "irreversible": bad,
                          "dependencies": sorted(nm(p.key) for p in g.node_map[k].parents),
                          "replaces": [nm(r) for r in m.replaces]})
    leaves = {}
    for k in g.leaf_nodes():
        leaves.setdefault(k[0], []).append(nm(k))
    return {"nodes": nodes, "leaves": leaves}
def rows():
    with db.cursor() as c:
        if "django_migrations" not in db.introspection.table_names(c):
            return []
        c.execute("select app, name, applied from django_migrations order by id")
        return [{"name": a + "." + n, "appliedAt": t.isoformat()} for a, n, t in c.fetchall()]
def lock():
    key = hashlib.sha256(("stepback\0" + db.settings_dict["NAME"] + "\0" + R["schema"] + "\0" + R["table"]).encode()).digest()
    k = [int.from_bytes(key[0:4], "big") & 0x7FFFFFFF, int.from_bytes(key[4:8], "big") & 0x7FFFFFFF]
    start, said = time.monotonic(), 0
    with db.cursor() as c:
        while True:
            c.execute("select pg_try_advisory_lock(%s, %s)", k)
            if c.fetchone()[0]:
                return k
            c.execute("select a.pid, a.application_name, a.client_addr::text, a.backend_start from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted and l.classid = %s::bigint::oid and l.objid = %s::bigint::oid and l.objsubid = 2 limit 1", k)
            h = c.fetchone()
            who = "pid %s, application \"%s\", client %s, connected since %s" % (h[0], h[1], h[2] or "local socket", h[3].isoformat()) if h else "a session that just ended"
            waited = time.monotonic() - start
            if waited * 1000 >= R["lockTimeoutMs"]:
                raise LockTimeout("the migration lock was not acquired within %d s; it is held by %s" % (round(R["lockTimeoutMs"] / 1000), who))
            if waited - said >= 5:
                said = waited
                log("waiting for the migration lock, held by " + who)
            time.sleep(0.25)
class LockTimeout(Exception):
    pass
class Refused(Exception):
    pass
def safe_rows():
    try:
        return rows()
    except Exception:
        return None
def run():
    k = lock()
    if A:
        with db.cursor() as c:
            c.execute(zlib.decompress(base64.b64decode(A["ddl"])).decode())
    done, marks, failed = [], {}, [None]
    def progress(action, migration=None, fake=False):
        if migration is None:
            return
        n, now = migration.app_label + "." + migration.name, time.monotonic()
        if action.endswith("_start"):
            marks[n] = now
            failed[0] = n
            log(("applying " if action == "apply_start" else "reverting ") + n)
        elif action.endswith("_success"):
            d = round((now - marks[n]) * 1000, 1)
            done.append({"name": n, "durationMs": d})
            failed[0] = None
            ev("apply" if action == "apply_success" else "revert", n, detail={"durationMs": d, "engine": "django"})
    try:
        if R["op"] == "up":
            from django.core.management import call_command
            from django.core.management.commands.migrate import Command
            class Migrate(Command):
                def migration_progress_callback(self, action, migration=None, fake=False):
                    progress(action, migration, fake)
            call_command(Migrate(), interactive=False, verbosity=0)
        else:
            ex = MigrationExecutor(db, progress)
            targets = [(t[0], t[1]) for t in R["targets"]]
            plan = ex.migration_plan(targets)
            names = [nm((m.app_label, m.name)) for m, back in plan]
            if any(not back for m, back in plan):
                raise Refused("the targets would apply " + ", ".join(n for (m, back), n in zip(plan, names) if not back) + ": the database is behind the plan")
            if sorted(names) != sorted(R["expect"]):
                raise Refused("Django would unapply [" + ", ".join(names) + "] but the plan expects [" + ", ".join(R["expect"]) + "]: the database changed since the plan was made")
            bad = [n + " (" + type(o).__name__ + ")" for (m, back), n in zip(plan, names) for o in m.operations if not o.reversible]
            if bad:
                raise Refused("irreversible: " + ", ".join(bad))
            ex.migrate(targets, plan=plan)
        out(ok=True, done=done, applied=rows())
    except Exception as e:
        code = 4 if isinstance(e, LockTimeout) else 3 if isinstance(e, Refused) else 1
        msg = type(e).__name__ + ": " + str(e)
        if code == 1:
            try:
                ev("failure", failed[0], red(msg), {"direction": "up" if R["op"] == "up" else "down", "engine": "django"})
            except Exception:
                pass
        out(ok=False, exitCode=code, done=done, failed=failed[0], error=msg, applied=safe_rows())
    finally:
        with db.cursor() as c:
            c.execute("select pg_advisory_unlock(%s, %s)", k)
try:
    if R["op"] == "graph":
        out(ok=True, graph=graph())
    elif R["op"] == "status":
        out(ok=True, graph=graph(), applied=rows())
    else:
        run()
except Exception as e:
    out(ok=False, exitCode=4 if isinstance(e, LockTimeout) else 1, error=type(e).__name__ + ": " + str(e))
`;

/** `text` deflated and base64-encoded, as the program unpacks it (zlib format, Python's zlib.decompress). */
export function pack(text: string): string {
  return deflateSync(text, { level: 9 }).toString('base64');
}

/** The `-c` argument of `manage.py shell`: the program, packed (see above). */
export const DJANGO_COMMAND = `import base64, zlib; exec(zlib.decompress(base64.b64decode("${pack(DJANGO_PROGRAM)}")))`;
