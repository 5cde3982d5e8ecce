/*
 * net: the inventory model (hosts, interfaces, networks, findings in one
 * arena), the helpers every source uses to fill it, and the resolution of
 * each interface against the driver knowledge base. Sources live in
 * sysfs.c, xe.c and statusreport.c; checks in audit.c.
 */
#include "net/inventory.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/mem.h"

static const char *const kind_names[KT_NET_KIND_COUNT] = {
	[KT_NET_PHYSICAL] = "physical",
	[KT_NET_BOND] = "bond",
	[KT_NET_BRIDGE] = "bridge",
	[KT_NET_VLAN] = "vlan",
	[KT_NET_VETH] = "veth",
	[KT_NET_VIF] = "vif",
	[KT_NET_TUN] = "tun",
	[KT_NET_OVS] = "ovs",
	[KT_NET_LOOPBACK] = "loopback",
	[KT_NET_OTHER] = "other",
};

const char *
kt_net_kind_name(enum kt_net_kind kind)
{
	return (unsigned)kind < KT_NET_KIND_COUNT ? kind_names[kind] : "other";
}

enum kt_net_kind
kt_net_kind_from_name(const char *name)
{
	for (int i = 0; name && i < KT_NET_KIND_COUNT; i++)
		if (strcmp(kind_names[i], name) == 0)
			return (enum kt_net_kind)i;
	return KT_NET_OTHER;
}

static const char *const sev_names[KT_NET_SEV_COUNT] = {
	[KT_NET_SEV_LOW] = "low",
	[KT_NET_SEV_MEDIUM] = "medium",
	[KT_NET_SEV_HIGH] = "high",
};

const char *
kt_net_sev_name(enum kt_net_sev sev)
{
	return (unsigned)sev < KT_NET_SEV_COUNT ? sev_names[sev] : "low";
}

int
kt_net_inventory_new(struct kt_ctx *ctx, struct kt_net_inventory **ret)
{
	struct kt_net_inventory *inv = kt_calloc(1, sizeof(*inv));

	(void)ctx;
	inv->arena = kt_arena_new();
	*ret = inv;
	return 0;
}

void
kt_net_inventory_free(struct kt_net_inventory *inv)
{
	if (!inv)
		return;
	kt_arena_free(inv->arena);
	free(inv);
}

char *
kt_net_dup(struct kt_net_inventory *inv, struct kt_str s)
{
	return kt_arena_strndup(inv->arena, s.p ? s.p : "", s.len);
}

char *
kt_net_strdup(struct kt_net_inventory *inv, const char *s)
{
	return s ? kt_arena_strdup(inv->arena, s) : NULL;
}

int
kt_net_atoi(struct kt_str s)
{
	uint64_t v;
	bool neg = false;

	s = kt_str_trim(s);
	if (s.len && s.p[0] == '-') {
		neg = true;
		s = kt_str_skip(s, 1);
	}
	if (s.len == 0 || kt_parse_dec(s, &v) != s.len || v > 0x7fffffff)
		return -1;
	return neg ? -(int)v : (int)v;
}

struct kt_net_iface *
kt_net_add_iface(struct kt_net_inventory *inv, const char *host, const char *name)
{
	struct kt_net_iface *f = kt_arena_push(inv->arena, (void **)&inv->ifaces,
					       &inv->n_ifaces, &inv->cap_ifaces, sizeof(*f));

	f->host = kt_net_strdup(inv, host);
	f->name = kt_net_strdup(inv, name ? name : "");
	f->mtu = f->min_mtu = f->max_mtu = f->speed = f->vlan = f->other_config_mtu = f->port_mtu = -1;
	f->kind = KT_NET_OTHER;
	return f;
}

struct kt_net_network *
kt_net_add_network(struct kt_net_inventory *inv)
{
	struct kt_net_network *n = kt_arena_push(inv->arena, (void **)&inv->networks,
						 &inv->n_networks, &inv->cap_networks,
						 sizeof(*n));

	n->mtu = -1;
	return n;
}

struct kt_net_host *
kt_net_add_host(struct kt_net_inventory *inv)
{
	return kt_arena_push(inv->arena, (void **)&inv->hosts, &inv->n_hosts, &inv->cap_hosts,
			     sizeof(struct kt_net_host));
}

void
kt_net_add_finding(struct kt_net_inventory *inv, const char *id, enum kt_net_sev sev,
		   const char *host, const char *subject, const char *source,
		   const char *remedy, const char *fmt, ...)
{
	struct kt_net_finding *f;
	struct kt_buf b;
	va_list ap;

	kt_buf_init(&b);
	va_start(ap, fmt);
	{
		char tmp[1024];

		(void)vsnprintf(tmp, sizeof(tmp), fmt, ap);
		kt_buf_adds(&b, tmp);
	}
	va_end(ap);
	f = kt_arena_push(inv->arena, (void **)&inv->findings, &inv->n_findings,
			  &inv->cap_findings, sizeof(*f));
	f->id = id;
	f->sev = sev;
	f->host = kt_net_strdup(inv, host);
	f->subject = kt_net_strdup(inv, subject);
	f->source = kt_net_strdup(inv, source);
	f->remedy = kt_net_strdup(inv, remedy);
	f->summary = kt_net_strdup(inv, b.p ? b.p : "");
	kt_buf_deinit(&b);
}

static bool
same_host(const char *a, const char *b)
{
	if (!a || !b)
		return true;
	return strcmp(a, b) == 0;
}

/* FNV-1a of an interface name. */
static size_t
name_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
index_insert(size_t *slots, size_t cap, const struct kt_net_iface *ifaces, size_t i)
{
	size_t h = name_hash(ifaces[i].name) & (cap - 1);

	while (slots[h])
		h = (h + 1) & (cap - 1);
	slots[h] = i + 1;
}

/* Bring the name index up to date with inv->ifaces (names and hosts never
 * change once added, so only new interfaces are inserted). The index lives
 * in the arena; a grown table abandons the old one there. */
static void
index_update(struct kt_net_inventory *inv)
{
	if (inv->name_indexed == inv->n_ifaces)
		return;
	if ((inv->n_ifaces + 1) * 2 > inv->name_cap) {
		size_t cap = inv->name_cap ? inv->name_cap : 64;

		while ((inv->n_ifaces + 1) * 2 > cap)
			cap *= 2;
		inv->name_slots = kt_arena_alloc(inv->arena, cap * sizeof(*inv->name_slots));
		inv->name_cap = cap;
		inv->name_indexed = 0;
	}
	for (; inv->name_indexed < inv->n_ifaces; inv->name_indexed++)
		index_insert(inv->name_slots, inv->name_cap, inv->ifaces, inv->name_indexed);
}

long
kt_net_iface_index(const struct kt_net_inventory *cinv, const char *host, const char *name)
{
	/* the index is a cache: updating it does not change what the
	 * inventory holds */
	struct kt_net_inventory *inv = (struct kt_net_inventory *)cinv;
	long best = -1;

	if (!name || inv->n_ifaces == 0)
		return -1;
	index_update(inv);
	for (size_t h = name_hash(name) & (inv->name_cap - 1); inv->name_slots[h];
	     h = (h + 1) & (inv->name_cap - 1)) {
		size_t i = inv->name_slots[h] - 1;

		/* the first added wins, as a linear scan would answer */
		if (strcmp(inv->ifaces[i].name, name) == 0 && same_host(host, inv->ifaces[i].host) &&
		    (best < 0 || (size_t)best > i))
			best = (long)i;
	}
	return best;
}

const struct kt_net_iface *
kt_net_inventory_find(const struct kt_net_inventory *inv, const char *host, const char *name)
{
	long i = inv ? kt_net_iface_index(inv, host, name) : -1;

	return i < 0 ? NULL : &inv->ifaces[i];
}

bool
kt_net_inventory_find_host(const struct kt_net_inventory *inv, const char *name)
{
	for (size_t i = 0; name && i < inv->n_hosts; i++)
		if (inv->hosts[i].name && strcmp(inv->hosts[i].name, name) == 0)
			return true;
	return false;
}

void
kt_net_add_member(struct kt_net_inventory *inv, struct kt_net_iface *iface, const char *member)
{
	const char **v;

	if (iface->n_members >= KT_NET_MAX_MEMBERS)
		return;
	for (size_t i = 0; i < iface->n_members; i++)
		if (strcmp(iface->members[i], member) == 0)
			return;
	v = kt_arena_alloc(inv->arena, (iface->n_members + 1) * sizeof(*v));
	if (iface->n_members)
		memcpy(v, iface->members, iface->n_members * sizeof(*v));
	v[iface->n_members++] = kt_net_strdup(inv, member);
	iface->members = v;
}

char *
kt_net_printf(struct kt_net_inventory *inv, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return kt_arena_strdup(inv->arena, tmp);
}

static char *
read_small_path(const struct kt_host_ops *ops, const char *path);

char *
kt_net_read_small_arena(struct kt_net_inventory *inv, const struct kt_host_ops *ops,
			const char *fmt, ...)
{
	char path[4096];
	char *data, *r;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	data = read_small_path(ops, path);
	r = kt_net_strdup(inv, data);
	free(data);
	return r;
}

char *
kt_net_read_small(const struct kt_host_ops *ops, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	return read_small_path(ops, path);
}

static char *
read_small_path(const struct kt_host_ops *ops, const char *path)
{
	char *data;
	size_t len;

	if (!ops->read_file)
		return NULL;
	if (ops->read_file(ops->userdata, path, 65536, &data, &len) != 0)
		return NULL;
	/* trim trailing whitespace and stop at an embedded NUL */
	len = strlen(data);
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == ' ' ||
			   data[len - 1] == '\t' || data[len - 1] == '\r'))
		data[--len] = '\0';
	return data;
}

/* Fill driver facts of one interface. The driver table gives the range and
 * verdict; a PCI-id row overrides them for its chip; netlink's max MTU
 * (what this very kernel accepts) wins over the table's range. */
static void
resolve_one(struct kt_net_inventory *inv, struct kt_net_iface *f, const struct kt_driver_db *db)
{
	const struct kt_pci_info *pci = NULL;
	const struct kt_platform_info *plat;
	const struct kt_driver_info *d;
	unsigned vendor, device;

	if (f->pci_id && sscanf(f->pci_id, "%x:%x", &vendor, &device) == 2)
		pci = kt_driver_db_find_pci(db, vendor, device);
	/* strings are copied: the inventory outlives the db */
	if (!f->driver && pci) {
		f->driver = kt_net_strdup(inv, pci->driver);
		f->driver_from = "pci-id";
	}
	d = kt_driver_db_find(db, f->driver);
	if (!d && f->kind != KT_NET_PHYSICAL && f->kind != KT_NET_OTHER)
		d = kt_driver_db_find(db, kt_net_kind_name(f->kind));
	if (d) {
		f->jumbo = kt_net_strdup(inv, d->jumbo);
		if (d->caveat && d->caveat[0]) {
			f->caveat = kt_net_strdup(inv, d->caveat);
			f->caveat_source = kt_net_strdup(inv, d->source);
		}
		if (f->max_mtu < 0 && d->max_mtu > 0) {
			f->max_mtu = d->max_mtu;
			f->max_mtu_from = "driver-table";
		}
		if (f->min_mtu < 0 && d->min_mtu >= 0)
			f->min_mtu = d->min_mtu;
	}
	if (pci) {
		if (pci->jumbo) {
			f->jumbo = kt_net_strdup(inv, pci->jumbo);
			f->caveat = kt_net_printf(inv, "%s: jumbo %s for this chip%s%s", pci->model,
						  pci->jumbo, d && d->caveat[0] ? ". " : "",
						  d && d->caveat[0] ? d->caveat : "");
			f->caveat_source = kt_net_strdup(inv, pci->source);
		}
		if (pci->max_mtu > 0 && (!f->max_mtu_from || strcmp(f->max_mtu_from, "netlink") != 0)) {
			f->max_mtu = pci->max_mtu;
			f->max_mtu_from = "pci-table";
		}
	}
	/* the platform refines the verdict (enic under XenServer vs plain Linux) */
	f->jumbo_sev = KT_NET_SEV_LOW;
	if (f->driver && (plat = kt_driver_db_find_platform(db, f->driver, inv->platform))) {
		f->jumbo = kt_net_strdup(inv, plat->jumbo);
		f->jumbo_sev = plat->sev;
		/* a chip row with its own verdict (an enic VF) keeps its note */
		if (pci && pci->jumbo) {
			f->caveat = kt_net_printf(inv, "%s. %s", pci->model, plat->caveat);
			f->caveat_source = kt_net_printf(inv, "%s ; %s", pci->source, plat->source);
		} else {
			f->caveat = kt_net_strdup(inv, plat->caveat);
			f->caveat_source = kt_net_strdup(inv, plat->source);
		}
	}
	if (!f->jumbo)
		f->jumbo = "unknown";
}

void
kt_net_inventory_resolve(struct kt_net_inventory *inv, const struct kt_driver_db *db)
{
	for (size_t i = 0; i < inv->n_ifaces; i++)
		resolve_one(inv, &inv->ifaces[i], db);
}

/* Most severe first, discovery order among equals (stable insertion sort;
 * finding lists are short). */
void
kt_net_sort_findings(struct kt_net_inventory *inv)
{
	struct kt_net_finding *v = inv->findings;
	size_t n = inv->n_findings;

	for (size_t i = 1; i < n; i++) {
		struct kt_net_finding x = v[i];
		size_t j = i;

		while (j > 0 && v[j - 1].sev < x.sev) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}
