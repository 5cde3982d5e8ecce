/*
 * Host facts: what the network audit learned about a host (or pool), in the
 * form the diagnosis rules consume. The net stage fills it (live sysfs,
 * --sysfs-root, xe dumps, status reports) and writes/reads it as JSON
 * (`ktriage net audit --format json` output is loadable with
 * kt_host_facts_load_json); the diagnose stage only reads it.
 */
#ifndef KTRIAGE_HOSTFACTS_H
#define KTRIAGE_HOSTFACTS_H

#include <stdbool.h>
#include <stddef.h>

#include <ktriage/error.h>
#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One network interface (physical NIC, bond, bridge, VLAN, veth, vif ...). */
struct kt_host_iface {
	char *host;		/* host name or uuid for pool facts; NULL for a single host */
	char *name;		/* "eth0", "xenbr0", "bond0", "eth0.100" */
	char *kind;		/* "physical", "bond", "bridge", "vlan", "veth", "vif", "tun", "ovs", "other" */
	char *driver;		/* "enic", "ixgbe" ... or NULL */
	int mtu;		/* configured MTU, or -1 */
	int max_mtu;		/* what the driver accepts (netlink / driver table), or -1 */
	char *jumbo;		/* driver table verdict: "yes", "no", "depends", "unknown" */
	char *master;		/* bond/bridge it is enslaved to, or NULL */
	char *lower;		/* VLAN parent, or NULL */
	bool management;	/* carries the XenServer management IP */
	int port_mtu;		/* what the NIC's port carries per the driver's own log
				 * (enic: the vNIC MTU set in UCS); <= 0 unknown */
};

/* A XenServer network (xe network-list) or a Linux bridge seen as a network. */
struct kt_host_network {
	char *uuid;
	char *name;		/* name-label */
	char *bridge;
	int mtu;
};

struct kt_host_facts {
	struct kt_host_iface *ifaces;
	size_t n_ifaces;
	struct kt_host_network *networks;
	size_t n_networks;
	char *source;		/* "sysfs:/", "xe-dir:DIR", "status-report:FILE" ... */
};

/* Load host facts from the JSON that `ktriage net audit --format json`
 * prints. Caller owns *ret; free with kt_host_facts_free(). Returns 0,
 * KT_EIO or KT_EFORMAT (message on ctx). */
KT_API int kt_host_facts_load_json(struct kt_ctx *ctx, const char *path,
				   struct kt_host_facts **ret);
/* Free host facts; NULL is a no-op. */
KT_API void kt_host_facts_free(struct kt_host_facts *hf);

#ifdef __cplusplus
}
#endif
#endif
