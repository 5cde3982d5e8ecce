/* Unit tests: the pool MTU plan (steps, management PIFs, HA variant) and
 * its execution through a recording runner that fails on demand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktriage/net.h>

#include "fakeops.h"

static char *
fixture(const char *rel)
{
	const char *root = getenv("KT_SOURCE_ROOT");
	char *p;

	if (!root)
		root = ".";
	p = malloc(strlen(root) + strlen(rel) + 2);
	sprintf(p, "%s/%s", root, rel);
	return p;
}

/* System ops, except pool-list.txt says HA is on. */
static struct kt_host_ops *sys_ops;

static int
ha_read_file(void *ud, const char *path, size_t limit, char **ret, size_t *ret_len)
{
	static const char pool[] = "uuid ( RO)            : 0badf00d-0000-4000-8000-000000000001\n"
				   "    ha-enabled ( RO): true\n";
	size_t len = strlen(path);

	(void)ud;
	if (len >= 13 && strcmp(path + len - 13, "pool-list.txt") == 0) {
		*ret = strdup(pool);
		*ret_len = strlen(pool);
		return 0;
	}
	return sys_ops->read_file(sys_ops->userdata, path, limit, ret, ret_len);
}

static struct kt_net_inventory *
pool(bool ha)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_driver_db *db;
	struct kt_net_inventory *inv;
	char *dir = fixture("tests/host/xe-pool-enic");
	struct kt_host_ops ops;

	sys_ops = kt_host_ops_system_new(NULL);
	ops = *sys_ops;
	if (ha)
		ops.read_file = ha_read_file;
	assert_int_equal(kt_driver_db_load(ctx, &db), 0);
	assert_int_equal(kt_net_inventory_new(ctx, &inv), 0);
	if (kt_net_inventory_xe(ctx, &ops, dir, inv) != 0)
		fail_msg("%s", kt_ctx_errmsg(ctx));
	kt_net_inventory_resolve(inv, db);
	kt_driver_db_free(db);
	kt_host_ops_system_free(sys_ops);
	kt_ctx_free(ctx);
	free(dir);
	return inv;
}

static const struct kt_net_network *
network_named(const struct kt_net_inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n_networks; i++)
		if (strcmp(inv->networks[i].name, name) == 0)
			return &inv->networks[i];
	fail_msg("no network %s", name);
	return NULL;
}

/* Does a RUN step run exactly `sub` with argument `arg`? */
static size_t
count_run(const struct kt_net_plan *p, const char *sub, const char *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_steps; i++) {
		const struct kt_plan_step *s = &p->steps[i];

		if (s->kind != KT_PLAN_RUN)
			continue;
		assert_string_equal(s->argv[0], "xe");	/* only xe runs */
		if (strcmp(s->argv[1], sub) != 0)
			continue;
		for (size_t a = 2; s->argv[a]; a++)
			if (!arg || strcmp(s->argv[a], arg) == 0) {
				n++;
				break;
			}
	}
	return n;
}

static bool
mentions_in_run(const struct kt_net_plan *p, const char *uuid)
{
	for (size_t i = 0; i < p->n_steps; i++)
		for (size_t a = 0; p->steps[i].kind == KT_PLAN_RUN && p->steps[i].argv[a]; a++)
			if (strstr(p->steps[i].argv[a], uuid))
				return true;
	return false;
}

static void
test_storage_plan(void **state)
{
	struct kt_net_inventory *inv = pool(false);
	const struct kt_net_network *st = network_named(inv, "Storage (bond1)");
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_net_plan *p;
	char arg[128];
	size_t pifs = 0, manual;
	char *text;

	(void)state;
	assert_int_equal(kt_net_plan_build(ctx, inv, NULL, "Storage (bond1)", 1500, &p), 0);
	snprintf(arg, sizeof(arg), "uuid=%s", st->uuid);
	assert_int_equal(count_run(p, "network-param-set", arg), 1);
	assert_int_equal(count_run(p, "network-param-set", "MTU=1500"), 1);
	assert_int_equal(count_run(p, "network-param-set", NULL), 1);
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *f = &inv->ifaces[i];

		if (f->management)
			assert_false(mentions_in_run(p, f->uuid));
		if (!f->network_uuid || strcmp(f->network_uuid, st->uuid) != 0)
			continue;
		pifs++;
		snprintf(arg, sizeof(arg), "uuid=%s", f->uuid);
		assert_int_equal(count_run(p, "pif-unplug", arg), 1);
		assert_int_equal(count_run(p, "pif-plug", arg), 1);
	}
	assert_int_equal(pifs, 2);	/* one per host */
	assert_int_equal(count_run(p, "pif-unplug", NULL), 2);
	assert_int_equal(p->old_mtu, 9000);
	text = kt_net_plan_text(p);
	assert_non_null(strstr(text, "ping -M do -s 1472"));
	assert_non_null(strstr(text, "198.51.100.50"));	/* storage: evacuate + pbd-unplug */
	assert_non_null(strstr(text, "xe pbd-unplug"));
	assert_non_null(strstr(text, "db-server"));	/* VIF whose VM is not in vm-list */
	free(text);
	kt_net_plan_free(p);

	/* by uuid works too; the management network never gets an unplug */
	assert_int_equal(kt_net_plan_build(ctx, inv, NULL, network_named(inv,
			 "Pool-wide network associated with eth0")->uuid, 1500, &p), 0);
	assert_int_equal(count_run(p, "pif-unplug", NULL), 0);
	assert_int_equal(count_run(p, "network-param-set", NULL), 1);
	manual = 0;
	for (size_t i = 0; i < p->n_steps; i++)
		manual += p->steps[i].kind == KT_PLAN_MANUAL &&
			  strstr(p->steps[i].text, "is the management interface");
	assert_int_equal(manual, 2);	/* one "reboot in maintenance mode" per host */
	assert_true(kt_net_plan_refused(p));	/* 1500 -> 1500: a no-op */
	assert_string_equal(p->refusals[0].id, "no-op");
	kt_net_plan_free(p);
	kt_net_plan_free(NULL);
	kt_net_inventory_free(inv);
	kt_ctx_free(ctx);
}

static void
test_ha_plan(void **state)
{
	struct kt_net_inventory *inv = pool(true);
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_net_plan *p;

	(void)state;
	assert_true(inv->ha_enabled);
	/* HA on, and its heartbeat SR unknown (no ha-statefiles): refused */
	assert_int_equal(kt_net_plan_build(ctx, inv, NULL, "Storage (bond1)", 1500, &p), 0);
	assert_true(kt_net_plan_refused(p));
	assert_string_equal(p->refusals[0].id, "ha-unknown");
	assert_int_equal(count_run(p, "pool-ha-disable", NULL), 0);
	kt_net_plan_free(p);
	kt_net_inventory_free(inv);
	kt_ctx_free(ctx);
}

struct bad_case {
	const char *network;
	int mtu;
	int err;
};

static void
test_plan_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "Storage (bond1)", 10, KT_EINVAL },
		{ "Storage (bond1)", 70000, KT_EINVAL },
		{ "no such network", 1500, KT_ENOTFOUND },
		{ "bad\001name", 1500, KT_EINVAL },
		{ "", 1500, KT_EINVAL },
	};
	struct kt_net_inventory *inv = pool(false), *empty;
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_net_plan *p = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(kt_net_plan_build(ctx, inv, NULL, cases[i].network, cases[i].mtu, &p),
				 cases[i].err);
	assert_null(p);
	assert_int_equal(kt_net_inventory_new(ctx, &empty), 0);
	assert_int_equal(kt_net_plan_build(ctx, empty, NULL, "x", 1500, &p), KT_EINVAL);
	kt_net_inventory_free(empty);
	kt_net_inventory_free(inv);
	kt_ctx_free(ctx);
}

static void
test_apply(void **state)
{
	struct kt_net_inventory *inv = pool(false);
	const struct kt_net_network *st = network_named(inv, "Storage (bond1)");
	const struct kt_net_iface *b = kt_net_inventory_find(inv, "xs-b", "bond1");
	const struct kt_net_iface *a = kt_net_inventory_find(inv, "xs-a", "bond1");
	struct kt_ctx *ctx = kt_ctx_new();
	struct fake_fs fs = { NULL, 0, "", NULL, 0 };
	struct kt_host_ops ops = fake_ops(&fs);
	struct kt_net_plan *p;
	char fail_on[128], want[256];
	size_t done, runs = 0;
	char *rb;

	(void)state;
	assert_int_equal(kt_net_plan_build(ctx, inv, NULL, st->uuid, 1500, &p), 0);
	for (size_t i = 0; i < p->n_steps; i++)
		runs += p->steps[i].kind == KT_PLAN_RUN;

	/* all good: every RUN step, in order, nothing else */
	assert_int_equal(kt_net_plan_apply(ctx, &ops, p, NULL, NULL, &done), 0);
	assert_int_equal(fs.runs, (int)runs);
	assert_int_equal(done, p->n_steps);
	snprintf(want, sizeof(want), "xe network-param-set uuid=%s MTU=1500\n", st->uuid);
	assert_non_null(strstr(fs.log, want));	/* (under `timeout`) */

	/* xs-b's plug fails: stop there, roll back */
	memset(&fs, 0, sizeof(fs));
	snprintf(fail_on, sizeof(fail_on), "pif-plug uuid=%s", b->uuid);
	fs.fail_on = fail_on;
	assert_int_equal(kt_net_plan_apply(ctx, &ops, p, NULL, NULL, &done), KT_EIO);
	assert_true(done < p->n_steps);
	assert_string_equal(p->steps[done].argv[1], "pif-plug");
	assert_non_null(strstr(fs.log, fail_on));
	assert_null(strstr(strstr(fs.log, fail_on), "disallow-unplug=true"));	/* nothing after */
	rb = kt_net_plan_rollback_text(p, done);
	snprintf(want, sizeof(want), "xe network-param-set uuid=%s MTU=9000", st->uuid);
	assert_non_null(strstr(rb, want));
	snprintf(want, sizeof(want), "xe pif-plug uuid=%s", b->uuid);	/* still unplugged */
	assert_non_null(strstr(rb, want));
	/* xs-a already has the new MTU: it is re-plugged with the old one
	 * BEFORE the network MTU goes back (reverse order) */
	snprintf(want, sizeof(want), "xe pif-unplug uuid=%s", a->uuid);
	assert_non_null(strstr(rb, want));
	snprintf(fail_on, sizeof(fail_on), "xe pif-param-set uuid=%s other-config:mtu=9000", a->uuid);
	assert_non_null(strstr(rb, fail_on));
	snprintf(fail_on, sizeof(fail_on), "xe network-param-set uuid=%s MTU=9000", st->uuid);
	assert_true(strstr(rb, want) < strstr(rb, fail_on));
	free(rb);
	kt_net_plan_free(p);
	kt_net_inventory_free(inv);
	kt_ctx_free(ctx);
}

/* The plan survives JSON; the journal records each step and reads back. */
static void
test_json_journal(void **state)
{
	struct kt_net_inventory *inv = pool(false);
	struct kt_ctx *ctx = kt_ctx_new();
	struct fake_fs fs = { NULL, 0, "", NULL, 0 };
	struct kt_host_ops ops = fake_ops(&fs);
	struct kt_net_plan *p, *q;
	struct kt_net_journal *j;
	char path[] = "/tmp/kt-test-journal.XXXXXX";
	struct kt_net_apply_opts o = { 0 };
	char *a, *b, fail_on[128];
	size_t done, first_pif_plug = 0;
	int fd;

	(void)state;
	assert_int_equal(kt_net_plan_build(ctx, inv, NULL, "Storage (bond1)", 1500, &p), 0);
	a = kt_net_plan_json(p);
	assert_int_equal(kt_net_plan_from_json(ctx, a, &q), 0);
	b = kt_net_plan_json(q);
	assert_string_equal(a, b);
	free(b);
	kt_net_plan_free(q);
	assert_int_equal(kt_net_plan_from_json(ctx, "{\"steps\": 3}", &q), KT_EFORMAT);
	assert_int_equal(kt_net_plan_from_json(ctx, "not json", &q), KT_EFORMAT);

	/* apply with a journal; the first pif-plug fails. CHECK steps need a
	 * live pool: drop them for this in-memory run. */
	for (size_t i = 0, k = 0; i < p->n_steps; i++)
		if (p->steps[i].kind != KT_PLAN_CHECK)
			p->steps[k++] = p->steps[i];
	{
		size_t n = 0;

		for (size_t i = 0; i < p->n_steps; i++)
			n += p->steps[i].kind != KT_PLAN_CHECK;
		p->n_steps = n;
	}
	for (size_t i = 0; i < p->n_steps && !first_pif_plug; i++)
		if (p->steps[i].argv && strcmp(p->steps[i].argv[1], "pif-plug") == 0)
			first_pif_plug = i;
	snprintf(fail_on, sizeof(fail_on), "pif-plug %s", p->steps[first_pif_plug].argv[2]);
	fs.fail_on = fail_on;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	o.journal = path;
	assert_int_equal(kt_net_plan_apply2(ctx, &ops, p, &o, &done), KT_EIO);
	assert_int_equal(done, first_pif_plug);
	assert_int_equal(kt_net_journal_load(ctx, path, &j), 0);
	assert_int_equal(j->n_steps, p->n_steps);
	assert_int_equal(j->state[0], 2);			/* ok */
	assert_int_equal(j->state[first_pif_plug], 3);		/* failed */
	assert_int_equal(j->state[first_pif_plug + 1], 0);	/* never started */
	assert_int_equal(kt_net_journal_resume_index(j), first_pif_plug);
	/* rollback: undo commands in reverse, the failed step's tolerated */
	memset(&fs, 0, sizeof(fs));
	assert_int_equal(kt_net_plan_rollback(ctx, &ops, path, j, &o), 0);
	assert_non_null(strstr(fs.log, "pif-unplug"));	/* undo of the failed plug (tolerated) */
	kt_net_journal_free(j);
	assert_int_equal(kt_net_journal_load(ctx, path, &j), 0);
	for (size_t i = 0; i <= first_pif_plug; i++)
		if (p->steps[i].kind == KT_PLAN_RUN)
			assert_int_equal(j->state[i], 4);	/* undone */
	kt_net_journal_free(j);
	assert_int_equal(kt_net_journal_load(ctx, "/nonexistent/journal", &j), KT_ENOTFOUND);
	unlink(path);
	free(a);
	kt_net_plan_free(p);
	kt_net_inventory_free(inv);
	kt_ctx_free(ctx);
}

/* A storage hostname is resolved (through the callback) to find its path. */
static int
fake_resolve(void *ud, const char *name, char **ret)
{
	(void)ud;
	if (strcmp(name, "nfs.example") != 0)
		return KT_ENOTFOUND;
	*ret = strdup("198.51.100.50");
	return 0;
}

static void
test_resolve(void **state)
{
	struct kt_net_inventory *inv = pool(false);
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_net_plan_opts o = { .network = "Storage (bond1)", .mtu = 1500,
				      .resolve = fake_resolve };
	struct kt_net_plan *p;
	const char *orig = inv->pbds[0].addrs[0];

	(void)state;
	for (size_t i = 0; i < inv->n_pbds; i++)
		inv->pbds[i].addrs[0] = "nfs.example";
	assert_int_equal(kt_net_plan_build2(ctx, inv, NULL, &o, &p), 0);
	assert_false(kt_net_plan_refused(p));
	assert_int_equal(count_run(p, "pbd-unplug", NULL), 2);
	kt_net_plan_free(p);
	for (size_t i = 0; i < inv->n_pbds; i++)
		inv->pbds[i].addrs[0] = "nfs.invalid";
	assert_int_equal(kt_net_plan_build2(ctx, inv, NULL, &o, &p), 0);
	assert_true(kt_net_plan_refused(p));
	assert_string_equal(p->refusals[0].id, "storage-unresolved");
	kt_net_plan_free(p);
	inv->pbds[0].addrs[0] = orig;
	kt_net_inventory_free(inv);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storage_plan),
		cmocka_unit_test(test_ha_plan),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_json_journal),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
