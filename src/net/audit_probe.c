/*
 * net: turn path-MTU probe results (helper "probe", <ktriage/probe.h>) into
 * audit findings: black holes (big packets vanish without ICMP), paths that
 * carry less than the sending interface's MTU, hosts that never answer.
 */
#include <ktriage/probe.h>

#include "net/inventory.h"

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
	kt_net_sort_findings(inv);
}
