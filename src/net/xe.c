/*
 * net: XenServer pool inventory from `xe` records -- saved dumps in a
 * directory (--xe-dir) or live `xe` through ops->run (--xe). Produces hosts,
 * networks, PIFs (as interfaces with their uuid), bond and VLAN topology,
 * VIFs and PBDs for the audit and the MTU plan. Judges nothing.
 */
#include "net/xe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/inventory.h"
#include "util/arena.h"
#include "util/ctx.h"

/* Find the access suffix " (RO)"-style in a line: returns the offset of the
 * key end and sets *val_off to the start of the value, or -1.
 * "    name-label ( RW): Storage (eth2)"
 * "uuid ( RO)                  : 3c1d6b0e-..."
 * "  other-config (MRW): mtu: 9000" */
static long
split_field(struct kt_str line, size_t *val_off)
{
	static const char *const acc[] = { " RO)", " RW)", "SRO)", "SRW)", "MRO)", "MRW)" };

	for (size_t i = 0; i + 6 <= line.len; i++) {
		size_t j;
		bool hit = false;

		if (line.p[i] != ' ' || line.p[i + 1] != '(')
			continue;
		for (size_t a = 0; a < sizeof(acc) / sizeof(acc[0]); a++)
			if (memcmp(line.p + i + 2, acc[a], 4) == 0)
				hit = true;
		if (!hit)
			continue;
		j = i + 6;
		if (line.len - j >= 13 && memcmp(line.p + j, " [DEPRECATED]", 13) == 0)
			j += 13;
		while (j < line.len && line.p[j] == ' ')
			j++;
		if (j >= line.len || line.p[j] != ':')
			continue;
		j++;
		if (j < line.len && line.p[j] != ' ')
			continue;
		*val_off = j < line.len ? j + 1 : j;
		return (long)i;
	}
	return -1;
}

void
kt_xe_parse(struct kt_arena *arena, struct kt_str text, struct kt_xe_list *ret)
{
	struct kt_xe_record *cur = NULL;

	memset(ret, 0, sizeof(*ret));
	while (text.len > 0) {
		long nl = kt_str_chr(text, '\n');
		struct kt_str line = nl < 0 ? text : kt_str_sub(text, 0, (size_t)nl);
		struct kt_xe_field *f;
		size_t voff;
		long k;

		text = nl < 0 ? kt_str_make(text.p + text.len, 0) : kt_str_skip(text, (size_t)nl + 1);
		if (kt_str_trim(line).len == 0 || (line.len && line.p[line.len - 1] == '\r' &&
						     kt_str_trim(kt_str_sub(line, 0, line.len - 1)).len == 0)) {
			cur = NULL;
			continue;
		}
		k = split_field(line, &voff);
		if (k < 0) {
			ret->bad_lines++;
			continue;
		}
		if (!cur)
			cur = kt_arena_push(arena, (void **)&ret->records, &ret->n, &ret->cap,
					    sizeof(*cur));
		f = kt_arena_push(arena, (void **)&cur->fields, &cur->n, &cur->cap, sizeof(*f));
		f->key = kt_str_trim(kt_str_sub(line, 0, (size_t)k));
		f->value = kt_str_trim(kt_str_skip(line, voff));
		if (f->value.len && f->value.p[f->value.len - 1] == '\r')
			f->value.len--;
	}
}

struct kt_str
kt_xe_get(const struct kt_xe_record *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (kt_str_eq_cstr(r->fields[i].key, key))
			return r->fields[i].value;
	return kt_str_make(NULL, 0);
}

struct kt_str
kt_xe_map_get(struct kt_str map, const char *key)
{
	while (map.len > 0) {
		long semi = kt_str_find(map, "; ");
		struct kt_str item = semi < 0 ? map : kt_str_sub(map, 0, (size_t)semi);
		long colon = kt_str_find(item, ": ");

		map = semi < 0 ? kt_str_make(map.p + map.len, 0) : kt_str_skip(map, (size_t)semi + 2);
		if (colon >= 0 && kt_str_eq_cstr(kt_str_trim(kt_str_sub(item, 0, (size_t)colon)), key))
			return kt_str_trim(kt_str_skip(item, (size_t)colon + 2));
	}
	return kt_str_make(NULL, 0);
}

/* ---- loading the lists ---- */

struct xe_src {
	struct kt_ctx *ctx;
	const struct kt_host_ops *ops;
	const char *dir;	/* NULL: run xe */
	struct kt_arena *arena;	/* texts and parsed lists */
};

/* Read "<dir>/<cls>-list.txt" or run "xe <cls>-list params=all". Returns 0,
 * KT_ENOTFOUND (absent) or KT_EIO. */
static int
load_list(struct xe_src *src, const char *cls, struct kt_xe_list *ret)
{
	char path[4096], cmd[64];
	char *text = NULL;
	size_t len = 0;
	int err, status = 0;

	if (src->dir) {
		(void)snprintf(path, sizeof(path), "%s/%s-list.txt", src->dir, cls);
		if (!src->ops->read_file)
			return KT_EUNSUPPORTED;
		err = src->ops->read_file(src->ops->userdata, path, KT_NET_MAX_OUTPUT, &text, &len);
		if (err == KT_EIO || err == KT_EINVAL)
			return kt_error(src->ctx, KT_EIO, "reading %s", path);
	} else {
		const char *argv[] = { "xe", cmd, "params=all", NULL };

		(void)snprintf(cmd, sizeof(cmd), "%s-list", cls);
		if (!src->ops->run)
			return KT_EUNSUPPORTED;
		err = src->ops->run(src->ops->userdata, argv, KT_NET_MAX_OUTPUT, &text, &status);
		if (err == KT_EIO)
			return kt_error(src->ctx, KT_EIO, "cannot run 'xe %s'", cmd);
		if (!err && status != 0) {
			free(text);
			return kt_error(src->ctx, KT_EIO, "'xe %s params=all' exited with %d", cmd,
					status);
		}
		if (!err)
			len = strlen(text);
	}
	if (err)
		return err;
	{
		char *copy = kt_arena_strndup(src->arena, text, len);

		free(text);
		kt_xe_parse(src->arena, kt_str_make(copy, len), ret);
	}
	return 0;
}

static const char *
dup_or_null(struct kt_net_inventory *inv, struct kt_str s)
{
	if (!s.p || s.len == 0 || kt_str_eq_cstr(s, "<not in database>"))
		return NULL;
	return kt_net_dup(inv, s);
}

static bool
is_true(struct kt_str s)
{
	return kt_str_eq_cstr(s, "true");
}

static const char *
host_name(const struct kt_net_inventory *inv, struct kt_str uuid)
{
	for (size_t i = 0; i < inv->n_hosts; i++)
		if (inv->hosts[i].uuid && kt_str_eq_cstr(uuid, inv->hosts[i].uuid))
			return inv->hosts[i].name;
	return NULL;
}

static void
add_hosts(struct kt_net_inventory *inv, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n && inv->n_hosts < KT_NET_MAX_HOSTS; i++) {
		struct kt_net_host *h = kt_net_add_host(inv);

		h->uuid = dup_or_null(inv, kt_xe_get(&l->records[i], "uuid"));
		h->name = dup_or_null(inv, kt_xe_get(&l->records[i], "name-label"));
		if (!h->name)
			h->name = h->uuid;
	}
}

static void
add_pool(struct kt_net_inventory *inv, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct kt_xe_record *r = &l->records[i];
		struct kt_str master = kt_xe_get(r, "master");

		inv->ha_enabled |= is_true(kt_xe_get(r, "ha-enabled"));
		if (!inv->pool_uuid)
			inv->pool_uuid = dup_or_null(inv, kt_xe_get(r, "uuid"));
		inv->ha_ntol = kt_net_atoi(kt_xe_get(r, "ha-host-failures-to-tolerate"));
		inv->redo_log_enabled |= is_true(kt_xe_get(r, "redo-log-enabled"));
		for (size_t h = 0; h < inv->n_hosts; h++)
			if (master.p && inv->hosts[h].uuid && kt_str_eq_cstr(master, inv->hosts[h].uuid))
				inv->hosts[h].pool_master = true;
	}
}

static void
add_networks(struct kt_net_inventory *inv, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n && inv->n_networks < KT_NET_MAX_NETWORKS; i++) {
		const struct kt_xe_record *r = &l->records[i];
		struct kt_net_network *n = kt_net_add_network(inv);
		struct kt_str pifs = kt_xe_get(r, "PIF-uuids");

		n->uuid = dup_or_null(inv, kt_xe_get(r, "uuid"));
		n->name = dup_or_null(inv, kt_xe_get(r, "name-label"));
		n->bridge = dup_or_null(inv, kt_xe_get(r, "bridge"));
		n->mtu = kt_net_atoi(kt_xe_get(r, "MTU"));
		while (pifs.p && pifs.len > 0 && n->n_pifs < KT_NET_MAX_HOSTS) {
			long semi = kt_str_chr(pifs, ';');
			struct kt_str u = kt_str_trim(semi < 0 ? pifs : kt_str_sub(pifs, 0, (size_t)semi));
			const char **v;

			pifs = semi < 0 ? kt_str_make(NULL, 0) : kt_str_skip(pifs, (size_t)semi + 1);
			if (u.len == 0)
				continue;
			v = kt_arena_alloc(inv->arena, (n->n_pifs + 1) * sizeof(*v));
			if (n->n_pifs)
				memcpy(v, n->pif_uuids, n->n_pifs * sizeof(*v));
			v[n->n_pifs++] = kt_net_dup(inv, u);
			n->pif_uuids = v;
		}
	}
}

/* vendor-id "1137" + device-id "0071" -> "1137:0071" */
static const char *
pif_pci_id(struct kt_net_inventory *inv, const struct kt_xe_record *r)
{
	struct kt_str v = kt_xe_get(r, "vendor-id"), d = kt_xe_get(r, "device-id");
	uint64_t vv, dd;

	if (!v.p || !d.p || v.len == 0 || d.len == 0 || kt_parse_hex(v, &vv) != v.len ||
	    kt_parse_hex(d, &dd) != d.len || vv > 0xffff || dd > 0xffff)
		return NULL;
	return kt_net_printf(inv, "%04x:%04x", (unsigned)vv, (unsigned)dd);
}

static void
add_pif(struct kt_net_inventory *inv, const struct kt_xe_record *r)
{
	struct kt_str dev = kt_xe_get(r, "device"), huuid = kt_xe_get(r, "host-uuid");
	struct kt_str other = kt_xe_get(r, "other-config");
	const char *host = dup_or_null(inv, kt_xe_get(r, "host-name-label"));
	int vlan = kt_net_atoi(kt_xe_get(r, "VLAN"));
	struct kt_net_iface *f;
	char *name = kt_net_dup(inv, dev);

	if (!host && huuid.p)
		host = host_name(inv, huuid);
	if (!host)
		host = dup_or_null(inv, huuid);
	/* A VLAN PIF carries its parent's device name; tell them apart. */
	if (vlan >= 0)
		name = kt_net_printf(inv, "%s.%d", name, vlan);
	f = kt_net_add_iface(inv, host, name);
	f->host_uuid = dup_or_null(inv, huuid);
	f->uuid = dup_or_null(inv, kt_xe_get(r, "uuid"));
	f->network_uuid = dup_or_null(inv, kt_xe_get(r, "network-uuid"));
	f->mtu = kt_net_atoi(kt_xe_get(r, "MTU"));
	f->vlan = vlan;
	f->management = is_true(kt_xe_get(r, "management"));
	f->attached = is_true(kt_xe_get(r, "currently-attached"));
	f->disallow_unplug = is_true(kt_xe_get(r, "disallow-unplug"));
	f->ip_mode = dup_or_null(inv, kt_xe_get(r, "IP-configuration-mode"));
	f->ip = dup_or_null(inv, kt_xe_get(r, "IP"));
	f->netmask = dup_or_null(inv, kt_xe_get(r, "netmask"));
	f->gateway = dup_or_null(inv, kt_xe_get(r, "gateway"));
	f->dns = dup_or_null(inv, kt_xe_get(r, "DNS"));
	f->bond_master_of = dup_or_null(inv, kt_xe_get(r, "bond-master-of"));
	f->bond_slave_of = dup_or_null(inv, kt_xe_get(r, "bond-slave-of"));
	f->pci_id = pif_pci_id(inv, r);
	f->speed = kt_net_atoi(kt_xe_get(r, "speed"));
	f->operstate = is_true(kt_xe_get(r, "carrier")) ? "up" : NULL;
	f->tunnel = dup_or_null(inv, kt_xe_get(r, "tunnel-access-PIF-of")) != NULL;
	f->sriov = dup_or_null(inv, kt_xe_get(r, "sriov-logical-PIF-of")) != NULL;
	if (other.p)
		f->other_config_mtu = kt_net_atoi(kt_xe_map_get(other, "mtu"));
	if (f->bond_master_of)
		f->kind = KT_NET_BOND;
	else if (vlan >= 0)
		f->kind = KT_NET_VLAN;
	else if (is_true(kt_xe_get(r, "physical")))
		f->kind = KT_NET_PHYSICAL;
}

/* PIF uuid -> interface index, sorted for bsearch (pools are small, but
 * the dumps are untrusted and bond/VLAN records look PIFs up by uuid). */
struct pif_ix {
	const char *uuid;
	size_t i;
};

struct pif_index {
	struct pif_ix *v;
	size_t n;
};

static int
cmp_ix(const void *a, const void *b)
{
	return strcmp(((const struct pif_ix *)a)->uuid, ((const struct pif_ix *)b)->uuid);
}

static void
build_index(struct kt_arena *arena, const struct kt_net_inventory *inv, struct pif_index *ret)
{
	ret->v = kt_arena_alloc(arena, (inv->n_ifaces + 1) * sizeof(*ret->v));
	ret->n = 0;
	for (size_t i = 0; i < inv->n_ifaces; i++)
		if (inv->ifaces[i].uuid)
			ret->v[ret->n++] = (struct pif_ix){ inv->ifaces[i].uuid, i };
	qsort(ret->v, ret->n, sizeof(*ret->v), cmp_ix);
}

static long
pif_index(const struct pif_index *ix, struct kt_str uuid)
{
	char key[64];
	struct pif_ix k = { key, 0 }, *hit;

	uuid = kt_str_trim(uuid);
	if (uuid.len == 0 || uuid.len >= sizeof(key))
		return -1;
	memcpy(key, uuid.p, uuid.len);
	key[uuid.len] = '\0';
	hit = bsearch(&k, ix->v, ix->n, sizeof(*ix->v), cmp_ix);
	return hit ? (long)hit->i : -1;
}

/* bond-list: master PIF + "; "-separated slave PIFs. */
static void
link_bonds(struct kt_net_inventory *inv, const struct pif_index *ix, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n && i < KT_NET_MAX_IFACES; i++) {
		const struct kt_xe_record *r = &l->records[i];
		long m = pif_index(ix, kt_xe_get(r, "master"));
		struct kt_str slaves = kt_xe_get(r, "slaves");

		if (m < 0)
			continue;
		inv->ifaces[m].kind = KT_NET_BOND;
		for (size_t k = 0; slaves.p && slaves.len > 0 && k < KT_NET_MAX_MEMBERS; k++) {
			long semi = kt_str_chr(slaves, ';');
			struct kt_str u = semi < 0 ? slaves : kt_str_sub(slaves, 0, (size_t)semi);
			long s = pif_index(ix, u);

			slaves = semi < 0 ? kt_str_make(NULL, 0) : kt_str_skip(slaves, (size_t)semi + 1);
			if (s < 0)
				continue;
			inv->ifaces[s].master = inv->ifaces[m].name;
			kt_net_add_member(inv, &inv->ifaces[m], inv->ifaces[s].name);
		}
	}
}

/* vlan-list: tagged-PIF (parent) under untagged-PIF (the VLAN). */
static void
link_vlans(struct kt_net_inventory *inv, const struct pif_index *ix, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n && i < KT_NET_MAX_IFACES; i++) {
		const struct kt_xe_record *r = &l->records[i];
		long parent = pif_index(ix, kt_xe_get(r, "tagged-PIF"));
		long vlan = pif_index(ix, kt_xe_get(r, "untagged-PIF"));

		if (parent < 0 || vlan < 0)
			continue;
		inv->ifaces[vlan].kind = KT_NET_VLAN;
		inv->ifaces[vlan].lower = inv->ifaces[parent].name;
	}
}

static void
add_vifs(struct kt_net_inventory *inv, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n && i < KT_NET_MAX_RECORDS; i++) {
		const struct kt_xe_record *r = &l->records[i];
		struct kt_net_vif *v = kt_arena_push(inv->arena, (void **)&inv->vifs, &inv->n_vifs,
						     &inv->cap_vifs, sizeof(*v));

		v->uuid = dup_or_null(inv, kt_xe_get(r, "uuid"));
		v->vm_name = dup_or_null(inv, kt_xe_get(r, "vm-name-label"));
		v->network_uuid = dup_or_null(inv, kt_xe_get(r, "network-uuid"));
		v->attached = is_true(kt_xe_get(r, "currently-attached"));
		v->vm_uuid = dup_or_null(inv, kt_xe_get(r, "vm-uuid"));
		v->mtu = kt_net_atoi(kt_xe_get(r, "MTU"));
		v->other_config_mtu = -1;
		if (kt_xe_get(r, "other-config").p)
			v->other_config_mtu = kt_net_atoi(kt_xe_map_get(kt_xe_get(r, "other-config"), "mtu"));
	}
}

/* vm-list: running VMs, where, and whether their VIFs can be hot-plugged. */
static void
add_vms(struct kt_net_inventory *inv, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n && i < KT_NET_MAX_RECORDS; i++) {
		const struct kt_xe_record *r = &l->records[i];
		struct kt_net_vm *v;

		if (is_true(kt_xe_get(r, "is-control-domain")))
			continue;
		v = kt_arena_push(inv->arena, (void **)&inv->vms, &inv->n_vms, &inv->cap_vms,
				  sizeof(*v));
		v->uuid = dup_or_null(inv, kt_xe_get(r, "uuid"));
		v->name = dup_or_null(inv, kt_xe_get(r, "name-label"));
		v->running = kt_str_eq_cstr(kt_xe_get(r, "power-state"), "running");
		v->host_uuid = v->running ? dup_or_null(inv, kt_xe_get(r, "resident-on")) : NULL;
		v->pv_drivers = is_true(kt_xe_get(r, "PV-drivers-detected"));
	}
}

/* sr-list: name, type and sharing of each PBD's SR. */
static void
add_srs(struct kt_net_inventory *inv, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n && i < KT_NET_MAX_RECORDS; i++) {
		const struct kt_xe_record *r = &l->records[i];
		struct kt_str u = kt_xe_get(r, "uuid");

		for (size_t k = 0; u.p && k < inv->n_pbds; k++) {
			struct kt_net_pbd *p = &inv->pbds[k];

			if (!p->sr_uuid || !kt_str_eq_cstr(u, p->sr_uuid))
				continue;
			p->sr_name = dup_or_null(inv, kt_xe_get(r, "name-label"));
			p->sr_type = dup_or_null(inv, kt_xe_get(r, "type"));
			p->sr_shared = is_true(kt_xe_get(r, "shared"));
		}
	}
}

/* The HA statefile VDIs (pool ha-statefiles) -> their SR (vdi-list). */
static void
add_ha_sr(struct kt_net_inventory *inv, const struct kt_xe_list *pool, const struct kt_xe_list *vdis)
{
	struct kt_str sf = pool->n ? kt_xe_get(&pool->records[0], "ha-statefiles") : kt_str_make(NULL, 0);
	long semi;

	if (!sf.p || sf.len == 0)
		return;
	semi = kt_str_chr(sf, ';');
	if (semi >= 0)
		sf = kt_str_sub(sf, 0, (size_t)semi);
	sf = kt_str_trim(sf);
	for (size_t i = 0; i < vdis->n; i++)
		if (kt_str_eq(kt_xe_get(&vdis->records[i], "uuid"), sf))
			inv->ha_sr_uuid = dup_or_null(inv, kt_xe_get(&vdis->records[i], "sr-uuid"));
}

/* cluster-host-list: the PIF each host's cluster (GFS2) member uses. */
static void
add_cluster(struct kt_net_inventory *inv, const struct kt_xe_list *l)
{
	for (size_t i = 0; i < l->n && i < KT_NET_MAX_HOSTS; i++) {
		const char *pif = dup_or_null(inv, kt_xe_get(&l->records[i], "PIF"));
		const char **v;

		if (!pif)
			continue;
		v = kt_arena_alloc(inv->arena, (inv->n_cluster_pifs + 1) * sizeof(*v));
		if (inv->n_cluster_pifs)
			memcpy(v, inv->cluster_pifs, inv->n_cluster_pifs * sizeof(*v));
		v[inv->n_cluster_pifs++] = pif;
		inv->cluster_pifs = v;
	}
}

/* Append one storage address (port and UNC share stripped). */
static void
add_addr(struct kt_net_inventory *inv, struct kt_net_pbd *p, struct kt_str a)
{
	const char **v;
	long cut;

	a = kt_str_trim(a);
	while (a.len && a.p[0] == '\\')
		a = kt_str_skip(a, 1);
	cut = kt_str_chr(a, '\\');
	if (cut >= 0)
		a = kt_str_sub(a, 0, (size_t)cut);
	cut = kt_str_chr(a, '/');
	if (cut >= 0)
		a = kt_str_sub(a, 0, (size_t)cut);
	/* host:port, but not an IPv6 address (two colons or more) */
	cut = kt_str_chr(a, ':');
	if (cut >= 0 && kt_str_chr(kt_str_skip(a, (size_t)cut + 1), ':') < 0)
		a = kt_str_sub(a, 0, (size_t)cut);
	if (a.len == 0 || p->n_addrs >= 64)
		return;
	for (size_t i = 0; i < p->n_addrs; i++)
		if (kt_str_eq_cstr(a, p->addrs[i]))
			return;
	v = kt_arena_alloc(inv->arena, (p->n_addrs + 1) * sizeof(*v));
	if (p->n_addrs)
		memcpy(v, p->addrs, p->n_addrs * sizeof(*v));
	v[p->n_addrs++] = kt_net_dup(inv, a);
	p->addrs = v;
}

/* device-config (MRO): "target: 192.0.2.10; targetIQN: ..." or "server: ..." */
static void
add_pbds(struct kt_net_inventory *inv, const struct kt_xe_list *l)
{
	static const char *const keys[] = { "target", "server", "iscsi-target" };
	/* iSCSI (lvmoiscsi: target, multihomelist), NFS/SMB (server), HBA-less
	 * iSCSI variants (iscsi-target) */
	static const char *const addr_keys[] = { "target", "multihomelist", "server",
						 "iscsi-target" };

	for (size_t i = 0; i < l->n && i < KT_NET_MAX_RECORDS; i++) {
		const struct kt_xe_record *r = &l->records[i];
		struct kt_net_pbd *p = kt_arena_push(inv->arena, (void **)&inv->pbds, &inv->n_pbds,
						     &inv->cap_pbds, sizeof(*p));
		struct kt_str dc = kt_xe_get(r, "device-config");

		p->uuid = dup_or_null(inv, kt_xe_get(r, "uuid"));
		p->host_uuid = dup_or_null(inv, kt_xe_get(r, "host-uuid"));
		p->sr_uuid = dup_or_null(inv, kt_xe_get(r, "sr-uuid"));
		p->attached = is_true(kt_xe_get(r, "currently-attached"));
		for (size_t k = 0; dc.p && k < sizeof(addr_keys) / sizeof(addr_keys[0]); k++) {
			struct kt_str t = kt_xe_map_get(dc, addr_keys[k]);

			while (t.p && t.len > 0) {
				long comma = kt_str_chr(t, ',');

				add_addr(inv, p, comma < 0 ? t : kt_str_sub(t, 0, (size_t)comma));
				t = comma < 0 ? kt_str_make(NULL, 0) : kt_str_skip(t, (size_t)comma + 1);
			}
		}
		for (size_t k = 0; dc.p && !p->target && k < sizeof(keys) / sizeof(keys[0]); k++) {
			struct kt_str t = kt_xe_map_get(dc, keys[k]);

			/* several targets are comma-separated: keep the first */
			if (t.p && kt_str_chr(t, ',') >= 0)
				t = kt_str_sub(t, 0, (size_t)kt_str_chr(t, ','));
			p->target = dup_or_null(inv, t);
		}
	}
}

static int
load_optional(struct xe_src *src, const char *cls, struct kt_xe_list *l)
{
	int err = load_list(src, cls, l);

	if (err == KT_ENOTFOUND || err == KT_EUNSUPPORTED) {
		memset(l, 0, sizeof(*l));
		return 0;
	}
	return err;
}

static int xe_load(struct kt_ctx *ctx, const struct kt_host_ops *ops, const char *dir,
		   struct kt_net_inventory *inv, bool light);

int
kt_net_inventory_xe(struct kt_ctx *ctx, const struct kt_host_ops *ops, const char *dir,
		    struct kt_net_inventory *inv)
{
	return xe_load(ctx, ops, dir, inv, false);
}

int
kt_net_inventory_xe_light(struct kt_ctx *ctx, const struct kt_host_ops *ops,
			  struct kt_net_inventory *inv)
{
	return xe_load(ctx, ops, NULL, inv, true);
}

static int
xe_load(struct kt_ctx *ctx, const struct kt_host_ops *ops, const char *dir,
	struct kt_net_inventory *inv, bool light)
{
	struct xe_src src = { ctx, ops, dir, kt_arena_new() };
	struct kt_xe_list hosts, pool, nets, pifs, bonds, vlans, vifs, pbds, vms, srs, vdis, chosts;
	struct pif_index ix;
	int err;

	err = load_list(&src, "pif", &pifs);
	if (err == KT_ENOTFOUND)
		err = dir ? kt_error(ctx, KT_ENOTFOUND, "%s/pif-list.txt: not found", dir)
			  : kt_error(ctx, KT_ENOTFOUND, "'xe' is not on PATH");
	else if (err == KT_EUNSUPPORTED)
		err = kt_error(ctx, err, "these host ops cannot read xe records");
	if (!err) {
		err = load_list(&src, "network", &nets);
		if (err == KT_ENOTFOUND || err == KT_EUNSUPPORTED)
			err = kt_error(ctx, KT_ENOTFOUND, "xe network records not found%s%s",
				       dir ? " in " : "", dir ? dir : "");
	}
	memset(&hosts, 0, sizeof(hosts));
	memset(&bonds, 0, sizeof(bonds));
	memset(&vlans, 0, sizeof(vlans));
	memset(&srs, 0, sizeof(srs));
	memset(&chosts, 0, sizeof(chosts));
	memset(&vdis, 0, sizeof(vdis));
	/* light: what the plan's state checks compare (pool, PIFs, VIFs, VMs, PBDs) */
	if (!err && !light)
		err = load_optional(&src, "host", &hosts);
	if (!err)
		err = load_optional(&src, "pool", &pool);
	if (!err && !light)
		err = load_optional(&src, "bond", &bonds);
	if (!err && !light)
		err = load_optional(&src, "vlan", &vlans);
	if (!err)
		err = load_optional(&src, "vif", &vifs);
	if (!err)
		err = load_optional(&src, "pbd", &pbds);
	if (!err)
		err = load_optional(&src, "vm", &vms);
	if (!err && !light)
		err = load_optional(&src, "sr", &srs);
	if (!err && !light)
		err = load_optional(&src, "cluster-host", &chosts);
	/* the statefile VDI's SR, only when HA is on (vdi-list is large) */
	if (!err && !light && pool.n && is_true(kt_xe_get(&pool.records[0], "ha-enabled")))
		err = load_optional(&src, "vdi", &vdis);
	if (err)
		goto out;
	if (pifs.n == 0 && pifs.bad_lines > 0) {
		err = kt_error(ctx, KT_EFORMAT, "PIF records are not in xe's 'key ( RO): value' format");
		goto out;
	}
	add_hosts(inv, &hosts);
	add_pool(inv, &pool);
	add_networks(inv, &nets);
	for (size_t i = 0; i < pifs.n && inv->n_ifaces < KT_NET_MAX_IFACES; i++)
		add_pif(inv, &pifs.records[i]);
	build_index(src.arena, inv, &ix);
	link_bonds(inv, &ix, &bonds);
	link_vlans(inv, &ix, &vlans);
	add_vifs(inv, &vifs);
	add_pbds(inv, &pbds);
	add_vms(inv, &vms);
	add_srs(inv, &srs);
	add_ha_sr(inv, &pool, &vdis);
	add_cluster(inv, &chosts);
	inv->is_xe = true;
	inv->platform = "xenserver";	/* xe data: a XenServer / XCP-ng pool */
	inv->source = dir ? kt_net_printf(inv, "xe-dir:%s", dir) : "xe";
out:
	kt_arena_free(src.arena);
	return err;
}
