/*
 * net: Open vSwitch topology for the sysfs inventory. On XenServer the
 * xenbrN bridges are OVS internal ports and bonds are OVS ports, not Linux
 * bond devices (xen-api ocaml/networkd, the openvswitch backend), so sysfs alone shows members
 * with master "ovs-system". Runs ovs-vsctl/ovs-appctl through ops->run
 * (exec, never a shell); does nothing when they are absent.
 */
#include <stdlib.h>
#include <string.h>

#include "net/inventory.h"

/* Run a command; its stdout lines become a NULL-terminated heap array
 * (free with free_lines). NULL when it cannot run or fails. */
static char **
run_lines(const struct kt_host_ops *ops, const char *const *argv)
{
	char *out, **lines = NULL;
	size_t n = 0;
	int status;

	if (!ops->run || ops->run(ops->userdata, argv, 1u << 20, &out, &status) != 0)
		return NULL;
	if (status != 0) {
		free(out);
		return NULL;
	}
	lines = calloc(1, sizeof(*lines));
	for (char *save = NULL, *t = strtok_r(out, "\n", &save); lines && t;
	     t = strtok_r(NULL, "\n", &save)) {
		char **nl = realloc(lines, (n + 2) * sizeof(*lines));

		if (!nl)
			break;
		lines = nl;
		lines[n] = strdup(t);
		lines[++n] = NULL;
	}
	free(out);
	return lines;
}

static void
free_lines(char **lines)
{
	for (size_t i = 0; lines && lines[i]; i++)
		free(lines[i]);
	free(lines);
}

static bool
in_lines(char **lines, const char *s)
{
	for (size_t i = 0; lines && lines[i]; i++)
		if (strcmp(lines[i], s) == 0)
			return true;
	return false;
}

/* "ovs-appctl bond/show P": "member eth0: enabled" (older: "slave eth0: ..."). */
static void
add_bond_members(struct kt_net_inventory *inv, const struct kt_host_ops *ops, size_t bond,
		 const char *port)
{
	const char *argv[] = { "ovs-appctl", "bond/show", port, NULL };
	char **lines = run_lines(ops, argv);

	for (size_t i = 0; lines && lines[i]; i++) {
		const char *l = lines[i];
		size_t len;

		if (strncmp(l, "member ", 7) == 0)
			l += 7;
		else if (strncmp(l, "slave ", 6) == 0)
			l += 6;
		else
			continue;
		len = strcspn(l, ":");
		if (len == 0 || len >= 64 || l[len] != ':')
			continue;
		{
			char name[64];
			long m;

			memcpy(name, l, len);
			name[len] = '\0';
			kt_net_add_member(inv, &inv->ifaces[bond], name);
			m = kt_net_iface_index(inv, NULL, name);
			if (m >= 0)
				inv->ifaces[m].master = inv->ifaces[bond].name;
		}
	}
	free_lines(lines);
}

static void
add_bridge(struct kt_net_inventory *inv, const struct kt_host_ops *ops, const char *br)
{
	const char *ports_argv[] = { "ovs-vsctl", "list-ports", br, NULL };
	const char *ifaces_argv[] = { "ovs-vsctl", "list-ifaces", br, NULL };
	char **ports = run_lines(ops, ports_argv);
	char **ifaces = run_lines(ops, ifaces_argv);
	long b = kt_net_iface_index(inv, NULL, br);

	if (b < 0) {
		kt_net_add_iface(inv, NULL, br);
		b = (long)inv->n_ifaces - 1;
	}
	inv->ifaces[b].kind = KT_NET_OVS;
	if (!inv->ifaces[b].driver) {
		inv->ifaces[b].driver = "openvswitch";
		inv->ifaces[b].driver_from = "ovs";
	}
	for (size_t i = 0; ports && ports[i]; i++) {
		long p = kt_net_iface_index(inv, NULL, ports[i]);

		kt_net_add_member(inv, &inv->ifaces[b], ports[i]);
		if (p < 0 && !in_lines(ifaces, ports[i])) {
			/* a port that is no netdev with several interfaces: an OVS bond */
			struct kt_net_iface *f = kt_net_add_iface(inv, NULL, ports[i]);

			f->kind = KT_NET_BOND;
			f->driver = "openvswitch";
			f->driver_from = "ovs";
			p = (long)inv->n_ifaces - 1;
			add_bond_members(inv, ops, (size_t)p, ports[i]);
		}
		if (p >= 0)
			inv->ifaces[p].master = inv->ifaces[b].name;
	}
	free_lines(ports);
	free_lines(ifaces);
}

void
kt_net_inventory_ovs(struct kt_ctx *ctx, const struct kt_host_ops *ops,
		     struct kt_net_inventory *inv)
{
	const char *argv[] = { "ovs-vsctl", "list-br", NULL };
	char **brs = run_lines(ops, argv);

	(void)ctx;
	for (size_t i = 0; brs && brs[i] && inv->n_ifaces < KT_NET_MAX_IFACES; i++)
		if (brs[i][0] && strlen(brs[i]) < 64)
			add_bridge(inv, ops, brs[i]);
	free_lines(brs);
}
