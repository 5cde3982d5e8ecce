/* Unit tests: net driver knowledge (data/net/drivers.tsv, pci-ids.tsv)
 * invariants -- unique, complete, cited, consistent -- and look-ups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/net.h>

static struct kt_driver_db *
load(void)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_driver_db *db = NULL;
	int err = kt_driver_db_load(ctx, &db);

	if (err)
		fail_msg("load: %s", kt_ctx_errmsg(ctx));
	kt_ctx_free(ctx);
	return db;
}

static void
test_driver_table_invariants(void **state)
{
	struct kt_driver_db *db = load();
	size_t n = kt_driver_db_count(db);

	(void)state;
	assert_true(n >= 50);
	for (size_t i = 0; i < n; i++) {
		const struct kt_driver_info *d = kt_driver_db_at(db, i);

		assert_non_null(d->driver);
		assert_true(strlen(d->driver) > 0);
		assert_true(strcmp(d->cls, "physical") == 0 || strcmp(d->cls, "virtual") == 0);
		assert_true(strcmp(d->jumbo, "yes") == 0 || strcmp(d->jumbo, "no") == 0 ||
			    strcmp(d->jumbo, "depends") == 0);
		/* every fact is cited: a kernel file or a URL */
		assert_true(strstr(d->source, "drivers/") || strstr(d->source, "net/") ||
			    strstr(d->source, "https://"));
		if (d->min_mtu >= 0 && d->max_mtu >= 0)
			assert_true(d->min_mtu <= d->max_mtu);
		/* "no" jumbo must be explained */
		if (strcmp(d->jumbo, "no") == 0)
			assert_true(strlen(d->caveat) > 0);
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(d->driver, kt_driver_db_at(db, j)->driver) == 0)
				fail_msg("duplicate driver row '%s'", d->driver);
	}
	kt_driver_db_free(db);
}

static void
test_pci_table_invariants(void **state)
{
	struct kt_driver_db *db = load();
	size_t n = kt_driver_db_pci_count(db);

	(void)state;
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		const struct kt_pci_info *p = kt_driver_db_pci_at(db, i);

		/* every PCI id maps to a driver the driver table knows */
		if (!kt_driver_db_find(db, p->driver))
			fail_msg("pci %04x:%04x -> unknown driver '%s'", p->vendor, p->device, p->driver);
		assert_true(strlen(p->model) > 0);
		assert_true(strlen(p->source) > 0);
		for (size_t j = i + 1; j < n; j++) {
			const struct kt_pci_info *q = kt_driver_db_pci_at(db, j);

			if (p->vendor == q->vendor && p->device == q->device)
				fail_msg("duplicate pci id %04x:%04x", p->vendor, p->device);
		}
	}
	kt_driver_db_free(db);
}

/* The families the issue names must all be there. */
static void
test_required_drivers(void **state)
{
	static const char *const required[] = {
		"e1000e", "igb", "ixgbe", "ixgbevf", "i40e", "ice", "tg3", "bnx2", "bnx2x",
		"bnxt_en", "mlx4_en", "mlx5_core", "enic", "be2net", "qede", "qlcnic", "cxgb4",
		"sfc", "r8169", "ena", "virtio_net", "vmxnet3", "hv_netvsc", "xen-netfront",
		"vif", "veth", "bridge", "bond", "team", "vlan", "openvswitch", "tun",
	};
	struct kt_driver_db *db = load();

	(void)state;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!kt_driver_db_find(db, required[i]))
			fail_msg("driver '%s' missing", required[i]);
	kt_driver_db_free(db);
}

struct lookup_case {
	const char *driver;
	const char *jumbo;
	int max_mtu;
};

static void
test_lookups(void **state)
{
	static const struct lookup_case cases[] = {
		{ "enic", "no", 9000 },
		{ "ixgbe", "yes", 9710 },
		{ "xen_netfront", "depends", 65535 },	/* '_' and '-' fold */
		{ "no-such-driver", NULL, 0 },
	};
	struct kt_driver_db *db = load();
	const struct kt_pci_info *p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct kt_driver_info *d = kt_driver_db_find(db, cases[i].driver);

		if (!cases[i].jumbo) {
			assert_null(d);
			continue;
		}
		assert_non_null(d);
		assert_string_equal(d->jumbo, cases[i].jumbo);
		assert_int_equal(d->max_mtu, cases[i].max_mtu);
	}
	p = kt_driver_db_find_pci(db, 0x1137, 0x0071);
	assert_non_null(p);
	assert_string_equal(p->driver, "enic");
	assert_null(kt_driver_db_find_pci(db, 0xffff, 0xffff));
	assert_null(kt_driver_db_find(NULL, "enic"));
	kt_driver_db_free(db);
	kt_driver_db_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_table_invariants),
		cmocka_unit_test(test_pci_table_invariants),
		cmocka_unit_test(test_required_drivers),
		cmocka_unit_test(test_lookups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
