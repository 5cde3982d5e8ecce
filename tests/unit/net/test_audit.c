/* Unit tests: inventory (sysfs trees, in-memory fakes, xe dumps, a status
 * report) + audit findings + JSON that kt_host_facts_load_json reads back. */
#include <setjmp.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include <ktriage/hostfacts.h>
#include <ktriage/net.h>
#include <ktriage/probe.h>

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

static const struct kt_net_finding *
finding(const struct kt_net_inventory *inv, const char *id, const char *subject)
{
	for (size_t i = 0; i < inv->n_findings; i++)
		if (strcmp(inv->findings[i].id, id) == 0 &&
		    (!subject || strcmp(inv->findings[i].subject, subject) == 0))
			return &inv->findings[i];
	return NULL;
}

static bool
any_finding_on(const struct kt_net_inventory *inv, const char *subject)
{
	for (size_t i = 0; i < inv->n_findings; i++)
		if (strcmp(inv->findings[i].subject, subject) == 0)
			return true;
	return false;
}

/* Build and audit an inventory from `ops` (sysfs) or an xe dir. */
static struct kt_net_inventory *
audit(const struct kt_host_ops *ops, const char *xe_dir)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_driver_db *db;
	struct kt_net_inventory *inv;
	int err;

	assert_int_equal(kt_driver_db_load(ctx, &db), 0);
	assert_int_equal(kt_net_inventory_new(ctx, &inv), 0);
	err = xe_dir ? kt_net_inventory_xe(ctx, ops, xe_dir, inv) : kt_net_inventory_sysfs(ctx, ops, inv);
	if (err)
		fail_msg("inventory: %s", kt_ctx_errmsg(ctx));
	assert_int_equal(kt_net_audit(ctx, inv, db), 0);
	kt_driver_db_free(db);
	kt_ctx_free(ctx);
	return inv;
}

/* The acceptance case: an offline tree (platform unknown) with enic at 9000
 * is "depends" (low, with the vNIC / QoS class checks to make), never the
 * old "jumbo-unsupported" high; ixgbe at 9000 is fine. */
static void
test_sysfs_enic_vs_ixgbe(void **state)
{
	char *root = fixture("tests/host/enic-ixgbe-jumbo");
	struct kt_host_ops *ops = kt_host_ops_system_new(root);
	struct kt_net_inventory *inv = audit(ops, NULL);
	const struct kt_net_finding *f = finding(inv, "jumbo-depends", "eth0");
	const struct kt_net_iface *eth1 = kt_net_inventory_find(inv, NULL, "eth1");

	(void)state;
	assert_null(inv->platform);
	assert_null(finding(inv, "jumbo-unsupported", "eth0"));
	assert_non_null(f);
	assert_int_equal(f->sev, KT_NET_SEV_LOW);
	assert_non_null(f->remedy);
	assert_non_null(strstr(f->remedy, "ping -M do -s 8972"));
	assert_non_null(strstr(f->summary, "vNIC"));
	assert_non_null(strstr(f->summary, "9216"));
	assert_non_null(f->source);
	assert_non_null(strstr(f->source, "enic_res.c"));
	assert_false(any_finding_on(inv, "eth1"));
	assert_non_null(eth1);
	assert_string_equal(eth1->driver, "ixgbe");
	assert_int_equal(eth1->mtu, 9000);
	assert_int_equal(eth1->max_mtu, 9710);
	kt_net_inventory_free(inv);
	kt_host_ops_system_free(ops);
	free(root);
}

static int
no_run(void *ud, const char *const *argv, size_t limit, char **ret_out, int *ret_status)
{
	(void)ud, (void)argv, (void)limit, (void)ret_out, (void)ret_status;
	return KT_ENOTFOUND;	/* no ovs-vsctl: a live host without Open vSwitch */
}

/* enic's verdict per platform (data/net/platforms.tsv): XenServer dom0 ->
 * depends, medium; another Xen dom0 -> depends, medium; plain Linux (the
 * interface starts at the vNIC MTU) -> yes, no finding; offline tree ->
 * depends, low. SR-IOV VFs and dynamic vNICs are enic too. */
static void
test_enic_platforms(void **state)
{
	static const struct {
		const char *name;
		const char *etc_inventory, *xen_caps;
		bool live;
		const char *want_platform;
		int want_sev;	/* -1 = no finding */
		const char *want_jumbo;
	} cases[] = {
		{ "xenserver", "INSTALLATION_UUID='e4a5c2d1-7b8f-4c6e-a0d3-5f9b1e2c7a40'\n", NULL,
		  true, "xenserver", KT_NET_SEV_MEDIUM, "depends" },
		{ "xen-dom0", NULL, "control_d\n", true, "xen-dom0", KT_NET_SEV_MEDIUM, "depends" },
		{ "domU", NULL, "\n", true, "linux", -1, "yes" },
		{ "plain-linux", NULL, NULL, true, "linux", -1, "yes" },
		{ "offline", NULL, NULL, false, NULL, KT_NET_SEV_LOW, "depends" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_entry e[8] = {
			{ "/sys/class/net/eth2/mtu", "9000\n", NULL },
			{ "/sys/class/net/eth2/device/driver", NULL, "../../bus/pci/drivers/enic" },
			{ "/sys/class/net/eth2/device/subsystem", NULL, "../../../bus/pci" },
			{ "/sys/class/net/eth2/device/vendor", "0x1137\n", NULL },
			{ "/sys/class/net/eth2/device/device", "0x0071\n", NULL },	/* a VF */
		};
		struct fake_fs fs = { e, 5, "", NULL, 0 };
		struct kt_host_ops ops;
		struct kt_net_inventory *inv;
		const struct kt_net_finding *f;
		const struct kt_net_iface *eth2;

		if (cases[i].etc_inventory)
			e[fs.n++] = (struct fake_entry){ "/etc/xensource-inventory",
							 cases[i].etc_inventory, NULL };
		if (cases[i].xen_caps)
			e[fs.n++] = (struct fake_entry){ "/proc/xen/capabilities", cases[i].xen_caps,
							 NULL };
		ops = fake_ops(&fs);
		ops.run = cases[i].live ? no_run : NULL;
		inv = audit(&ops, NULL);
		eth2 = kt_net_inventory_find(inv, NULL, "eth2");
		assert_non_null(eth2);
		if (cases[i].want_platform == NULL)
			assert_null(inv->platform);
		else if (!inv->platform || strcmp(inv->platform, cases[i].want_platform))
			fail_msg("%s: platform %s", cases[i].name, inv->platform ? inv->platform : "NULL");
		assert_string_equal(eth2->jumbo, cases[i].want_jumbo);
		f = finding(inv, "jumbo-depends", "eth2");
		if (cases[i].want_sev < 0) {
			if (inv->n_findings)
				fail_msg("%s: unexpected %s", cases[i].name, inv->findings[0].id);
		} else {
			if (!f)
				fail_msg("%s: no jumbo-depends", cases[i].name);
			assert_int_equal(f->sev, cases[i].want_sev);
		}
		assert_null(finding(inv, "jumbo-unsupported", "eth2"));
		/* the VF's own limit is said wherever there is a finding */
		if (f)
			assert_non_null(strstr(f->summary, "EOPNOTSUPP"));
		kt_net_inventory_free(inv);
	}
}

static void
test_sysfs_mixed(void **state)
{
	static const struct {
		const char *id, *subject;
		enum kt_net_sev sev;
	} want[] = {
		{ "jumbo-unsupported", "eth0", KT_NET_SEV_HIGH },	/* 82573V via pci-ids */
		{ "vlan-above-parent", "eth3.200", KT_NET_SEV_HIGH },
		{ "bond-mixed-drivers", "bond0", KT_NET_SEV_MEDIUM },
		{ "bridge-port-mtu", "eth4", KT_NET_SEV_MEDIUM },
	};
	char *root = fixture("tests/host/linux-mixed");
	struct kt_host_ops *ops = kt_host_ops_system_new(root);
	struct kt_net_inventory *inv = audit(ops, NULL);
	const struct kt_net_iface *bond = kt_net_inventory_find(inv, NULL, "bond0");
	const struct kt_net_iface *vlan = kt_net_inventory_find(inv, NULL, "bond0.100");
	const struct kt_net_iface *vif = kt_net_inventory_find(inv, NULL, "vif1.0");

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct kt_net_finding *f = finding(inv, want[i].id, want[i].subject);

		if (!f)
			fail_msg("missing %s on %s", want[i].id, want[i].subject);
		assert_int_equal(f->sev, want[i].sev);
	}
	/* jumbo-capable bond members are not flagged for jumbo */
	assert_null(finding(inv, "jumbo-unsupported", "eth1"));
	assert_null(finding(inv, "jumbo-unsupported", "eth2"));
	assert_non_null(bond);
	assert_int_equal(bond->kind, KT_NET_BOND);
	assert_int_equal(bond->n_members, 2);
	assert_non_null(vlan);
	assert_int_equal(vlan->kind, KT_NET_VLAN);
	assert_string_equal(vlan->lower, "bond0");
	assert_non_null(vif);
	assert_int_equal(vif->kind, KT_NET_VIF);
	assert_string_equal(vif->master, "br0");
	kt_net_inventory_free(inv);
	kt_host_ops_system_free(ops);
	free(root);
}

/* In-memory trees: one NIC each. */
struct fake_case {
	const char *name;
	struct fake_entry e[8];
	const char *want_id;	/* NULL: no finding */
};

#define NIC(mtu, drv) \
	{ "/sys/class/net/eth0/mtu", mtu, NULL }, \
	{ "/sys/class/net/eth0/device/driver", NULL, "../../bus/pci/drivers/" drv }

static void
test_fake_trees(void **state)
{
	static const struct fake_case cases[] = {
		{ "ixgbe-1500", { NIC("1500\n", "ixgbe") }, NULL },
		{ "tg3-jumbo", { NIC("9000\n", "tg3") }, "jumbo-depends" },
		{ "bnx2-above-max", { NIC("9600\n", "bnx2") }, "mtu-above-max" },
		{ "garbage-mtu", { NIC("abc\0\xff", "enic") }, NULL },
		{ "unknown-driver", { NIC("9000", "nosuchdrv") }, NULL },
		{ "enic-no-newline", { NIC("9000", "enic") }, "jumbo-depends" },
		{ "no-driver-link", { { "/sys/class/net/eth0/mtu", "9000", NULL } }, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_fs fs = { cases[i].e, 0, "", NULL, 0 };
		struct kt_host_ops ops;
		struct kt_net_inventory *inv;

		while (fs.n < 8 && cases[i].e[fs.n].path)
			fs.n++;
		ops = fake_ops(&fs);
		ops.run = NULL;	/* no ovs-vsctl */
		inv = audit(&ops, NULL);
		assert_int_equal(inv->n_ifaces, 1);
		if (!cases[i].want_id) {
			if (inv->n_findings)
				fail_msg("%s: unexpected %s", cases[i].name, inv->findings[0].id);
		} else if (!finding(inv, cases[i].want_id, "eth0")) {
			fail_msg("%s: no %s", cases[i].name, cases[i].want_id);
		}
		kt_net_inventory_free(inv);
	}
}

/* dom0: /etc/xensource-inventory names the management interface. */
static void
test_management_from_inventory(void **state)
{
	static const struct fake_entry e[] = {
		{ "/sys/class/net/xenbr0/mtu", "9000\n", NULL },
		{ "/sys/class/net/xenbr1/mtu", "9000\n", NULL },
		{ "/sys/class/net/bonding_masters", "\n", NULL },	/* a file, not an interface */
		{ "/etc/xensource-inventory", "BUILD_NUMBER='1'\nMANAGEMENT_INTERFACE='xenbr0'\n", NULL },
	};
	struct fake_fs fs = { e, sizeof(e) / sizeof(e[0]), "", NULL, 0 };
	struct kt_host_ops ops = fake_ops(&fs);
	struct kt_net_inventory *inv;

	(void)state;
	ops.run = NULL;
	inv = audit(&ops, NULL);
	assert_true(kt_net_inventory_find(inv, NULL, "xenbr0")->management);
	assert_false(kt_net_inventory_find(inv, NULL, "xenbr1")->management);
	assert_non_null(finding(inv, "management-jumbo", "xenbr0"));
	assert_null(finding(inv, "management-jumbo", "xenbr1"));
	assert_int_equal(inv->n_ifaces, 2);
	kt_net_inventory_free(inv);
}

/* A fake ovs-vsctl/ovs-appctl: a bond port is found with its members. */
struct ovs_fake {
	struct fake_fs fs;
};

static int
ovs_run(void *ud, const char *const *argv, size_t limit, char **ret_out, int *ret_status)
{
	const char *out = "";

	(void)ud;
	(void)limit;
	if (strcmp(argv[0], "ovs-vsctl") == 0 && strcmp(argv[1], "list-br") == 0)
		out = "xenbr1\n";
	else if (strcmp(argv[0], "ovs-vsctl") == 0 && strcmp(argv[1], "list-ports") == 0)
		out = "bond0\nvif3.0\n";
	else if (strcmp(argv[0], "ovs-vsctl") == 0 && strcmp(argv[1], "list-ifaces") == 0)
		out = "eth2\neth3\nvif3.0\n";
	else if (strcmp(argv[0], "ovs-appctl") == 0)
		out = "---- bond0 ----\nbond_mode: active-backup\n\nmember eth2: enabled\n  active member\n\nslave eth3: enabled\n";
	*ret_out = strdup(out);
	*ret_status = 0;
	return 0;
}

static void
test_ovs(void **state)
{
	static const struct fake_entry e[] = {
		{ "/sys/class/net/eth2/mtu", "9000", NULL },
		{ "/sys/class/net/eth2/device/driver", NULL, "../enic" },
		{ "/sys/class/net/eth2/master", NULL, "../ovs-system" },
		{ "/sys/class/net/eth3/mtu", "9000", NULL },
		{ "/sys/class/net/eth3/device/driver", NULL, "../enic" },
		{ "/sys/class/net/xenbr1/mtu", "9000", NULL },
		{ "/sys/class/net/vif3.0/mtu", "9000", NULL },
		{ "/etc/xensource-inventory", "INSTALLATION_UUID='1'\nMANAGEMENT_INTERFACE='xenbr0'\n",
		  NULL },
	};
	struct fake_fs fs = { e, sizeof(e) / sizeof(e[0]), "", NULL, 0 };
	struct kt_host_ops ops = fake_ops(&fs);
	struct kt_net_inventory *inv;
	const struct kt_net_iface *bond, *eth2, *br;

	(void)state;
	ops.run = ovs_run;
	inv = audit(&ops, NULL);
	bond = kt_net_inventory_find(inv, NULL, "bond0");
	eth2 = kt_net_inventory_find(inv, NULL, "eth2");
	br = kt_net_inventory_find(inv, NULL, "xenbr1");
	assert_non_null(bond);
	assert_int_equal(bond->kind, KT_NET_BOND);
	assert_int_equal(bond->n_members, 2);
	assert_string_equal(eth2->master, "bond0");
	assert_string_equal(bond->master, "xenbr1");
	assert_int_equal(br->kind, KT_NET_OVS);
	/* a XenServer dom0 with enic at 9000: depends, medium (not high) */
	assert_string_equal(inv->platform, "xenserver");
	assert_int_equal(finding(inv, "jumbo-depends", "eth2")->sev, KT_NET_SEV_MEDIUM);
	assert_int_equal(finding(inv, "jumbo-depends", "eth3")->sev, KT_NET_SEV_MEDIUM);
	assert_null(finding(inv, "jumbo-unsupported", "eth2"));
	/* a DF probe that carries the full MTU is no evidence */
	{
		struct kt_probe_result r;

		memset(&r, 0, sizeof(r));
		strcpy(r.host, "198.51.100.50");
		strcpy(r.addr, "198.51.100.50");
		strcpy(r.iface, "xenbr1");
		r.iface_mtu = 9000;
		r.pmtu = 9000;
		r.verdict = KT_PROBE_VERDICT_FULL;
		kt_net_audit_add_probe(inv, &r);
		assert_null(finding(inv, "jumbo-depends-fails", "eth2"));
		/* one that loses everything above 1500 through the bridge, bond and
		 * enic NICs is: "depends" becomes high on both members */
		r.pmtu = 1500;
		r.smallest_failed = 1501;
		r.black_hole = true;
		r.verdict = KT_PROBE_VERDICT_BLACK_HOLE;
		kt_net_audit_add_probe(inv, &r);
		assert_non_null(finding(inv, "path-mtu-black-hole", "198.51.100.50"));
		assert_int_equal(finding(inv, "jumbo-depends-fails", "eth2")->sev, KT_NET_SEV_HIGH);
		assert_int_equal(finding(inv, "jumbo-depends-fails", "eth3")->sev, KT_NET_SEV_HIGH);
		assert_non_null(strstr(finding(inv, "jumbo-depends-fails", "eth2")->summary, "vNIC"));
		assert_non_null(strstr(finding(inv, "jumbo-depends-fails", "eth2")->remedy, "--mtu 1500"));
		assert_int_equal(inv->findings[0].sev, KT_NET_SEV_HIGH);
	}
	kt_net_inventory_free(inv);
}

static void
test_xe_audit_and_hostfacts(void **state)
{
	char *dir = fixture("tests/host/xe-pool-enic");
	struct kt_host_ops *ops = kt_host_ops_system_new(NULL);
	struct kt_net_inventory *inv = audit(ops, dir);
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_host_facts *hf;
	char path[] = "/tmp/kt-net-facts-XXXXXX";
	char *json = kt_net_audit_json(inv), *text = kt_net_audit_text(inv);
	size_t high = 0, enic = 0;
	int fd;
	FILE *f;

	(void)state;
	for (size_t i = 0; i < inv->n_findings; i++) {
		assert_string_not_equal(inv->findings[i].id, "jumbo-unsupported");
		if (strcmp(inv->findings[i].id, "jumbo-depends") == 0) {
			high++;
			assert_int_equal(inv->findings[i].sev, KT_NET_SEV_MEDIUM);
			assert_non_null(strstr(inv->findings[i].remedy, "net plan --network"));
		}
	}
	assert_int_equal(high, 4);	/* eth2+eth3 on both hosts: depends, medium */
	assert_null(finding(inv, "management-jumbo", NULL));
	assert_non_null(strstr(text, "Storage (bond1)"));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(json, f);
	fclose(f);
	assert_int_equal(kt_host_facts_load_json(ctx, path, &hf), 0);
	assert_int_equal(hf->n_ifaces, inv->n_ifaces);
	assert_int_equal(hf->n_networks, 3);
	for (size_t i = 0; i < hf->n_ifaces; i++)
		if (hf->ifaces[i].driver && strcmp(hf->ifaces[i].driver, "enic") == 0) {
			enic++;
			assert_int_equal(hf->ifaces[i].mtu, 9000);
			assert_string_equal(hf->ifaces[i].jumbo, "depends");
			assert_non_null(hf->ifaces[i].host);
		}
	assert_int_equal(enic, 4);
	kt_host_facts_free(hf);
	kt_host_facts_free(NULL);

	/* not ours / not JSON / absent */
	f = fopen(path, "w");
	fputs("{\"x\": 1}", f);
	fclose(f);
	assert_int_equal(kt_host_facts_load_json(ctx, path, &hf), KT_EFORMAT);
	f = fopen(path, "w");
	fputs("{\"interfaces\": [", f);
	fclose(f);
	assert_int_equal(kt_host_facts_load_json(ctx, path, &hf), KT_EFORMAT);
	/* wrong types inside are "unknown", entries without a name are skipped */
	f = fopen(path, "w");
	fputs("{\"interfaces\": [1, null, {\"name\": \"eth0\", \"mtu\": \"9000\", "
	      "\"driver\": 7, \"management\": \"yes\"}, {\"mtu\": 1500}], \"networks\": {}}", f);
	fclose(f);
	assert_int_equal(kt_host_facts_load_json(ctx, path, &hf), 0);
	assert_int_equal(hf->n_ifaces, 1);
	assert_string_equal(hf->ifaces[0].name, "eth0");
	assert_int_equal(hf->ifaces[0].mtu, -1);
	assert_null(hf->ifaces[0].driver);
	assert_false(hf->ifaces[0].management);
	assert_int_equal(hf->n_networks, 0);
	kt_host_facts_free(hf);
	unlink(path);
	assert_int_equal(kt_host_facts_load_json(ctx, path, &hf), KT_EIO);

	free(json);
	free(text);
	kt_net_inventory_free(inv);
	kt_host_ops_system_free(ops);
	kt_ctx_free(ctx);
	free(dir);
}

/* Three hosts, one of them never re-plugged its storage PIF. */
static void
test_pool_out_of_line(void **state)
{
	char *dir = fixture("tests/host/xe-pool-3-out-of-line");
	struct kt_host_ops *ops = kt_host_ops_system_new(NULL);
	struct kt_net_inventory *inv = audit(ops, dir);
	const struct kt_net_finding *f;

	(void)state;
	f = finding(inv, "pool-host-out-of-line", "bond1");
	assert_non_null(f);
	assert_string_equal(f->host, "xs-c");
	f = finding(inv, "network-pif-mtu-mismatch", "bond1");
	assert_non_null(f);
	assert_string_equal(f->host, "xs-c");
	f = finding(inv, "pool-driver-differs", "bond1");
	assert_non_null(f);
	assert_string_equal(f->host, "xs-c");
	/* the two enic hosts are still flagged, the ixgbe one is not */
	for (size_t i = 0; i < inv->n_findings; i++)
		if (strcmp(inv->findings[i].id, "jumbo-depends") == 0)
			assert_string_not_equal(inv->findings[i].host, "xs-c");
	kt_net_inventory_free(inv);
	kt_host_ops_system_free(ops);
	free(dir);
}

static void
add_member(struct archive *a, const char *name, const char *text)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)strlen(text));
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, text, strlen(text)), (la_ssize_t)strlen(text));
	archive_entry_free(e);
}

/* A status report written in xen-bugtool's naming (research 6). */
static void
test_status_report(void **state)
{
	char path[] = "/tmp/kt-net-sr-XXXXXX";
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_driver_db *db;
	struct kt_net_inventory *inv;
	struct archive *a;
	const struct kt_net_iface *bond;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	a = archive_write_new();
	archive_write_add_filter_bzip2(a);
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	add_member(a, "bug-report-20260101/ip-s-addr.out",
		   "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n"
		   "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
		   "2: eth2: <BROADCAST,MULTICAST,SLAVE,UP> mtu 9000 qdisc mq master bond0 state UP\n"
		   "3: eth3: <BROADCAST,MULTICAST,SLAVE,UP> mtu 9000 qdisc mq master bond0 state UP\n"
		   "4: bond0: <BROADCAST,MULTICAST,MASTER,UP> mtu 9000 qdisc noqueue state UP\n"
		   "5: bond0.20@bond0: <BROADCAST,MULTICAST,UP> mtu 9000 qdisc noqueue state UP\n");
	add_member(a, "bug-report-20260101/ethtool-i-eth2.out",
		   "driver: enic\nversion: 2.3.0.53\nbus-info: 0000:06:00.0\n");
	add_member(a, "bug-report-20260101/ethtool-i-eth3.out",
		   "driver: enic\nversion: 2.3.0.53\nbus-info: 0000:07:00.0\n");
	add_member(a, "bug-report-20260101/proc/net/bonding/bond0",
		   "Bonding Mode: fault-tolerance (active-backup)\n\nSlave Interface: eth2\n"
		   "MII Status: up\n\nSlave Interface: eth3\nMII Status: up\n");
	add_member(a, "bug-report-20260101/proc/net/vlan/config",
		   "VLAN Dev name    | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n"
		   "bond0.20       | 20  | bond0\n");
	/* an OVS host: bond1 is an OVS port of xenbr1 with two enic members */
	add_member(a, "bug-report-20260101/ethtool-i-eth4.out", "driver: enic\nbus-info: 0000:08:00.0\n");
	add_member(a, "bug-report-20260101/ethtool-i-eth5.out", "driver: enic\nbus-info: 0000:09:00.0\n");
	add_member(a, "bug-report-20260101/ovs-vsctl-list-ports-xenbr1.out", "bond1\nvif2.0\n");
	add_member(a, "bug-report-20260101/ovs-appctl-bond%show-bond1.out",
		   "---- bond1 ----\nbond_mode: active-backup\n\nmember eth4: enabled\n"
		   "  active member\n\nmember eth5: enabled\n");
	/* the kernel log says what the vNICs carry (enic_res.c, enic_main.c
	 * formats; values invented): eth2's vNIC is at 1500 under MTU 9000 */
	add_member(a, "bug-report-20260101/var/log/kern.log",
		   "Jan  1 00:00:01 xs-a kernel: [    3.100000] enic 0000:06:00.0: vNIC MAC addr "
		   "00:25:b5:00:00:1f wq/rq 256/512 mtu 1500\n"
		   "Jan  1 00:00:01 xs-a kernel: [    3.100100] enic 0000:06:00.0: vNIC csum tx/rx "
		   "yes/yes tso/lro yes/yes rss yes intr mode any type min timer 125 usec loopback "
		   "tag 0x0000\n"
		   "Jan  1 00:00:01 xs-a kernel: [    3.200000] enic 0000:07:00.0: vNIC MAC addr "
		   "00:25:b5:00:00:2f wq/rq 256/512 max wq/rq/cq 8/8/16 mtu 9000\n"
		   "Jan  1 00:09:00 xs-a kernel: [  540.000000] enic 0000:08:00.0 eth4: interface MTU "
		   "(9000) set higher than switch port MTU (1500)\n");
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);

	assert_int_equal(kt_driver_db_load(ctx, &db), 0);
	assert_int_equal(kt_net_inventory_new(ctx, &inv), 0);
	if (kt_net_inventory_status_report(ctx, path, inv) != 0)
		fail_msg("%s", kt_ctx_errmsg(ctx));
	assert_int_equal(kt_net_audit(ctx, inv, db), 0);
	bond = kt_net_inventory_find(inv, NULL, "bond0");
	assert_non_null(bond);
	assert_int_equal(bond->kind, KT_NET_BOND);
	assert_int_equal(bond->n_members, 2);
	assert_string_equal(kt_net_inventory_find(inv, NULL, "bond0.20")->lower, "bond0");
	/* eth2: the vNIC carries 1500 under 9000: evidence, high */
	assert_int_equal(kt_net_inventory_find(inv, NULL, "eth2")->port_mtu, 1500);
	assert_int_equal(finding(inv, "port-mtu-below", "eth2")->sev, KT_NET_SEV_HIGH);
	assert_non_null(strstr(finding(inv, "port-mtu-below", "eth2")->summary, "mtu 1500"));
	assert_non_null(strstr(finding(inv, "port-mtu-below", "eth2")->source, "enic_res.c"));
	assert_null(finding(inv, "jumbo-depends", "eth2"));
	/* eth3: the vNIC carries 9000: still only "depends" */
	assert_int_equal(kt_net_inventory_find(inv, NULL, "eth3")->port_mtu, 9000);
	assert_null(finding(inv, "port-mtu-below", "eth3"));
	assert_non_null(finding(inv, "jumbo-depends", "eth3"));
	/* eth4: enic's switch-port warning names the interface itself */
	assert_int_equal(kt_net_inventory_find(inv, NULL, "eth4")->port_mtu, 1500);
	assert_string_equal(inv->platform, "xenserver");
	bond = kt_net_inventory_find(inv, NULL, "bond1");
	assert_non_null(bond);
	assert_int_equal(bond->kind, KT_NET_BOND);
	assert_int_equal(bond->n_members, 2);
	assert_string_equal(bond->master, "xenbr1");
	assert_string_equal(kt_net_inventory_find(inv, NULL, "eth5")->master, "bond1");
	assert_int_equal(kt_net_inventory_find(inv, NULL, "xenbr1")->kind, KT_NET_OVS);
	kt_net_inventory_free(inv);

	/* not an archive */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(write(fd, "hello\n", 6) == 6);
	close(fd);
	assert_int_equal(kt_net_inventory_new(ctx, &inv), 0);
	assert_true(kt_net_inventory_status_report(ctx, path, inv) < 0);
	kt_net_inventory_free(inv);
	unlink(path);
	kt_driver_db_free(db);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysfs_enic_vs_ixgbe),
		cmocka_unit_test(test_enic_platforms),
		cmocka_unit_test(test_sysfs_mixed),
		cmocka_unit_test(test_fake_trees),
		cmocka_unit_test(test_management_from_inventory),
		cmocka_unit_test(test_ovs),
		cmocka_unit_test(test_xe_audit_and_hostfacts),
		cmocka_unit_test(test_pool_out_of_line),
		cmocka_unit_test(test_status_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
