/*
 * net: inventory of one Linux host from /sys/class/net (live, or a tree
 * given with --sysfs-root), completed by rtnetlink (min/max MTU, link kind)
 * and Open vSwitch (`ovs-vsctl`) when the ops can reach them. Reads only
 * through struct kt_host_ops. Does not judge anything (audit.c does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/inventory.h"
#include "util/ctx.h"
#include "util/mem.h"

#define SYS_NET "/sys/class/net"

static bool xs_inventory_value(const struct kt_host_ops *ops, const char *key, char *buf,
			       size_t size);

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Basename of the target of /sys/class/net/IF/<link>, or NULL. */
static char *
link_base(struct kt_net_inventory *inv, const struct kt_host_ops *ops, const char *ifname,
	  const char *link)
{
	char path[512];
	char *target, *r;

	if (!ops->read_link)
		return NULL;
	(void)snprintf(path, sizeof(path), SYS_NET "/%s/%s", ifname, link);
	if (ops->read_link(ops->userdata, path, &target) != 0)
		return NULL;
	r = kt_net_strdup(inv, basename_of(target));
	free(target);
	return r;
}

/* Map an rtnetlink IFLA_INFO_KIND or a uevent DEVTYPE to our kind. */
static enum kt_net_kind
kind_from_type(const char *t)
{
	static const struct {
		const char *name;
		enum kt_net_kind kind;
	} map[] = {
		{ "bond", KT_NET_BOND }, { "team", KT_NET_BOND },
		{ "bridge", KT_NET_BRIDGE }, { "vlan", KT_NET_VLAN },
		{ "veth", KT_NET_VETH }, { "tun", KT_NET_TUN },
		{ "openvswitch", KT_NET_OVS },
	};

	for (size_t i = 0; t && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, t) == 0)
			return map[i].kind;
	return KT_NET_OTHER;
}

/* DEVTYPE=... line of the uevent file (vlan, bond, bridge, wlan ...). */
static char *
uevent_devtype(const struct kt_host_ops *ops, const char *ifname)
{
	char *ue = kt_net_read_small(ops, SYS_NET "/%s/uevent", ifname);
	char *p, *r = NULL;

	if (!ue)
		return NULL;
	p = strstr(ue, "DEVTYPE=");
	if (p) {
		p += 8;
		r = kt_strndup(p, strcspn(p, "\n"));
	}
	free(ue);
	return r;
}

/* Is SYS_NET/ifname[/sub] a directory? (sub NULL: the interface itself;
 * /sys/class/net also holds the file "bonding_masters") */
static bool
dir_exists(const struct kt_host_ops *ops, const char *ifname, const char *sub)
{
	char path[512];
	char **v;
	size_t n;

	(void)snprintf(path, sizeof(path), SYS_NET "/%s%s%s", ifname, sub ? "/" : "", sub ? sub : "");
	if (!ops->list_dir || ops->list_dir(ops->userdata, path, &v, &n) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return true;
}

static void
read_pci_id(struct kt_net_inventory *inv, const struct kt_host_ops *ops,
	    struct kt_net_iface *f)
{
	char *ven, *dev, *bus = link_base(inv, ops, f->name, "device/subsystem");
	unsigned v, d;

	/* virtio and other buses have vendor/device files too, with other ids */
	if (!bus || strcmp(bus, "pci") != 0)
		return;
	ven = kt_net_read_small(ops, SYS_NET "/%s/device/vendor", f->name);
	dev = kt_net_read_small(ops, SYS_NET "/%s/device/device", f->name);

	if (ven && dev && sscanf(ven, "%x", &v) == 1 && sscanf(dev, "%x", &d) == 1 &&
	    v <= 0xffff && d <= 0xffff)
		f->pci_id = kt_net_printf(inv, "%04x:%04x", v, d);
	free(ven);
	free(dev);
}

static int
read_int(const struct kt_host_ops *ops, const char *ifname, const char *attr)
{
	char *s = kt_net_read_small(ops, SYS_NET "/%s/%s", ifname, attr);
	int v = s ? kt_net_atoi(kt_str_cstr(s)) : -1;

	free(s);
	return v;
}

/* Kind, from the most to the least authoritative source. */
static enum kt_net_kind
classify(const struct kt_host_ops *ops, struct kt_net_iface *f, const char *nl_kind)
{
	enum kt_net_kind k = kind_from_type(nl_kind);
	char *devtype;

	if (k != KT_NET_OTHER)
		return k;
	devtype = uevent_devtype(ops, f->name);
	k = kind_from_type(devtype);
	free(devtype);
	if (k != KT_NET_OTHER)
		return k;
	if (dir_exists(ops, f->name, "bonding"))
		return KT_NET_BOND;
	if (dir_exists(ops, f->name, "bridge"))
		return KT_NET_BRIDGE;
	if (f->driver && (strcmp(f->driver, "vif") == 0 || strcmp(f->driver, "xen-netback") == 0))
		return KT_NET_VIF;
	if (f->driver && strcmp(f->driver, "openvswitch") == 0)
		return KT_NET_OVS;
	if (read_int(ops, f->name, "type") == 772 || strcmp(f->name, "lo") == 0)
		return KT_NET_LOOPBACK;
	if (f->driver)
		return KT_NET_PHYSICAL;
	/* XenServer back-end names without a driver link in a copied tree */
	if (strncmp(f->name, "vif", 3) == 0 && strchr(f->name, '.'))
		return KT_NET_VIF;
	if (strncmp(f->name, "tap", 3) == 0 && strchr(f->name, '.'))
		return KT_NET_TUN;
	return KT_NET_OTHER;
}

/* bonding/slaves, brif/, lower_* links. */
static void
read_topology(struct kt_net_inventory *inv, const struct kt_host_ops *ops, size_t idx)
{
	struct kt_net_iface *f = &inv->ifaces[idx];
	char path[512];
	char **v = NULL;
	size_t n = 0;

	if (f->kind == KT_NET_BOND) {
		char *slaves = kt_net_read_small(ops, SYS_NET "/%s/bonding/slaves", f->name);

		for (char *save = NULL, *t = slaves ? strtok_r(slaves, " \n", &save) : NULL; t;
		     t = strtok_r(NULL, " \n", &save))
			kt_net_add_member(inv, f, t);
		free(slaves);
	}
	if (f->kind == KT_NET_BRIDGE) {
		(void)snprintf(path, sizeof(path), SYS_NET "/%s/brif", f->name);
		if (ops->list_dir && ops->list_dir(ops->userdata, path, &v, &n) == 0) {
			for (size_t i = 0; i < n; i++) {
				kt_net_add_member(inv, f, v[i]);
				free(v[i]);
			}
			free(v);
		}
	}
	(void)snprintf(path, sizeof(path), SYS_NET "/%s", f->name);
	if (!ops->list_dir || ops->list_dir(ops->userdata, path, &v, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(v[i], "lower_", 6) == 0) {
			if (f->kind == KT_NET_BOND)
				kt_net_add_member(inv, f, v[i] + 6);
			else if (!f->lower)
				f->lower = kt_net_strdup(inv, v[i] + 6);
		}
		free(v[i]);
	}
	free(v);
}

static void
read_iface(struct kt_net_inventory *inv, const struct kt_host_ops *ops, const char *name)
{
	struct kt_net_iface *f = kt_net_add_iface(inv, NULL, name);
	size_t idx = inv->n_ifaces - 1;
	char *nl_kind = NULL;
	int mn, mx;

	f->mtu = read_int(ops, name, "mtu");
	f->speed = read_int(ops, name, "speed");
	f->operstate = kt_net_read_small_arena(inv, ops, SYS_NET "/%s/operstate", name);
	f->driver = link_base(inv, ops, name, "device/driver");
	if (f->driver)
		f->driver_from = "sysfs";
	f->master = link_base(inv, ops, name, "master");
	read_pci_id(inv, ops, f);
	if (ops->link_info && ops->link_info(ops->userdata, name, &mn, &mx, &nl_kind) == 0) {
		f->min_mtu = mn;
		/* maxmtu 0 means "no upper check" (linux net/core/dev.c dev_validate_mtu) */
		if (mx > 0) {
			f->max_mtu = mx;
			f->max_mtu_from = "netlink";
		}
	}
	f->kind = classify(ops, f, nl_kind);
	if (!f->driver && (nl_kind || (f->kind != KT_NET_PHYSICAL && f->kind != KT_NET_OTHER))) {
		f->driver = kt_net_strdup(inv, nl_kind ? nl_kind : kt_net_kind_name(f->kind));
		f->driver_from = "kind";
	}
	free(nl_kind);
	read_topology(inv, ops, idx);
}

/* Which platform a sysfs view describes (rows of data/net/platforms.tsv):
 * a XenServer/XCP-ng dom0 has /etc/xensource-inventory, another Xen
 * control domain says "control_d" in /proc/xen/capabilities; a live host
 * (ops can run commands) that is neither is plain Linux; an offline tree
 * is unknown (NULL). */
static const char *
platform_of(const struct kt_host_ops *ops)
{
	char uuid[64];
	char *caps;
	bool dom0;

	if (xs_inventory_value(ops, "INSTALLATION_UUID", uuid, sizeof(uuid)))
		return "xenserver";
	caps = kt_net_read_small(ops, "/proc/xen/capabilities");
	dom0 = caps && strstr(caps, "control_d");
	free(caps);
	if (dom0)
		return "xen-dom0";
	return ops->run ? "linux" : NULL;
}

int
kt_net_inventory_sysfs(struct kt_ctx *ctx, const struct kt_host_ops *ops,
		       struct kt_net_inventory *inv)
{
	char **names;
	size_t n;
	int err;

	if (!ops->list_dir)
		return kt_error(ctx, KT_EINVAL, "host ops cannot list directories");
	err = ops->list_dir(ops->userdata, SYS_NET, &names, &n);
	if (err)
		return kt_error(ctx, err, "cannot list %s: %s", SYS_NET, kt_strerror(err));
	for (size_t i = 0; i < n; i++) {
		/* names come from the filesystem: keep sane ones only */
		if (inv->n_ifaces < KT_NET_MAX_IFACES && names[i][0] && strlen(names[i]) < 64 &&
		    !strchr(names[i], '/') && dir_exists(ops, names[i], NULL))
			read_iface(inv, ops, names[i]);
		free(names[i]);
	}
	free(names);
	/* members learnt from a master's side also give the member its master */
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		for (size_t m = 0; m < inv->ifaces[i].n_members; m++) {
			long j = kt_net_iface_index(inv, NULL, inv->ifaces[i].members[m]);

			if (j >= 0 && !inv->ifaces[j].master)
				inv->ifaces[j].master = inv->ifaces[i].name;
		}
	}
	/* a XenServer dom0 names its management interface (bridge) */
	{
		char mgmt[64];
		long m;

		if (xs_inventory_value(ops, "MANAGEMENT_INTERFACE", mgmt, sizeof(mgmt)) &&
		    (m = kt_net_iface_index(inv, NULL, mgmt)) >= 0)
			inv->ifaces[m].management = true;
	}
	if (!inv->source)
		inv->source = "sysfs";
	if (!inv->platform)
		inv->platform = platform_of(ops);
	kt_net_inventory_ovs(ctx, ops, inv);
	return 0;
}

/* A value of /etc/xensource-inventory (XenServer dom0), e.g.
 * "INSTALLATION_UUID='e4a5c2d1-7b8f-4c6e-a0d3-5f9b1e2c7a40'" or
 * "MANAGEMENT_INTERFACE='xenbr0'". */
static bool
xs_inventory_value(const struct kt_host_ops *ops, const char *key, char *buf, size_t size)
{
	char *inv = kt_net_read_small(ops, "/etc/xensource-inventory");
	size_t klen = strlen(key);
	bool found = false;

	for (char *l = inv; l && *l && !found; l += strcspn(l, "\n"), l += *l == '\n') {
		char *p = l;
		size_t n;

		if (strncmp(p, key, klen) != 0 || p[klen] != '=')
			continue;
		p += klen + 1;
		p += *p == '\'' || *p == '"';
		n = strcspn(p, "'\"\n");
		if (n > 0 && n < size) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			found = true;
		}
	}
	free(inv);
	return found;
}

int
kt_net_inventory_xe_local(struct kt_ctx *ctx, const struct kt_host_ops *ops,
			  struct kt_net_inventory *inv)
{
	char uuid[64];

	if (!xs_inventory_value(ops, "INSTALLATION_UUID", uuid, sizeof(uuid)))
		return kt_error(ctx, KT_ENOTFOUND, "no INSTALLATION_UUID in /etc/xensource-inventory");
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		struct kt_net_iface *f = &inv->ifaces[i];
		char *drv;
		int mn, mx;

		if (!f->host_uuid || strcmp(f->host_uuid, uuid) != 0 || f->kind != KT_NET_PHYSICAL ||
		    strchr(f->name, '/') || strlen(f->name) >= 64)
			continue;
		drv = link_base(inv, ops, f->name, "device/driver");
		if (drv) {
			f->driver = drv;
			f->driver_from = "sysfs";
		}
		if (ops->link_info && ops->link_info(ops->userdata, f->name, &mn, &mx, &drv) == 0) {
			free(drv);
			f->min_mtu = mn;
			if (mx > 0) {
				f->max_mtu = mx;
				f->max_mtu_from = "netlink";
			}
		}
	}
	return 0;
}
