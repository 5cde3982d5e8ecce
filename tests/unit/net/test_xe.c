/* Unit tests: the xe record parser (research/xen-domain.md 3.1 layout) and
 * the pool inventory built from xe dumps (tests/host/xe-pool-enic). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/net.h>

#include "fakeops.h"
#include "net/xe.h"
#include "util/arena.h"

struct field_case {
	const char *text;	/* xe output */
	size_t records;
	size_t bad_lines;
	const char *key;	/* looked up in the last record */
	const char *value;	/* expected, NULL = absent */
};

static void
test_parse(void **state)
{
	static const struct field_case cases[] = {
		/* first line left-aligned, the rest right-aligned */
		{ "uuid ( RO)          : 9b2e41c7-0d3f-7e55-2a6c-81f4c0d9e3b2\n"
		  "    name-label ( RW): Storage (eth2)\n"
		  "           MTU ( RW): 9000\n", 1, 0, "name-label", "Storage (eth2)" },
		/* values containing ": " and map values */
		{ "uuid ( RO)            : a\n"
		  "    other-config (MRW): ethtool-gro: off; mtu: 9000\n", 1, 0, "other-config",
		  "ethtool-gro: off; mtu: 9000" },
		/* deprecated suffix, empty set */
		{ "uuid ( RO)                   : a\n"
		  "    name ( RO) [DEPRECATED]: old\n"
		  "           VIF-uuids (SRO): \n", 1, 0, "name", "old" },
		{ "uuid ( RO): a\n    VIF-uuids (SRO): \n", 1, 0, "VIF-uuids", "" },
		/* two records, CRLF, a garbage line */
		{ "uuid ( RO): a\r\n\r\nuuid ( RO): b\r\nnot a field\r\n  MTU ( RW): 1500\r\n", 2, 1,
		  "MTU", "1500" },
		{ "", 0, 0, NULL, NULL },
		{ "\n\n\n", 0, 0, NULL, NULL },
		/* "(RO)" without the space is not xe's format */
		{ "uuid (RO): a\n", 0, 1, NULL, NULL },
		{ "uuid ( RO): a\n    MTU ( RW): 1500\n", 1, 0, "VLAN", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_arena *a = kt_arena_new();
		struct kt_xe_list l;
		struct kt_str v;

		kt_xe_parse(a, kt_str_cstr(cases[i].text), &l);
		assert_int_equal(l.n, cases[i].records);
		assert_int_equal(l.bad_lines, cases[i].bad_lines);
		if (cases[i].key) {
			v = kt_xe_get(&l.records[l.n - 1], cases[i].key);
			if (!cases[i].value) {
				assert_null(v.p);
			} else {
				assert_non_null(v.p);
				assert_true(kt_str_eq_cstr(v, cases[i].value));
			}
		}
		kt_arena_free(a);
	}
}

/* Garbage never crashes the parser and never yields fields it did not see. */
static void
test_parse_garbage(void **state)
{
	static const char *const junk[] = {
		" (", " ( RO)", " ( RO):", "( RO): x", "\xff\xfe ( RW): \x01\x02",
		"key ( RO) [DEPRECATED]", "key ( RO) [DEPRECATED]:", "a (MRW):b",
	};
	char big[70000];

	(void)state;
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		struct kt_arena *a = kt_arena_new();
		struct kt_xe_list l;

		kt_xe_parse(a, kt_str_cstr(junk[i]), &l);
		for (size_t r = 0; r < l.n; r++)
			for (size_t f = 0; f < l.records[r].n; f++)
				assert_true(l.records[r].fields[f].key.len < strlen(junk[i]));
		kt_arena_free(a);
	}
	/* one huge line with NUL bytes inside */
	memset(big, 'x', sizeof(big));
	memcpy(big + 100, " ( RO): ", 8);
	big[5000] = '\0';
	{
		struct kt_arena *a = kt_arena_new();
		struct kt_xe_list l;

		kt_xe_parse(a, kt_str_make(big, sizeof(big)), &l);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.records[0].fields[0].key.len, 100);
		kt_arena_free(a);
	}
}

static void
test_map_get(void **state)
{
	struct kt_str m = kt_str_cstr("ethtool-gro: off; mtu: 9000; server: 198.51.100.5");

	(void)state;
	assert_true(kt_str_eq_cstr(kt_xe_map_get(m, "mtu"), "9000"));
	assert_true(kt_str_eq_cstr(kt_xe_map_get(m, "server"), "198.51.100.5"));
	assert_null(kt_xe_map_get(m, "mt").p);
	assert_null(kt_xe_map_get(kt_str_cstr(""), "mtu").p);
}

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

static void
test_pool_inventory(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_host_ops *ops = kt_host_ops_system_new(NULL);
	struct kt_net_inventory *inv;
	char *dir = fixture("tests/host/xe-pool-enic");
	const struct kt_net_iface *bond, *slave, *vlan;
	size_t mgmt = 0, hosts_with_bond = 0;

	(void)state;
	assert_int_equal(kt_net_inventory_new(ctx, &inv), 0);
	if (kt_net_inventory_xe(ctx, ops, dir, inv) != 0)
		fail_msg("%s", kt_ctx_errmsg(ctx));
	assert_true(inv->is_xe);
	assert_int_equal(inv->n_hosts, 2);
	assert_int_equal(inv->n_networks, 3);
	assert_false(inv->ha_enabled);
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		mgmt += inv->ifaces[i].management;
		hosts_with_bond += inv->ifaces[i].kind == KT_NET_BOND;
		assert_true(kt_net_valid_uuid(inv->ifaces[i].uuid));
	}
	assert_int_equal(mgmt, 2);
	assert_int_equal(hosts_with_bond, 2);
	/* bond members are linked both ways, VLAN PIFs get their parent */
	bond = kt_net_inventory_find(inv, "xs-b", "bond1");
	assert_non_null(bond);
	assert_int_equal(bond->n_members, 2);
	slave = kt_net_inventory_find(inv, "xs-b", bond->members[0]);
	assert_non_null(slave);
	assert_string_equal(slave->master, "bond1");
	assert_string_equal(slave->pci_id, "1137:0043");
	vlan = kt_net_inventory_find(inv, "xs-a", "bond1.100");
	assert_non_null(vlan);
	assert_int_equal(vlan->kind, KT_NET_VLAN);
	assert_string_equal(vlan->lower, "bond1");
	assert_int_equal(inv->n_pbds, 2);
	assert_string_equal(inv->pbds[0].target, "198.51.100.50");
	kt_net_inventory_free(inv);

	/* a directory without xe dumps is "not found", not a crash */
	assert_int_equal(kt_net_inventory_new(ctx, &inv), 0);
	assert_int_equal(kt_net_inventory_xe(ctx, ops, "/nonexistent-dir", inv), KT_ENOTFOUND);
	kt_net_inventory_free(inv);
	kt_host_ops_system_free(ops);
	kt_ctx_free(ctx);
	free(dir);
}

/* Live --xe on a pool member: that host's PIF drivers come from sysfs. */
static void
test_xe_local(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_host_ops *ops = kt_host_ops_system_new(NULL);
	struct kt_net_inventory *inv;
	char *dir = fixture("tests/host/xe-pool-enic");
	char inventory[128];
	struct fake_entry e[] = {
		{ "/etc/xensource-inventory", inventory, NULL },
		{ "/sys/class/net/eth2/device/driver", NULL, "../../../bus/pci/drivers/bnx2x" },
	};
	struct fake_fs fs = { e, 2, "", NULL, 0 };
	struct kt_host_ops fake = fake_ops(&fs);
	const char *local;

	(void)state;
	assert_int_equal(kt_net_inventory_new(ctx, &inv), 0);
	assert_int_equal(kt_net_inventory_xe(ctx, ops, dir, inv), 0);
	local = kt_net_inventory_find(inv, "xs-a", "eth2")->host_uuid;
	snprintf(inventory, sizeof(inventory), "PRODUCT_BRAND='XenServer'\nINSTALLATION_UUID='%s'\n", local);
	assert_int_equal(kt_net_inventory_xe_local(ctx, &fake, inv), 0);
	assert_string_equal(kt_net_inventory_find(inv, "xs-a", "eth2")->driver, "bnx2x");
	assert_string_equal(kt_net_inventory_find(inv, "xs-a", "eth2")->driver_from, "sysfs");
	assert_null(kt_net_inventory_find(inv, "xs-b", "eth2")->driver);	/* not this host */
	assert_null(kt_net_inventory_find(inv, "xs-a", "eth3")->driver);	/* no link */
	e[0].content = "PRODUCT_BRAND='XenServer'\n";
	assert_int_equal(kt_net_inventory_xe_local(ctx, &fake, inv), KT_ENOTFOUND);
	kt_net_inventory_free(inv);
	kt_host_ops_system_free(ops);
	kt_ctx_free(ctx);
	free(dir);
}

static void
test_valid_uuid_name(void **state)
{
	(void)state;
	assert_true(kt_net_valid_uuid("9b2e41c7-0d3f-7e55-2a6c-81f4c0d9e3b2"));
	assert_false(kt_net_valid_uuid("9b2e41c7-0d3f-7e55-2a6c-81f4c0d9e3b"));
	assert_false(kt_net_valid_uuid("9b2e41c7x0d3f-7e55-2a6c-81f4c0d9e3b2"));
	assert_false(kt_net_valid_uuid("zb2e41c7-0d3f-7e55-2a6c-81f4c0d9e3b2"));
	assert_false(kt_net_valid_uuid(NULL));
	assert_true(kt_net_valid_name("Storage (bond1)"));
	assert_false(kt_net_valid_name(""));
	assert_false(kt_net_valid_name("bad\nname"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_map_get),
		cmocka_unit_test(test_pool_inventory),
		cmocka_unit_test(test_xe_local),
		cmocka_unit_test(test_valid_uuid_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
