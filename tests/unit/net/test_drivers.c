/* Unit tests: net driver knowledge (data/net/drivers.tsv, pci-ids.tsv)
 * invariants -- unique, complete, cited, consistent -- and look-ups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/net.h>

#include "net/inventory.h"
#include "util/ref.h"

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
		{ "enic", "depends", 9000 },	/* the vNIC MTU decides (platforms.tsv) */
		{ "e1000e", "depends", 9212 },
		{ "bnxt_en", "yes", -1 },	/* firmware's max_mtu_configured */
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
	/* e1000e per chip (linux drivers/net/ethernet/intel/e1000e/82571.c, ich8lan.c) */
	{
		static const struct {
			unsigned dev;
			const char *jumbo;
			int max;
		} chips[] = {
			{ 0x109a, "yes", 9212 },	/* 82573L does jumbo */
			{ 0x150c, "yes", 9212 },	/* 82583V does jumbo */
			{ 0x108b, "no", 1500 },		/* 82573V: 1522-byte frames */
			{ 0x1049, "no", 1500 },		/* ICH8 */
			{ 0x10bd, "yes", 9212 },	/* ICH9 */
			{ 0x10ea, "depends", 4074 },	/* 82577 (PCH) */
			{ 0x1502, "depends", 9000 },	/* 82579 (PCH2): 9000, MACsec NVM bit */
			{ 0x153a, "depends", 9000 },	/* I217 */
			{ 0x156f, "depends", 9000 },	/* I219 */
		};

		for (size_t i = 0; i < sizeof(chips) / sizeof(chips[0]); i++) {
			p = kt_driver_db_find_pci(db, 0x8086, chips[i].dev);
			if (!p)
				fail_msg("8086:%04x missing", chips[i].dev);
			assert_string_equal(p->driver, "e1000e");
			assert_string_equal(p->jumbo, chips[i].jumbo);
			assert_int_equal(p->max_mtu, chips[i].max);
		}
	}
	/* enic per platform */
	{
		static const char *const want[][2] = {
			{ "xenserver", "depends" }, { "xen-dom0", "depends" },
			{ "linux", "yes" }, { NULL, "depends" },
		};

		for (size_t i = 0; i < 4; i++) {
			const struct kt_platform_info *pl =
				kt_driver_db_find_platform(db, "enic", want[i][0]);

			assert_non_null(pl);
			assert_string_equal(pl->jumbo, want[i][1]);
			assert_true(kt_ref_list_is_public(pl->source, NULL));
		}
		assert_int_equal(kt_driver_db_find_platform(db, "enic", "xenserver")->sev,
				 KT_NET_SEV_MEDIUM);
		assert_null(kt_driver_db_find_platform(db, "ixgbe", "xenserver"));
	}
	kt_driver_db_free(db);
	kt_driver_db_free(NULL);
}

/* Every source a user can read is public: a URL or a kernel path (a bare
 * "drivers/..." path means Linux), never a path of the machine the table
 * was written on. */
static void
test_sources_public(void **state)
{
	struct kt_driver_db *db = load();
	const char *why = NULL;

	(void)state;
	for (size_t i = 0; i < kt_driver_db_count(db); i++) {
		const struct kt_driver_info *d = kt_driver_db_at(db, i);

		if (!kt_ref_list_is_public(d->source, &why))
			fail_msg("drivers.tsv %s: source %s", d->driver, why);
	}
	for (size_t i = 0; i < kt_driver_db_pci_count(db); i++) {
		const struct kt_pci_info *p = kt_driver_db_pci_at(db, i);

		if (!kt_ref_list_is_public(p->source, &why))
			fail_msg("pci-ids.tsv %04x:%04x: source %s", p->vendor, p->device, why);
	}
	/* the check itself */
	assert_true(kt_ref_list_is_public("drivers/net/ethernet/cisco/enic/enic_res.h:20-21 ; "
					  "https://github.com/xcp-ng/xcp/issues/488", NULL));
	assert_false(kt_ref_list_is_public("drivers/net/x.c ; research/xen-domain.md 4.1", &why));
	assert_false(kt_ref_list_is_public("https://terry.im ; /work/shared/research/x.md", &why));
	assert_false(kt_ref_list_is_public("as remembered", &why));
	assert_false(kt_ref_list_is_public("", &why));
	kt_driver_db_free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_table_invariants),
		cmocka_unit_test(test_pci_table_invariants),
		cmocka_unit_test(test_required_drivers),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_sources_public),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
