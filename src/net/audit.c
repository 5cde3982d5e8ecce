/*
 * net: the MTU audit. Consumes a resolved inventory (sysfs, xe, status
 * report) and adds findings: jumbo MTU on a driver that cannot carry it,
 * MTU above the driver maximum, network vs PIF MTU (PIFs not re-plugged),
 * VLAN above a smaller parent, mixed bond members, jumbo on the management
 * interface, bridge ports below the bridge, a pool host out of line.
 * Facts about drivers come from data/net/; the checks here are mechanism.
 */
#include <stdlib.h>
#include <string.h>

#include "net/inventory.h"

#define STD_MTU 1500

static const char *const remedy_std_mtu_xe =
	"set the network's MTU back to 1500 and re-plug its PIFs host by host "
	"('ktriage net plan --network NETWORK --mtu 1500 --xe' prints the steps)";

static const struct kt_net_network *
network_of(const struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	for (size_t i = 0; f->network_uuid && i < inv->n_networks; i++)
		if (inv->networks[i].uuid && strcmp(inv->networks[i].uuid, f->network_uuid) == 0)
			return &inv->networks[i];
	return NULL;
}

static const struct kt_net_iface *
master_of(const struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	return f->master ? kt_net_inventory_find(inv, f->host, f->master) : NULL;
}

/* The MTU the NIC is (or, once re-plugged, will be) asked to carry: its own,
 * its bond's, and for xe PIFs the MTU of the network(s) above it. */
static int
wanted_mtu(const struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	const struct kt_net_iface *m = master_of(inv, f);
	const struct kt_net_network *n = network_of(inv, f);
	int mtu = f->mtu;

	/* only a bond pushes its MTU to its members; bridge ports keep theirs */
	if (m && m->kind != KT_NET_BOND)
		m = NULL;
	if (m && m->mtu > mtu)
		mtu = m->mtu;
	if (m && network_of(inv, m) && network_of(inv, m)->mtu > mtu)
		mtu = network_of(inv, m)->mtu;
	if (n && n->mtu > mtu)
		mtu = n->mtu;
	return mtu;
}

static const char *
subject_name(const struct kt_net_iface *f)
{
	return f->name;
}

/* The network whose MTU reaches this NIC (its own, or its bond's). */
static const struct kt_net_network *
carrying_network(const struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	const struct kt_net_iface *m = master_of(inv, f);
	const struct kt_net_network *n = m ? network_of(inv, m) : NULL;

	return n ? n : network_of(inv, f);
}

static void
check_driver(struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	int mtu = wanted_mtu(inv, f);
	const struct kt_net_network *net = carrying_network(inv, f);
	const char *remedy = remedy_std_mtu_xe;

	if (!inv->is_xe) {
		const struct kt_net_iface *m = master_of(inv, f);
		bool bond = m && m->kind == KT_NET_BOND;

		remedy = kt_net_printf(inv, "set the MTU back to 1500: 'ip link set dev %s mtu 1500'%s, "
				       "in the distribution's network configuration, and on the "
				       "switch ports and peers", bond ? m->name : f->name,
				       bond ? " (its bond)" : "");
	}
	if (net && net->uuid && net->mtu > STD_MTU)
		remedy = kt_net_printf(inv, "set network '%s' back to MTU 1500 and re-plug its PIFs "
				       "host by host: 'ktriage net plan --network %s --mtu 1500 --xe' "
				       "prints the steps", net->name ? net->name : net->uuid, net->uuid);

	if (f->kind != KT_NET_PHYSICAL || mtu <= STD_MTU || !f->driver)
		return;
	/* the driver's own log says the port carries less: evidence, not a maybe
	 * (enic: the vNIC MTU set in UCS; data/net/log-evidence.tsv) */
	if (f->port_mtu > 0 && mtu > f->port_mtu) {
		kt_net_add_finding(inv, "port-mtu-below", KT_NET_SEV_HIGH, f->host, subject_name(f),
				   f->port_mtu_source,
				   net && net->uuid
					   ? kt_net_printf(inv, "'ktriage net plan --network \"%s\" --mtu "
							   "%d --xe' prints the steps back to what the "
							   "port carries; or raise the port first (enic: "
							   "the vNIC MTU in UCS, the fabric interconnect "
							   "QoS class 9216, the switch ports)",
							   net->name ? net->name : net->uuid, f->port_mtu)
					   : kt_net_printf(inv, "lower the MTU to %d, or raise the port "
							   "first (enic: the vNIC MTU in UCS, the fabric "
							   "interconnect QoS class 9216, the switch ports)",
							   f->port_mtu),
				   "%s (driver %s) is asked for MTU %d but its port carries %d, as the "
				   "driver logged (\"%s\"): larger frames are dropped at the port, and "
				   "guest VIFs above it make dom0 refragment (Linux bridge) or drop "
				   "(Open vSwitch) their frames", f->name, f->driver, mtu, f->port_mtu,
				   f->port_mtu_from ? f->port_mtu_from : "");
		return;
	}
	if (strcmp(f->jumbo, "no") == 0) {
		kt_net_add_finding(inv, "jumbo-unsupported", KT_NET_SEV_HIGH, f->host,
				   subject_name(f), f->caveat_source, remedy,
				   "%s (driver %s) is set to carry MTU %d but this NIC cannot carry "
				   "jumbo frames%s%s", f->name, f->driver, mtu,
				   f->caveat ? ": " : "", f->caveat ? f->caveat : "");
	} else if (f->max_mtu > 0 && mtu > f->max_mtu) {
		kt_net_add_finding(inv, "mtu-above-max", KT_NET_SEV_HIGH, f->host,
				   subject_name(f), f->caveat_source,
				   "lower the MTU to the driver's maximum or below on every host, "
				   "switch port and peer of this network",
				   "%s (driver %s) is asked for MTU %d, above the maximum %d it accepts "
				   "(%s)", f->name, f->driver, mtu, f->max_mtu,
				   f->max_mtu_from ? f->max_mtu_from : "driver table");
	} else if (strcmp(f->jumbo, "depends") == 0 && f->caveat) {
		/* how much it matters comes from data/net/platforms.tsv (enic under
		 * XenServer: medium; unknown platform: low) */
		kt_net_add_finding(inv, "jumbo-depends", f->jumbo_sev, f->host, subject_name(f),
				   f->caveat_source,
				   kt_net_printf(inv, "verify the path with a DF ping at the full size "
						 "from every host ('ping -M do -s %d PEER' must pass, "
						 "'-s %d' must fail)%s", mtu - 28, mtu - 27,
						 net && net->uuid ? kt_net_printf(inv, "; if it does not, "
						 "'ktriage net plan --network \"%s\" --mtu 1500 --xe' prints the "
						 "steps back", net->name ? net->name : net->uuid) : ""),
				   "%s (driver %s) carries MTU %d%s%s%s; jumbo frames here depend on "
				   "the hardware, firmware or path: %s", f->name, f->driver, mtu,
				   inv->platform ? " (platform: " : "", inv->platform ? inv->platform : "",
				   inv->platform ? ")" : "", f->caveat);
	}
}

static void
check_management(struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	const struct kt_net_network *n = network_of(inv, f);
	int mtu = n && n->mtu > f->mtu ? n->mtu : f->mtu;

	if (!f->management || mtu <= STD_MTU)
		return;
	kt_net_add_finding(inv, "management-jumbo", KT_NET_SEV_MEDIUM, f->host, f->name,
			   "https://docs.xcp-ng.org/networking/ (MTUs: non-standard MTU not "
			   "supported on management interfaces)",
			   "set the management network to 1500 with network-param-set and "
			   "reboot the hosts one by one (the management PIF is not unplugged)",
			   "management interface %s uses MTU %d; non-standard MTUs on the "
			   "management interface can break pool joins and management traffic",
			   f->name, mtu);
}

static void
check_vlan(struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	const struct kt_net_iface *p;
	const struct kt_net_network *vn, *pn;
	int vmtu, pmtu;

	if (f->kind != KT_NET_VLAN || !f->lower)
		return;
	p = kt_net_inventory_find(inv, f->host, f->lower);
	if (!p)
		return;
	vn = network_of(inv, f);
	pn = network_of(inv, p);
	vmtu = vn ? vn->mtu : f->mtu;
	pmtu = pn ? pn->mtu : p->mtu;
	if (vmtu <= 0 || pmtu <= 0 || vmtu <= pmtu)
		return;
	kt_net_add_finding(inv, "vlan-above-parent", KT_NET_SEV_HIGH, f->host, f->name,
			   "https://docs.xcp-ng.org/networking/ (MTU and VLAN interaction)",
			   "raise the parent (untagged) interface's MTU first, or lower the VLAN's",
			   "VLAN %s wants MTU %d but its parent %s has MTU %d: larger frames are "
			   "dropped", f->name, vmtu, p->name, pmtu);
}

static void
check_bond(struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	const struct kt_net_iface *first = NULL;
	bool mixed_driver = false, mixed_mtu = false;

	if (f->kind != KT_NET_BOND || f->n_members == 0)
		return;
	for (size_t i = 0; i < f->n_members; i++) {
		const struct kt_net_iface *m = kt_net_inventory_find(inv, f->host, f->members[i]);

		if (!m)
			continue;
		if (!first) {
			first = m;
			continue;
		}
		if (m->driver && first->driver && strcmp(m->driver, first->driver) != 0)
			mixed_driver = true;
		if (m->mtu > 0 && first->mtu > 0 && m->mtu != first->mtu)
			mixed_mtu = true;
	}
	if (mixed_driver)
		kt_net_add_finding(inv, "bond-mixed-drivers", KT_NET_SEV_MEDIUM, f->host, f->name,
				   NULL, "bond NICs of the same model and driver",
				   "bond %s has members with different drivers: MTU limits, offloads "
				   "and failover behaviour differ between them", f->name);
	if (mixed_mtu)
		kt_net_add_finding(inv, "bond-mixed-mtu", KT_NET_SEV_MEDIUM, f->host, f->name,
				   NULL, "re-plug the bond (or re-enslave the members) so every "
				   "member carries the bond's MTU",
				   "bond %s has members with different MTUs", f->name);
}

static void
check_bridge(struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	if ((f->kind != KT_NET_BRIDGE && f->kind != KT_NET_OVS) || f->mtu <= 0)
		return;
	for (size_t i = 0; i < f->n_members; i++) {
		const struct kt_net_iface *m = kt_net_inventory_find(inv, f->host, f->members[i]);

		if (!m || m->mtu <= 0 || m->mtu >= f->mtu || m->kind == KT_NET_VIF ||
		    m->kind == KT_NET_TUN)
			continue;
		kt_net_add_finding(inv, "bridge-port-mtu", KT_NET_SEV_MEDIUM, f->host, m->name,
				   NULL, "give every port of the bridge the same MTU",
				   "port %s of bridge %s has MTU %d, below the bridge's %d: larger "
				   "frames forwarded to it are dropped", m->name, f->name, m->mtu,
				   f->mtu);
	}
}

/* xapi applies network.MTU only when a PIF is plugged; a PIF whose MTU
 * differs was not re-plugged or the driver refused (research 3.3). */
static void
check_network_pif(struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	const struct kt_net_network *n = network_of(inv, f);

	if (!n || n->mtu <= 0 || f->mtu <= 0 || f->mtu == n->mtu || !f->attached)
		return;
	if (f->other_config_mtu > 0 && f->other_config_mtu == f->mtu)
		return;
	kt_net_add_finding(inv, "network-pif-mtu-mismatch", KT_NET_SEV_MEDIUM, f->host, f->name,
			   "xen-api ocaml/xapi/nm.ml (MTU applied on PIF plug)",
			   "re-plug the PIF (xe pif-unplug/pif-plug, or reboot the host) and check "
			   "that the driver accepts the MTU",
			   "PIF %s is at MTU %d but its network '%s' says %d: the PIF was not "
			   "re-plugged since the change, or the driver refused it",
			   f->name, f->mtu, n->name ? n->name : n->uuid, n->mtu);
}

/* Driver behind a PIF: its own, or its first bond member's. */
static const char *
pif_driver(const struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	const struct kt_net_iface *m;

	if (f->driver || f->n_members == 0)
		return f->driver;
	m = kt_net_inventory_find(inv, f->host, f->members[0]);
	return m ? m->driver : NULL;
}

static bool
same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* One host of a pool whose PIF on a network has another MTU or driver
 * than the majority of hosts. */
static void
check_pool(struct kt_net_inventory *inv)
{
	size_t *on = calloc(inv->n_ifaces ? inv->n_ifaces : 1, sizeof(*on));

	for (size_t ni = 0; on && ni < inv->n_networks; ni++) {
		const struct kt_net_network *n = &inv->networks[ni];
		size_t count = 0;

		for (size_t i = 0; n->uuid && i < inv->n_ifaces; i++)
			if (inv->ifaces[i].network_uuid && strcmp(inv->ifaces[i].network_uuid, n->uuid) == 0)
				on[count++] = i;
		if (count < 3)
			continue;	/* no majority with fewer than three hosts */
		for (size_t a = 0; a < count; a++) {
			const struct kt_net_iface *f = &inv->ifaces[on[a]];
			size_t same_mtu = 0, same_drv = 0;

			for (size_t b = 0; b < count; b++) {
				const struct kt_net_iface *g = &inv->ifaces[on[b]];

				same_mtu += g->mtu == f->mtu;
				same_drv += same_str(pif_driver(inv, g), pif_driver(inv, f));
			}
			if (same_mtu * 2 < count)
				kt_net_add_finding(inv, "pool-host-out-of-line", KT_NET_SEV_MEDIUM,
						   f->host, f->name, NULL,
						   "bring this host in line with the others (re-plug the "
						   "PIF or fix the host's NIC configuration)",
						   "on network '%s' this host's %s has MTU %d while most "
						   "hosts differ", n->name ? n->name : n->uuid, f->name,
						   f->mtu);
			if (same_drv * 2 < count && pif_driver(inv, f))
				kt_net_add_finding(inv, "pool-driver-differs", KT_NET_SEV_LOW, f->host,
						   f->name, NULL,
						   "check that this host's NIC can carry the network's MTU",
						   "on network '%s' this host's %s uses driver %s, unlike "
						   "most hosts", n->name ? n->name : n->uuid, f->name,
						   pif_driver(inv, f));
		}
	}
	free(on);
}

int
kt_net_audit(struct kt_ctx *ctx, struct kt_net_inventory *inv, const struct kt_driver_db *db)
{
	(void)ctx;
	inv->n_findings = 0;
	kt_net_inventory_resolve(inv, db);
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *f = &inv->ifaces[i];

		check_driver(inv, f);
		check_management(inv, f);
		check_vlan(inv, f);
		check_bond(inv, f);
		check_bridge(inv, f);
		check_network_pif(inv, f);
	}
	check_pool(inv);
	kt_net_sort_findings(inv);
	return 0;
}
