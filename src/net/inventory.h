/*
 * net (internal): helpers shared by the inventory sources (sysfs, xe,
 * status report), the audit and the plan. Everything allocates in the
 * inventory arena.
 */
#ifndef KT_NET_INVENTORY_H
#define KT_NET_INVENTORY_H

#include <ktriage/net.h>

#include "util/str.h"

/* Append a zeroed interface (mtu/max_mtu/... set to -1). The pointer is
 * valid until the next kt_net_add_iface(). */
struct kt_net_iface *kt_net_add_iface(struct kt_net_inventory *inv, const char *host,
				      const char *name);
struct kt_net_network *kt_net_add_network(struct kt_net_inventory *inv);
struct kt_net_host *kt_net_add_host(struct kt_net_inventory *inv);
void kt_net_add_finding(struct kt_net_inventory *inv, const char *id, enum kt_net_sev sev,
			const char *host, const char *subject, const char *source,
			const char *remedy, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
/* One row of data/net/platforms.tsv: a driver's verdict on one platform. */
struct kt_platform_info {
	const char *driver, *platform, *jumbo, *caveat, *source;
	enum kt_net_sev sev;
};
/* The row for (driver, platform or "unknown" when NULL), or NULL. */
const struct kt_platform_info *kt_driver_db_find_platform(const struct kt_driver_db *db,
							  const char *driver,
							  const char *platform);

/* Most severe finding first, discovery order among equals. */
void kt_net_sort_findings(struct kt_net_inventory *inv);
/* Find an interface index by host and name (host NULL = any); -1 if none. */
long kt_net_iface_index(const struct kt_net_inventory *inv, const char *host,
			const char *name);
/* Is `name` the name-label of a host in inv->hosts? */
bool kt_net_inventory_find_host(const struct kt_net_inventory *inv, const char *name);
/* Status reports (statusreport.c), also read from an unpacked report by
 * the store: the host name of inventory.xml's system-summary element
 * (false when absent or not a plain host name), and the pool uuid of
 * xapi-db.xml read through `read` (bytes read, 0 at the end, < 0 error). */
bool kt_net_sr_hostname(const char *text, char out[254]);
typedef long (*kt_net_read_fn)(void *ud, char *buf, size_t cap);
bool kt_net_sr_pool_uuid(kt_net_read_fn read, void *ud, char out[37]);
/* The same, of the file at `path` (false when it cannot be opened). */
bool kt_net_sr_pool_uuid_file(const char *path, char out[37]);
/* Add `member` to iface->members (no duplicates). */
void kt_net_add_member(struct kt_net_inventory *inv, struct kt_net_iface *iface,
		       const char *member);
/* Copy a view / C string into the inventory arena. */
char *kt_net_dup(struct kt_net_inventory *inv, struct kt_str s);
char *kt_net_strdup(struct kt_net_inventory *inv, const char *s);
/* Parse a decimal int in s (trimmed); -1 if not one. */
int kt_net_atoi(struct kt_str s);

/* Read a small file through ops into a NUL-terminated, trimmed heap string
 * (free()); NULL when absent. */
char *kt_net_read_small(const struct kt_host_ops *ops, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, copied into the inventory arena. */
char *kt_net_read_small_arena(struct kt_net_inventory *inv, const struct kt_host_ops *ops,
			      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* printf into the inventory arena. */
char *kt_net_printf(struct kt_net_inventory *inv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Add Open vSwitch bridges, ports and bonds through `ovs-vsctl` /
 * `ovs-appctl` when ops can run them (silently nothing otherwise). */
void kt_net_inventory_ovs(struct kt_ctx *ctx, const struct kt_host_ops *ops,
			  struct kt_net_inventory *inv);

/* kt_net_inventory_xe through live `xe`, reading only pool, network, PIF,
 * VIF, VM and PBD records (the plan's state checks). */
int kt_net_inventory_xe_light(struct kt_ctx *ctx, const struct kt_host_ops *ops,
			      struct kt_net_inventory *inv);

/* Largest output kept from one command or file of network state. */
#define KT_NET_MAX_OUTPUT (16u << 20)
/* Bounds for untrusted inventories (a real pool has at most 64 hosts and a
 * few thousand interfaces); more are ignored. They keep every O(n^2) check
 * in the audit fast. */
#define KT_NET_MAX_IFACES 8192
#define KT_NET_MAX_NETWORKS 1024
#define KT_NET_MAX_HOSTS 1024
#define KT_NET_MAX_MEMBERS 1024
#define KT_NET_MAX_RECORDS 65536	/* bonds, VLANs, VIFs, PBDs each */

#endif
