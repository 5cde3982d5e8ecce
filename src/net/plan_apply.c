/*
 * net: applying an MTU plan on the live pool, its journal, resume and
 * rollback.
 *
 * Journal: JSON lines, appended and fsync'ed. The first line holds the whole
 * plan ({"journal": "ktriage-net-plan", "version": 1, "plan": {...}}), then
 * one line before ({"step": N, "event": "begin"}) and one after
 * ("ok" / "failed") each step, "undone" lines from a rollback, and
 * "stopped" / "complete". Step numbers are the plan's (1-based).
 * A step that began without a result may have half-run: rollback undoes it
 * with failures tolerated. Every command runs through ops->run (exec, no
 * shell) under `timeout` (coreutils; its own process group, so a ^C at the
 * terminal reaches ktriage only, which finishes the step and stops).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/inventory.h"
#include "net/plan.h"
#include "util/ctx.h"
#include "util/mem.h"
#include "util/str.h"

#define DEFAULT_TIMEOUT 300
#define EVACUATE_FACTOR 10
#define MAX_SHOWN_OUTPUT 4000

enum { ST_NONE, ST_BEGUN, ST_OK, ST_FAILED, ST_UNDONE };

struct journal {
	int fd;			/* -1: no journal */
};

static int
jwrite(struct kt_ctx *ctx, struct journal *jr, json_t *line)
{
	char *s;
	size_t len;
	int err = 0;

	if (jr->fd < 0) {
		json_decref(line);
		return 0;
	}
	s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (!s)
		return kt_error(ctx, KT_EIO, "journal: cannot encode a line");
	len = strlen(s);
	s[len] = '\n';	/* json_dumps leaves room for the NUL: replace it */
	if (write(jr->fd, s, len + 1) != (ssize_t)(len + 1) || fsync(jr->fd) != 0)
		err = kt_error(ctx, KT_EIO, "journal: write failed: %s", strerror(errno));
	free(s);
	return err;
}

static int
jevent(struct kt_ctx *ctx, struct journal *jr, size_t index, const char *event, int status,
       const char *output)
{
	json_t *o = json_pack("{s:I, s:s}", "step", (json_int_t)(index + 1), "event", event);

	if (status >= 0)
		json_object_set_new(o, "status", json_integer(status));
	if (output && *output)
		json_object_set_new(o, "output", json_stringn(output, strnlen(output, MAX_SHOWN_OUTPUT)));
	return jwrite(ctx, jr, o);
}

static int
jopen(struct kt_ctx *ctx, const char *path, const struct kt_net_plan *plan, bool append,
      struct journal *jr)
{
	off_t size;

	jr->fd = -1;
	if (!path)
		return 0;
	jr->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (jr->fd < 0)
		return kt_error(ctx, KT_EIO, "journal %s: %s", path, strerror(errno));
	size = lseek(jr->fd, 0, SEEK_END);
	if (size > 0 && !append)
		return kt_error(ctx, KT_EINVAL, "journal %s already exists: resume it (--resume) or "
				"give a new --journal", path);
	if (size == 0 && plan)
		return jwrite(ctx, jr, json_pack("{s:s, s:i, s:o}", "journal", "ktriage-net-plan",
						 "version", 1, "plan", kt_net_plan_to_json(plan)));
	return 0;
}

static void
jclose(struct journal *jr)
{
	if (jr->fd >= 0)
		close(jr->fd);
	jr->fd = -1;
}

/* ---- running commands ---- */

static bool
is_utf8_safe(char c)
{
	return (unsigned char)c >= 0x20 || c == '\n' || c == '\t';
}

/* Keep the output printable (it goes to the terminal and the journal). */
static void
sanitize(char *s)
{
	for (; s && *s; s++)
		if (!is_utf8_safe(*s))
			*s = '?';
}

static int
run_cmd(const struct kt_host_ops *ops, const char *const *argv, int timeout, char **out,
	int *status)
{
	const char *wrapped[72];
	char secs[16];
	size_t n = 0;
	int err;

	if (timeout <= 0)
		timeout = DEFAULT_TIMEOUT;
	if (argv[1] && (strcmp(argv[1], "host-evacuate") == 0 || strcmp(argv[1], "vm-migrate") == 0))
		timeout *= EVACUATE_FACTOR;
	(void)snprintf(secs, sizeof(secs), "%d", timeout);
	wrapped[n++] = "timeout";
	wrapped[n++] = "-k";
	wrapped[n++] = "10";
	wrapped[n++] = secs;
	for (size_t i = 0; argv[i] && n < 71; i++)
		wrapped[n++] = argv[i];
	wrapped[n] = NULL;
	*out = NULL;
	err = ops->run(ops->userdata, wrapped, 1u << 20, out, status);
	if (err == KT_ENOTFOUND) {
		free(*out);
		*out = NULL;
		err = ops->run(ops->userdata, argv, 1u << 20, out, status);
	}
	if (!err)
		sanitize(*out);
	return err;
}

/* ---- checks ---- */

static bool
in_list(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool
same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int
ping_ok(const struct kt_host_ops *ops, const char *addr, int size, bool *ret)
{
	char sz[16];
	const char *argv[] = { "ping", "-M", "do", "-s", sz, "-c", "3", "-W", "2", "-w", "10",
			       addr, NULL };
	char *out = NULL;
	int status = -1, err;

	(void)snprintf(sz, sizeof(sz), "%d", size);
	err = ops->run(ops->userdata, argv, 1u << 16, &out, &status);
	free(out);
	*ret = !err && status == 0;
	return err;
}

/* Re-read the pool and compare it with what the plan expects here. */
static int
run_check(struct kt_ctx *ctx, const struct kt_host_ops *ops, const struct kt_net_plan *plan,
	  const struct kt_plan_check *c, struct kt_buf *why)
{
	struct kt_net_inventory *inv = NULL;
	const struct kt_net_iface *pif = NULL;
	int err;

	err = kt_net_inventory_new(ctx, &inv);
	if (!err)
		err = kt_net_inventory_xe_light(ctx, ops, inv);
	if (err) {
		kt_buf_printf(why, "cannot re-read the pool: %s", kt_ctx_errmsg(ctx));
		kt_net_inventory_free(inv);
		return KT_EIO;
	}
	for (size_t i = 0; i < inv->n_ifaces; i++)
		if (same(inv->ifaces[i].uuid, c->pif_uuid))
			pif = &inv->ifaces[i];
	if (!pif || !same(pif->network_uuid, plan->network_uuid))
		kt_buf_printf(why, "PIF %s is no longer on network %s; ", c->pif_uuid, plan->network_uuid);
	else {
		if (!pif->attached)
			kt_buf_printf(why, "PIF %s is not attached; ", c->pif_uuid);
		if (pif->mtu != c->pif_mtu)
			kt_buf_printf(why, "PIF %s has MTU %d, the plan expects %d; ", c->pif_uuid, pif->mtu,
				      c->pif_mtu);
	}
	if (inv->ha_enabled != c->ha_enabled)
		kt_buf_printf(why, "HA is %s, the plan expects it %s; ", inv->ha_enabled ? "on" : "off",
			      c->ha_enabled ? "on" : "off");
	for (size_t k = 0; k < c->n_pbds; k++) {
		bool plugged = false;

		for (size_t i = 0; i < inv->n_pbds; i++)
			if (same(inv->pbds[i].uuid, c->pbds[k]))
				plugged = inv->pbds[i].attached;
		if (!plugged)
			kt_buf_printf(why, "PBD %s is not plugged; ", c->pbds[k]);
	}
	if (!c->after) {
		/* no VIF on the network running on this host that the plan does not know */
		for (size_t i = 0; i < inv->n_vifs; i++) {
			const struct kt_net_vif *v = &inv->vifs[i];
			bool here = false;

			if (!v->attached || !same(v->network_uuid, plan->network_uuid))
				continue;
			for (size_t k = 0; k < inv->n_vms; k++)
				if (same(inv->vms[k].uuid, v->vm_uuid) && inv->vms[k].running)
					here = same(inv->vms[k].host_uuid, c->host_uuid);
			if (here && !in_list(c->vifs, c->n_vifs, v->uuid))
				kt_buf_printf(why, "VIF %s of VM %s runs on this host and is not in the plan; ",
					      v->uuid, v->vm_name ? v->vm_name : "?");
		}
	}
	kt_net_inventory_free(inv);
	for (size_t k = 0; why->len == 0 && k < c->n_pings; k++) {
		bool fits, over;

		if (ping_ok(ops, c->pings[k], c->pif_mtu - 28, &fits) == KT_ENOTFOUND) {
			kt_buf_printf(why, "'ping' is not on PATH; ");
			break;
		}
		(void)ping_ok(ops, c->pings[k], c->pif_mtu - 27, &over);
		if (!fits)
			kt_buf_printf(why, "DF ping of %d bytes to %s fails: the path does not carry MTU %d; ",
				      c->pif_mtu - 28, c->pings[k], c->pif_mtu);
		if (over)
			kt_buf_printf(why, "DF ping of %d bytes to %s passes: the path MTU is above %d "
				      "(a peer not changed yet?); ", c->pif_mtu - 27, c->pings[k], c->pif_mtu);
	}
	return why->len ? KT_EIO : 0;
}

/* ---- apply ---- */

static void
progress(const struct kt_net_apply_opts *o, size_t i, const struct kt_plan_step *s, int status,
	 const char *out)
{
	if (o->progress)
		o->progress(o->userdata, i, s, status, out);
}

static int
apply_step(struct kt_ctx *ctx, const struct kt_host_ops *ops, const struct kt_net_plan *plan,
	   const struct kt_net_apply_opts *o, struct journal *jr, size_t i)
{
	const struct kt_plan_step *s = &plan->steps[i];
	char *out = NULL;
	int status = -1, err;

	switch (s->kind) {
	case KT_PLAN_RUN:
		break;
	case KT_PLAN_MANUAL:
		progress(o, i, s, -1, NULL);
		if (o->manual && !o->manual(o->userdata, i, s)) {
			progress(o, i, s, 1, "not confirmed");
			(void)jevent(ctx, jr, i, "failed", 1, "manual step not confirmed");
			return kt_error(ctx, KT_EIO, "step %zu (manual) was not confirmed", i + 1);
		}
		progress(o, i, s, 0, NULL);
		return jevent(ctx, jr, i, "ok", 0, NULL);
	case KT_PLAN_CHECK: {
		struct kt_buf why;

		kt_buf_init(&why);
		progress(o, i, s, -1, NULL);
		err = jevent(ctx, jr, i, "begin", -1, NULL);
		if (!err)
			err = run_check(ctx, ops, plan, s->check, &why);
		progress(o, i, s, err ? 1 : 0, why.p);
		if (err) {
			(void)jevent(ctx, jr, i, "failed", 1, why.p);
			err = kt_error(ctx, KT_EIO, "step %zu: the pool is not as planned: %s", i + 1,
				       why.p ? why.p : "?");
		} else {
			err = jevent(ctx, jr, i, "ok", 0, NULL);
		}
		kt_buf_deinit(&why);
		return err;
	}
	default:
		return 0;	/* VERIFY: shown, run by the operator */
	}
	progress(o, i, s, -1, NULL);
	err = jevent(ctx, jr, i, "begin", -1, NULL);
	if (err)
		return err;
	err = run_cmd(ops, s->argv, o->timeout, &out, &status);
	if (err) {
		progress(o, i, s, 127, NULL);
		(void)jevent(ctx, jr, i, "failed", 127, "could not start");
		return kt_error(ctx, KT_EIO, "step %zu: cannot run '%s %s': %s", i + 1, s->argv[0],
				s->argv[1] ? s->argv[1] : "", kt_strerror(err));
	}
	progress(o, i, s, status, out);
	if (status != 0) {
		(void)jevent(ctx, jr, i, "failed", status, out);
		err = kt_error(ctx, KT_EIO, "step %zu: '%s %s' failed with exit status %d%s%s", i + 1,
			       s->argv[0], s->argv[1] ? s->argv[1] : "", status,
			       status == 124 ? " (timed out)" : "", out && *out ? ": see its output above" : "");
	} else {
		err = jevent(ctx, jr, i, "ok", 0, NULL);
	}
	free(out);
	return err;
}

int
kt_net_plan_apply2(struct kt_ctx *ctx, const struct kt_host_ops *ops,
		   const struct kt_net_plan *plan, const struct kt_net_apply_opts *o,
		   size_t *ret_done)
{
	struct journal jr;
	int err;

	*ret_done = o->first;
	if (kt_net_plan_refused(plan))
		return kt_error(ctx, KT_EINVAL, "the plan is refused (%zu reason(s)); --force overrides",
				plan->n_refusals);
	if (!ops->run)
		return kt_error(ctx, KT_EUNSUPPORTED, "these host ops cannot run commands");
	err = jopen(ctx, o->journal, plan, o->resume, &jr);
	if (err) {
		jclose(&jr);
		return err;
	}
	for (size_t i = o->first; i < plan->n_steps; i++) {
		*ret_done = i;
		err = apply_step(ctx, ops, plan, o, &jr, i);
		if (err)
			break;
		*ret_done = i + 1;
		if (o->stop && *o->stop && i + 1 < plan->n_steps) {
			(void)jwrite(ctx, &jr, json_pack("{s:s, s:I}", "event", "stopped", "after",
							 (json_int_t)(i + 1)));
			err = kt_error(ctx, KT_EIO, "interrupted: stopped cleanly after step %zu", i + 1);
			break;
		}
	}
	if (!err)
		err = jwrite(ctx, &jr, json_pack("{s:s}", "event", "complete"));
	jclose(&jr);
	return err;
}

static void
legacy_progress(void *ud, size_t i, const struct kt_plan_step *s, int status, const char *out)
{
	(void)ud;
	(void)i;
	(void)s;
	(void)status;
	(void)out;
}

int
kt_net_plan_apply(struct kt_ctx *ctx, const struct kt_host_ops *ops,
		  const struct kt_net_plan *plan, kt_plan_progress_fn fn, void *userdata,
		  size_t *ret_done)
{
	struct kt_net_plan only_run = *plan;
	struct kt_net_apply_opts o = { .progress = fn ? fn : legacy_progress, .userdata = userdata };
	struct kt_plan_step *steps = kt_calloc(plan->n_steps + 1, sizeof(*steps));
	size_t n = 0, done = 0;
	int err;

	/* RUN steps only; *ret_done in the plan's numbering */
	for (size_t i = 0; i < plan->n_steps; i++)
		if (plan->steps[i].kind == KT_PLAN_RUN)
			steps[n++] = plan->steps[i];
	only_run.steps = steps;
	only_run.n_steps = n;
	only_run.forced = true;
	err = kt_net_plan_apply2(ctx, ops, &only_run, &o, &done);
	*ret_done = plan->n_steps;
	for (size_t i = 0, k = 0; err && i < plan->n_steps; i++)
		if (plan->steps[i].kind == KT_PLAN_RUN && k++ == done) {
			*ret_done = i;
			break;
		}
	free(steps);
	return err;
}

/* ---- journal read back, rollback ---- */

int
kt_net_journal_load(struct kt_ctx *ctx, const char *path, struct kt_net_journal **ret)
{
	FILE *f = fopen(path, "re");
	struct kt_net_journal *j;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int err = 0;

	if (!f)
		return kt_error(ctx, errno == ENOENT ? KT_ENOTFOUND : KT_EIO, "journal %s: %s", path,
				strerror(errno));
	j = kt_calloc(1, sizeof(*j));
	while (!err && (len = getline(&line, &cap, f)) > 0) {
		json_error_t e;
		json_t *o;

		lineno++;
		if (len > (1 << 24)) {
			err = kt_error(ctx, KT_EFORMAT, "%s:%zu: line too long", path, lineno);
			break;
		}
		o = json_loads(line, 0, &e);
		if (!o) {
			/* a torn last line (crash mid-write) is ignored */
			if (!feof(f) || line[len - 1] == '\n')
				err = kt_error(ctx, KT_EFORMAT, "%s:%zu: %s", path, lineno, e.text);
			break;
		}
		if (lineno == 1) {
			if (!json_is_string(json_object_get(o, "journal")) ||
			    strcmp(json_string_value(json_object_get(o, "journal")), "ktriage-net-plan") != 0)
				err = kt_error(ctx, KT_EFORMAT, "%s: not a ktriage net plan journal", path);
			else
				err = kt_net_plan_from_jobj(ctx, json_object_get(o, "plan"), &j->plan);
			if (!err) {
				j->n_steps = j->plan->n_steps;
				j->state = kt_calloc(j->n_steps + 1, 1);
			}
		} else {
			json_int_t n = json_integer_value(json_object_get(o, "step"));
			const char *ev = json_string_value(json_object_get(o, "event"));

			if (!ev)
				err = kt_error(ctx, KT_EFORMAT, "%s:%zu: no event", path, lineno);
			else if (strcmp(ev, "complete") == 0)
				j->complete = true;
			else if (strcmp(ev, "stopped") == 0)
				j->complete = false;
			else if (n < 1 || (size_t)n > j->n_steps)
				err = kt_error(ctx, KT_EFORMAT, "%s:%zu: step %lld out of range", path, lineno,
					       (long long)n);
			else if (strcmp(ev, "begin") == 0) {
				j->state[n - 1] = ST_BEGUN;
				j->complete = false;
			} else if (strcmp(ev, "ok") == 0)
				j->state[n - 1] = ST_OK;
			else if (strcmp(ev, "failed") == 0)
				j->state[n - 1] = ST_FAILED;
			else if (strcmp(ev, "undone") == 0)
				j->state[n - 1] = ST_UNDONE;
		}
		json_decref(o);
	}
	free(line);
	fclose(f);
	if (!err && !j->plan)
		err = kt_error(ctx, KT_EFORMAT, "%s: empty journal", path);
	if (err) {
		kt_net_journal_free(j);
		return err;
	}
	*ret = j;
	return 0;
}

void
kt_net_journal_free(struct kt_net_journal *j)
{
	if (!j)
		return;
	kt_net_plan_free(j->plan);
	free(j->state);
	free(j);
}

size_t
kt_net_journal_resume_index(const struct kt_net_journal *j)
{
	size_t i = 0;

	while (i < j->n_steps && (j->state[i] == ST_OK || j->plan->steps[i].kind == KT_PLAN_VERIFY))
		i++;
	return i;
}

int
kt_net_plan_rollback(struct kt_ctx *ctx, const struct kt_host_ops *ops, const char *path,
		     struct kt_net_journal *j, const struct kt_net_apply_opts *o)
{
	struct journal jr;
	int err;

	if (!ops->run)
		return kt_error(ctx, KT_EUNSUPPORTED, "these host ops cannot run commands");
	err = jopen(ctx, path, NULL, true, &jr);
	for (size_t i = j->n_steps; !err && i-- > 0;) {
		const struct kt_plan_step *s = &j->plan->steps[i];
		bool certain = j->state[i] == ST_OK;

		if (j->state[i] == ST_NONE || j->state[i] == ST_UNDONE || s->kind != KT_PLAN_RUN)
			continue;
		for (size_t k = 0; k < s->n_undo; k++) {
			struct kt_plan_step shown = *s;
			char *out = NULL;
			int status = -1;

			shown.argv = s->undo[k];
			progress(o, i, &shown, -1, NULL);
			err = run_cmd(ops, s->undo[k], o->timeout, &out, &status);
			progress(o, i, &shown, err ? 127 : status, out);
			if ((err || status != 0) && certain) {
				(void)jevent(ctx, &jr, i, "undo-failed", err ? 127 : status, out);
				err = kt_error(ctx, KT_EIO, "undoing step %zu: '%s %s' failed%s", i + 1,
					       s->undo[k][0], s->undo[k][1] ? s->undo[k][1] : "",
					       out && *out ? ": see its output above" : "");
				free(out);
				break;
			}
			/* a step that failed or was cut off may not have run:
			 * its undo may fail, and that is fine */
			err = 0;
			free(out);
		}
		if (!err) {
			err = jevent(ctx, &jr, i, "undone", -1, NULL);
			j->state[i] = ST_UNDONE;
		}
		if (!err && o->stop && *o->stop) {
			err = kt_error(ctx, KT_EIO, "interrupted: rollback stopped cleanly after undoing "
				       "step %zu; run --rollback again to go on", i + 1);
			break;
		}
	}
	jclose(&jr);
	return err;
}

char *
kt_net_plan_rollback_text(const struct kt_net_plan *plan, size_t done)
{
	struct kt_buf b;
	size_t n = 0;

	kt_buf_init(&b);
	if (done > plan->n_steps)
		done = plan->n_steps;
	kt_buf_adds(&b, "To roll back what was done, run in this order (or use --rollback JOURNAL):\n");
	for (size_t i = done; i-- > 0;) {
		const struct kt_plan_step *s = &plan->steps[i];

		if (s->kind != KT_PLAN_RUN)
			continue;
		for (size_t k = 0; k < s->n_undo; k++) {
			char *t = kt_net_argv_text(s->undo[k]);

			kt_buf_printf(&b, "  %zu. $ %s   (undoes step %zu)\n", ++n, t, i + 1);
			free(t);
		}
	}
	if (n == 0)
		kt_buf_adds(&b, "  nothing: no step changed anything\n");
	return b.p;
}
