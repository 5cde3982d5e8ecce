/*
 * net: turn path-MTU probe results (helper "probe", <ktriage/probe.h>) into
 * audit findings: black holes (big packets vanish without ICMP), paths that
 * carry less than the sending interface's MTU, hosts that never answer.
 */
#include <string.h>

#include <ktriage/probe.h>

#include "net/inventory.h"

/* A NIC whose jumbo verdict is "depends" (enic: the vNIC MTU set in UCS)
 * under the probe's outgoing interface (itself, its bond or bridge ports,
 * three levels down): the failing probe is the evidence that turns
 * "depends" into a high finding. */
static void
confirm_depends(struct kt_net_inventory *inv, const struct kt_probe_result *r,
		const struct kt_net_iface *f, int depth)
{
	if (!f || depth > 3)
		return;
	if (f->kind == KT_NET_PHYSICAL && f->driver && f->jumbo && !strcmp(f->jumbo, "depends") &&
	    f->caveat) {
		kt_net_add_finding(inv, "jumbo-depends-fails", KT_NET_SEV_HIGH, f->host, f->name,
				   f->caveat_source,
				   kt_net_printf(inv, "lower the MTU to what the path carries (%d), or "
						 "fix the hop that drops larger frames first; on a "
						 "XenServer pool 'ktriage net plan --network NAME --mtu "
						 "%d --xe' prints the steps", r->pmtu, r->pmtu),
				   "%s (driver %s) is under interface %s (MTU %d), and the DF probe to "
				   "%s passes only %d bytes (%d fail): the jumbo frames this NIC "
				   "depends on do not get through. %s", f->name, f->driver, r->iface,
				   r->iface_mtu, r->host, r->pmtu, r->smallest_failed, f->caveat);
		return;
	}
	for (size_t i = 0; i < f->n_members; i++)
		confirm_depends(inv, r, kt_net_inventory_find(inv, f->host, f->members[i]),
				depth + 1);
}

void
kt_net_audit_add_probe(struct kt_net_inventory *inv, const struct kt_probe_result *r)
{
	const char *remedy = "find the hop with the smaller MTU (switch ports, VIC vNIC, OVS "
			     "port, storage target) and make the MTU equal end to end, or lower "
			     "the interface MTU to what the path carries";

	switch (r->verdict) {
	case KT_PROBE_VERDICT_BLACK_HOLE:
		kt_net_add_finding(inv, "path-mtu-black-hole", KT_NET_SEV_HIGH, NULL, r->host,
				   "RFC 2923 (path MTU black holes: large packets lost without an ICMP error)",
				   remedy,
				   "packets to %s (%s) up to %d bytes pass but %d-byte packets vanish "
				   "without an ICMP error (interface %s MTU %d): a device on the path "
				   "silently drops frames it cannot carry", r->host, r->addr, r->pmtu,
				   r->smallest_failed, r->iface[0] ? r->iface : "?", r->iface_mtu);
		break;
	case KT_PROBE_VERDICT_LIMITED:
		if (r->iface_mtu > 0 && r->pmtu > 0 && r->pmtu < r->iface_mtu)
			kt_net_add_finding(inv, "path-mtu-limited", KT_NET_SEV_MEDIUM, NULL, r->host,
					   NULL, remedy,
					   "the path to %s carries %d bytes, less than the MTU %d of "
					   "interface %s (hop %s announced %d)", r->host, r->pmtu,
					   r->iface_mtu, r->iface[0] ? r->iface : "?",
					   r->hop_addr[0] ? r->hop_addr : "?", r->hop_mtu);
		break;
	case KT_PROBE_VERDICT_NO_REPLY:
		kt_net_add_finding(inv, "path-no-reply", KT_NET_SEV_LOW, NULL, r->host, NULL,
				   "check that the host is up and answers ICMP echo",
				   "%s (%s) did not answer even the smallest probe", r->host, r->addr);
		break;
	default:
		break;
	}
	if (r->iface[0] && r->pmtu > 0 && r->iface_mtu > r->pmtu &&
	    (r->verdict == KT_PROBE_VERDICT_BLACK_HOLE || r->verdict == KT_PROBE_VERDICT_LIMITED))
		confirm_depends(inv, r, kt_net_inventory_find(inv, NULL, r->iface), 0);
	kt_net_sort_findings(inv);
}
