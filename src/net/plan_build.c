/*
 * net: the plan to change one XenServer network's MTU across a pool. The
 * order and the refusals follow what xapi and XenCenter do (docs/net.md
 * "The MTU plan" names the public sources):
 *   - network.MTU is a stored value that reaches a PIF when it is next
 *     plugged, and a VIF when it is next plugged (xen-api ocaml/xapi/nm.ml
 *     determine_mtu, ocaml/xapi/xapi_xenops.ml VIF MTU);
 *   - pif-unplug is refused with HA/redo log on, on the management PIF,
 *     with VIFs in use on that host, with disallow-unplug set
 *     (ocaml/xapi/xapi_pif.ml unplug);
 *   - XenCenter's UnplugPlugNetworkAction: unplug VIFs, unplug PIFs, plug
 *     PIFs, plug VIFs.
 * Lowering: guests and VIFs first (network MTU set at once), then host by
 * host. Raising: switches and array first, then host by host with a
 * per-PIF other-config:mtu (the network MTU stays old, so a VIF plugged
 * anywhere meanwhile stays at the old MTU), then the network MTU and the
 * VIFs. Storage reached over the network: the host is evacuated and its
 * PBDs unplugged around the PIF re-plug. Every RUN step has the commands
 * that restore the state before it (rollback runs them in reverse).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/inventory.h"
#include "util/arena.h"
#include "util/ctx.h"
#include "util/mem.h"

/* XenCenter's MTU range (xenadmin XenModel/XenAPI-Extensions/Network.cs). */
#define XC_MTU_MIN 1500
#define XC_MTU_MAX 9216
/* Largest MTU we accept at all (ETH_MAX_MTU) and smallest (IPv4 minimum). */
#define PLAN_MTU_MIN 68
#define PLAN_MTU_MAX 65535
/* DF-ping verification steps at most (a 64-host pool would need 4032). */
#define MAX_PING_STEPS 32
#define MAX_LIST 256
/* Storage hostnames resolved per plan at most (the records are untrusted). */
#define MAX_RESOLVE 64
/* A XenServer pool has at most 64 hosts; VIFs on one network we follow. */
#define MAX_POOL_HOSTS 64
#define MAX_NET_VIFS 4096

/* Public sources cited by refusals and warnings. */
#define SRC_PIF_UNPLUG "https://github.com/xapi-project/xen-api/blob/master/ocaml/xapi/xapi_pif.ml (unplug)"
#define SRC_XC_NETWORK "https://github.com/xenserver/xenadmin/blob/master/XenModel/XenAPI-Extensions/Network.cs"
#define SRC_XCPNG_MTU "https://docs.xcp-ng.org/networking/#mtus"
#define SRC_BR_NF "linux net/bridge/br_netfilter_hooks.c br_nf_dev_queue_xmit"
#define SRC_NM "https://github.com/xapi-project/xen-api/blob/master/ocaml/xapi/nm.ml (determine_mtu)"
#define SRC_XENOPS "https://github.com/xapi-project/xen-api/blob/master/ocaml/xapi/xapi_xenops.ml (VIF MTU)"
#define SRC_NETFRONT "linux drivers/net/xen-netfront.c xennet_create_dev (no xenstore mtu)"
#define SRC_CLUSTER "https://github.com/xapi-project/xen-api/blob/master/ocaml/xapi/xapi_pif.ml (set_disallow_unplug, CLUSTERING_ENABLED)"
#define SRC_HA "https://docs.xenserver.com/en-us/xenserver/8/high-availability.html"
#define SRC_MAINT "https://docs.xenserver.com/en-us/xenserver/8/hosts-pools.html (maintenance mode)"

bool
kt_net_valid_uuid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };

	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool want_dash = i == dash[0] || i == dash[1] || i == dash[2] || i == dash[3];

		if (want_dash ? s[i] != '-' : !kt_is_xdigit(s[i]))
			return false;
	}
	return true;
}

bool
kt_net_valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* An address-like value we are willing to pass in "IP=..." arguments. */
static bool
valid_addr(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!kt_is_xdigit(s[i]) && s[i] != '.' && s[i] != ':' && s[i] != ',' && s[i] != '/')
			return false;
	return true;
}

static bool
parse_ipv4(const char *s, unsigned *ret)
{
	unsigned a, b, c, d;
	char tail;

	if (!s || sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255)
		return false;
	*ret = a << 24 | b << 16 | c << 8 | d;
	return true;
}

/* A host's share of the change. */
struct hplan {
	const struct kt_net_host *host;	/* NULL: PIF of a host missing from host-list */
	const struct kt_net_iface *pif;
	const struct kt_net_pbd *pbds[MAX_LIST];
	const char *pbd_addr[MAX_LIST];	/* the address that put it on the network */
	size_t n_pbds;
	const char *pings[MAX_LIST];	/* IPv4 storage addresses on the network */
	size_t n_pings;
	const struct kt_net_vm *vms[MAX_LIST];	/* running VMs on the host */
	size_t n_vms;
	const struct kt_net_vif *vifs[MAX_LIST];	/* their attached VIFs on the network */
	size_t n_vifs;
};

struct vm_ix {
	const char *uuid;
	size_t i;
};

struct builder {
	struct kt_ctx *ctx;
	struct kt_net_plan *plan;
	const struct kt_net_inventory *inv;
	const struct kt_net_network *net;
	const struct kt_net_plan_opts *opts;
	int mtu;
	bool raising;
	bool ha;		/* HA is disabled first and enabled last */
	bool evacuate;		/* every host is evacuated (storage on the network) */
	struct hplan *hosts;
	size_t n_hosts;
	/* where each VM of inv->vms runs at this point of the plan (host uuid,
	 * NULL halted): evacuations move VMs to chosen hosts */
	const char **loc;
	size_t resolved;	/* hostnames looked up (at most MAX_RESOLVE) */
	struct vm_ix *vm_ix;	/* VMs sorted by uuid, for bsearch */
	size_t n_vm_ix;
	const struct kt_net_vif **netvifs;	/* attached VIFs on the network */
	size_t n_netvifs;
};

static struct kt_plan_step *
add_step(struct builder *b, enum kt_plan_kind kind, const char *host, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct kt_plan_step *
add_step(struct builder *b, enum kt_plan_kind kind, const char *host, const char *fmt, ...)
{
	struct kt_net_plan *p = b->plan;
	struct kt_plan_step *s = kt_arena_push(p->arena, (void **)&p->steps, &p->n_steps,
					       &p->cap_steps, sizeof(*s));
	va_list ap;

	va_start(ap, fmt);
	s->text = kt_arena_vprintf(p->arena, fmt, ap);
	va_end(ap);
	s->kind = kind;
	s->host = host ? kt_arena_strdup(p->arena, host) : NULL;
	return s;
}

static void
add_note(struct builder *b, bool refusal, const char *id, const char *host, const char *source,
	 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
add_note(struct builder *b, bool refusal, const char *id, const char *host, const char *source,
	 const char *fmt, ...)
{
	struct kt_net_plan *p = b->plan;
	struct kt_plan_note *n;
	va_list ap;

	if (refusal)
		n = kt_arena_push(p->arena, (void **)&p->refusals, &p->n_refusals, &p->cap_refusals,
				  sizeof(*n));
	else
		n = kt_arena_push(p->arena, (void **)&p->warnings, &p->n_warnings, &p->cap_warnings,
				  sizeof(*n));
	va_start(ap, fmt);
	n->text = kt_arena_vprintf(p->arena, fmt, ap);
	va_end(ap);
	n->id = id;
	n->host = host ? kt_arena_strdup(p->arena, host) : NULL;
	n->source = source;
}

/* NULL-terminated argv in the plan arena from a NULL-terminated list. */
static const char **
vargv(struct builder *b, const char *first, va_list ap)
{
	const char *items[16];
	const char **v;
	size_t n = 0;

	for (const char *s = first; s && n < 15; s = va_arg(ap, const char *))
		items[n++] = kt_arena_strdup(b->plan->arena, s);
	v = kt_arena_alloc(b->plan->arena, (n + 1) * sizeof(*v));
	memcpy(v, items, n * sizeof(*v));
	v[n] = NULL;
	return v;
}

static void
set_argv(struct builder *b, struct kt_plan_step *s, const char *first, ...)
{
	va_list ap;

	va_start(ap, first);
	s->argv = vargv(b, first, ap);
	va_end(ap);
}

/* Append one undo command to a step. */
static void
undo(struct builder *b, struct kt_plan_step *s, const char *first, ...)
{
	const char ***v = kt_arena_alloc(b->plan->arena, (s->n_undo + 1) * sizeof(*v));
	va_list ap;

	if (s->n_undo)
		memcpy(v, s->undo, s->n_undo * sizeof(*v));
	va_start(ap, first);
	v[s->n_undo++] = vargv(b, first, ap);
	va_end(ap);
	s->undo = v;
}

static const char *
fmt(struct builder *b, const char *f, ...) __attribute__((format(printf, 2, 3)));

static const char *
fmt(struct builder *b, const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	s = kt_arena_vprintf(b->plan->arena, f, ap);
	va_end(ap);
	return s;
}

static bool
on_network(const struct kt_net_iface *f, const struct kt_net_network *n)
{
	return f->uuid && f->network_uuid && strcmp(f->network_uuid, n->uuid) == 0;
}

static const struct kt_net_network *
network_of(const struct kt_net_inventory *inv, const char *uuid)
{
	for (size_t i = 0; uuid && i < inv->n_networks; i++)
		if (inv->networks[i].uuid && strcmp(inv->networks[i].uuid, uuid) == 0)
			return &inv->networks[i];
	return NULL;
}

static const struct kt_net_network *
find_network(struct kt_ctx *ctx, const struct kt_net_inventory *inv, const char *key, int *err)
{
	const struct kt_net_network *hit = NULL;
	size_t hits = 0;

	for (size_t i = 0; i < inv->n_networks; i++)
		if (inv->networks[i].uuid && strcasecmp(inv->networks[i].uuid, key) == 0)
			return &inv->networks[i];
	for (size_t i = 0; i < inv->n_networks; i++)
		if (inv->networks[i].name && strcmp(inv->networks[i].name, key) == 0) {
			hit = &inv->networks[i];
			hits++;
		}
	if (hits == 1)
		return hit;
	*err = hits ? kt_error(ctx, KT_EINVAL, "%zu networks are named '%s': give the uuid", hits, key)
		    : kt_error(ctx, KT_ENOTFOUND, "no network with uuid or name-label '%s'", key);
	return NULL;
}

static bool
same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* ---- refusals ---- */

/* NIC limits under a PIF (itself, or its bond members, below a VLAN). */
static void
check_nics(struct builder *b, const struct kt_net_iface *pif)
{
	const struct kt_net_inventory *inv = b->inv;
	const struct kt_net_iface *nics[64];
	size_t n = 0;

	if (pif->kind == KT_NET_VLAN && pif->lower) {
		const struct kt_net_iface *p = kt_net_inventory_find(inv, pif->host, pif->lower);

		if (p)
			pif = p;
	}
	if (pif->n_members == 0)
		nics[n++] = pif;
	for (size_t i = 0; i < pif->n_members && n < 64; i++) {
		const struct kt_net_iface *m = kt_net_inventory_find(inv, pif->host, pif->members[i]);

		if (m)
			nics[n++] = m;
	}
	for (size_t i = 0; i < n; i++) {
		const struct kt_net_iface *f = nics[i];

		if (b->mtu > 1500 && f->jumbo && strcmp(f->jumbo, "no") == 0)
			add_note(b, true, "jumbo-unsupported", f->host,
				 f->caveat_source ? f->caveat_source : "data/net/drivers.tsv",
				 "%s uses driver %s, which cannot carry jumbo frames here (%s)", f->name,
				 f->driver ? f->driver : "?", f->caveat ? f->caveat : "driver table");
		else if (f->max_mtu > 0 && b->mtu > f->max_mtu)
			add_note(b, true, "above-nic-max", f->host,
				 f->caveat_source ? f->caveat_source : "data/net/drivers.tsv",
				 "%s (driver %s) accepts at most MTU %d; xcp-networkd would log 'MTU size "
				 "is not supported' and keep the old MTU", f->name,
				 f->driver ? f->driver : "?", f->max_mtu);
	}
}

/* Jumbo on the management interface, or on a network that carries a
 * management VLAN (the management PIF is a VLAN on this network's PIF). */
static void
check_management(struct builder *b, const struct kt_net_iface *pif)
{
	const struct kt_net_inventory *inv = b->inv;

	if (b->mtu <= 1500)
		return;
	if (pif->management)
		add_note(b, true, "management-jumbo", pif->host, SRC_XCPNG_MTU,
			 "%s is the management interface: MTUs above 1500 are not supported there "
			 "(pool joins and management traffic fail; XenCenter blocks the edit)",
			 pif->name);
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *v = &inv->ifaces[i];

		if (v->management && v->kind == KT_NET_VLAN && same(v->lower, pif->name) &&
		    same(v->host, pif->host))
			add_note(b, true, "management-jumbo", pif->host, SRC_XCPNG_MTU,
				 "the management interface %s is a VLAN on %s: its parent would carry "
				 "jumbo frames on the management path", v->name, pif->name);
	}
}

/* The change that recreates the crash configuration: a VIF whose MTU ends
 * above the PIF MTU under it (Linux bridge: br_nf_dev_queue_xmit
 * refragments guest frames; Open vSwitch: drops them). */
static void
check_crash_config(struct builder *b)
{
	const struct kt_net_inventory *inv = b->inv;
	const struct kt_net_network *parent = NULL;

	for (size_t i = 0; i < inv->n_vifs; i++) {
		const struct kt_net_vif *v = &inv->vifs[i];

		if (same(v->network_uuid, b->net->uuid) && v->other_config_mtu > b->mtu)
			add_note(b, true, "vif-above-pif", NULL, SRC_BR_NF,
				 "VIF %s of VM %s has other-config:mtu=%d, above the new PIF MTU %d: "
				 "the crash configuration (guest frames larger than the bridge port)",
				 v->uuid, v->vm_name ? v->vm_name : "?", v->other_config_mtu, b->mtu);
	}
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *f = &inv->ifaces[i];
		const struct kt_net_iface *low;

		if (!on_network(f, b->net))
			continue;
		/* a VLAN network above its parent's MTU */
		if (f->kind == KT_NET_VLAN && f->lower && !parent) {
			low = kt_net_inventory_find(inv, f->host, f->lower);
			parent = low ? network_of(inv, low->network_uuid) : NULL;
			if (parent && parent->mtu > 0 && parent->mtu < b->mtu)
				add_note(b, true, "vlan-above-parent", NULL, SRC_NM,
					 "this VLAN network rides on '%s' (MTU %d): its VIFs would send %d-byte "
					 "frames through a %d-byte parent; raise '%s' first",
					 parent->name ? parent->name : "?", parent->mtu, b->mtu, parent->mtu,
					 parent->name ? parent->name : "?");
		}
		/* VLAN networks on this network's PIFs above the new MTU */
		for (size_t j = 0; j < inv->n_ifaces; j++) {
			const struct kt_net_iface *v = &inv->ifaces[j];
			const struct kt_net_network *vn;

			if (v->kind != KT_NET_VLAN || !same(v->lower, f->name) || !same(v->host, f->host))
				continue;
			vn = network_of(inv, v->network_uuid);
			if (vn && vn->mtu > b->mtu)
				add_note(b, true, "vlan-above-parent", f->host, SRC_NM,
					 "VLAN network '%s' (MTU %d) rides on %s: lowering its parent to %d "
					 "leaves its VIFs above the PIF; lower '%s' first",
					 vn->name ? vn->name : "?", vn->mtu, f->name, b->mtu,
					 vn->name ? vn->name : "?");
		}
	}
}

static void
check_network_kind(struct builder *b, size_t n_pifs)
{
	const struct kt_net_inventory *inv = b->inv;
	bool noop = b->net->mtu == b->mtu;

	if (n_pifs == 0)
		add_note(b, true, "private-network", NULL, SRC_XC_NETWORK,
			 "network '%s' has no PIF (a private network): XenCenter does not offer an MTU "
			 "change there and no host interface would change", b->net->name ? b->net->name : "");
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *f = &inv->ifaces[i];

		if (!on_network(f, b->net))
			continue;
		if (f->tunnel)
			add_note(b, true, "tunnel-network", f->host, SRC_XC_NETWORK,
				 "%s is a tunnel access PIF (cross-host private network): its MTU follows "
				 "the transport, XenCenter hides the MTU edit", f->name);
		if (f->sriov)
			add_note(b, true, "sriov-network", f->host, SRC_XC_NETWORK,
				 "%s is an SR-IOV logical PIF: VFs take their MTU from the physical "
				 "function, not from a re-plug", f->name);
		if (f->mtu != b->mtu || f->other_config_mtu > 0)
			noop = false;
	}
	if (noop && n_pifs)
		add_note(b, true, "no-op", NULL, SRC_NM,
			 "network '%s' and all its PIFs are already at MTU %d: nothing to re-plug",
			 b->net->name ? b->net->name : "", b->mtu);
}

/* ---- storage ---- */

static int
resolve(struct builder *b, const char *name, char **ret)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	struct kt_buf out;

	if (b->opts->resolve)
		return b->opts->resolve(b->opts->resolve_userdata, name, ret);
	if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
		return KT_ENOTFOUND;
	kt_buf_init(&out);
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		char ip[INET_ADDRSTRLEN];

		if (inet_ntop(AF_INET, &((struct sockaddr_in *)a->ai_addr)->sin_addr, ip, sizeof(ip)))
			kt_buf_printf(&out, "%s%s", out.len ? "," : "", ip);
	}
	freeaddrinfo(res);
	*ret = out.p ? out.p : kt_strdup("");
	return 0;
}

/* The host's IPv4 subnets that go down with its PIF on the network: the
 * PIF itself and VLAN PIFs on top of it (at most MAX_SUBNETS). */
#define MAX_SUBNETS 64
struct subnets {
	unsigned addr[MAX_SUBNETS], mask[MAX_SUBNETS];
	size_t n;
};

static void
host_subnets(const struct kt_net_inventory *inv, const struct kt_net_iface *pif, struct subnets *ret)
{
	ret->n = 0;
	for (size_t i = 0; i < inv->n_ifaces && ret->n < MAX_SUBNETS; i++) {
		const struct kt_net_iface *f = &inv->ifaces[i];
		unsigned a, m;

		if (f != pif && !(f->kind == KT_NET_VLAN && same(f->lower, pif->name) &&
				  same(f->host, pif->host)))
			continue;
		if (parse_ipv4(f->ip, &a) && parse_ipv4(f->netmask, &m)) {
			ret->addr[ret->n] = a;
			ret->mask[ret->n++] = m;
		}
	}
}

static bool
in_subnets(const struct subnets *sn, unsigned ip)
{
	for (size_t i = 0; i < sn->n; i++)
		if ((ip & sn->mask[i]) == (sn->addr[i] & sn->mask[i]))
			return true;
	return false;
}

static void
find_storage(struct builder *b, struct hplan *h)
{
	const struct kt_net_inventory *inv = b->inv;
	struct subnets sn;

	host_subnets(inv, h->pif, &sn);

	for (size_t i = 0; i < inv->n_pbds; i++) {
		const struct kt_net_pbd *p = &inv->pbds[i];
		const char *hit = NULL;

		if (!p->attached || !h->host || !same(p->host_uuid, h->host->uuid))
			continue;
		for (size_t k = 0; k < p->n_addrs; k++) {
			unsigned ip;
			char *list = NULL;

			if (parse_ipv4(p->addrs[k], &ip)) {
				if (in_subnets(&sn, ip)) {
					hit = hit ? hit : p->addrs[k];
					if (h->n_pings < MAX_LIST)
						h->pings[h->n_pings++] = p->addrs[k];
				}
				continue;
			}
			if (strchr(p->addrs[k], ':'))
				continue;	/* IPv6: PIF IPv6 subnets are not modelled */
			if (++b->resolved > MAX_RESOLVE || resolve(b, p->addrs[k], &list) != 0) {
				add_note(b, true, "storage-unresolved", h->pif->host, SRC_MAINT,
					 "SR %s (PBD %s) names its storage '%s', which does not resolve here: "
					 "cannot tell whether it is reached over this network",
					 p->sr_name ? p->sr_name : p->sr_uuid, p->uuid, p->addrs[k]);
				continue;
			}
			for (char *c = list, *next; c && *c; c = next) {
				next = strchr(c, ',');
				if (next)
					*next++ = '\0';
				if (parse_ipv4(c, &ip) && in_subnets(&sn, ip)) {
					hit = hit ? hit : kt_arena_printf(b->plan->arena, "%s (%s)", c, p->addrs[k]);
					if (h->n_pings < MAX_LIST)
						h->pings[h->n_pings++] = kt_arena_strdup(b->plan->arena, c);
				}
			}
			free(list);
		}
		if (!hit)
			continue;
		if (h->n_pbds < MAX_LIST) {
			h->pbd_addr[h->n_pbds] = hit;
			h->pbds[h->n_pbds++] = p;
		}
		if (!p->sr_shared && p->sr_type)
			add_note(b, true, "storage-local-sr", h->pif->host, SRC_MAINT,
				 "SR %s (%s) is not shared: its VMs cannot be evacuated while its PBD %s "
				 "is unplugged -- shut them down, or reboot the host instead",
				 p->sr_name ? p->sr_name : p->sr_uuid, p->sr_type, p->uuid);
	}
}

/* ---- hosts, VMs, VIFs ---- */

static int
cmp_vm_ix(const void *a, const void *b)
{
	return strcmp(((const struct vm_ix *)a)->uuid, ((const struct vm_ix *)b)->uuid);
}

/* The VM index and the network's attached VIFs, once per plan. */
static void
index_vms(struct builder *b)
{
	const struct kt_net_inventory *inv = b->inv;

	b->vm_ix = kt_arena_alloc(b->plan->arena, (inv->n_vms + 1) * sizeof(*b->vm_ix));
	for (size_t i = 0; i < inv->n_vms; i++)
		if (inv->vms[i].uuid)
			b->vm_ix[b->n_vm_ix++] = (struct vm_ix){ inv->vms[i].uuid, i };
	qsort(b->vm_ix, b->n_vm_ix, sizeof(*b->vm_ix), cmp_vm_ix);
	b->netvifs = kt_arena_alloc(b->plan->arena, (MAX_NET_VIFS + 1) * sizeof(*b->netvifs));
	for (size_t i = 0; i < inv->n_vifs && b->n_netvifs < MAX_NET_VIFS; i++)
		if (inv->vifs[i].attached && inv->vifs[i].vm_uuid &&
		    same(inv->vifs[i].network_uuid, b->net->uuid))
			b->netvifs[b->n_netvifs++] = &inv->vifs[i];
}

/* Index in inv->vms of the VM with this uuid, or -1. */
static long
vm_find(const struct builder *b, const char *uuid)
{
	struct vm_ix key = { uuid, 0 }, *hit;

	if (!uuid)
		return -1;
	hit = bsearch(&key, b->vm_ix, b->n_vm_ix, sizeof(*b->vm_ix), cmp_vm_ix);
	return hit ? (long)hit->i : -1;
}

static void
collect_vms(struct builder *b, struct hplan *h)
{
	const struct kt_net_inventory *inv = b->inv;

	for (size_t i = 0; h->host && i < inv->n_vms && h->n_vms < MAX_LIST; i++) {
		const struct kt_net_vm *vm = &inv->vms[i];

		if (vm->running && vm->uuid && same(vm->host_uuid, h->host->uuid))
			h->vms[h->n_vms++] = vm;
	}
	for (size_t k = 0; h->host && k < b->n_netvifs && h->n_vifs < MAX_LIST; k++) {
		long vi = vm_find(b, b->netvifs[k]->vm_uuid);

		if (vi >= 0 && inv->vms[vi].running && same(inv->vms[vi].host_uuid, h->host->uuid))
			h->vifs[h->n_vifs++] = b->netvifs[k];
	}
}

static bool
vm_on_network(const struct hplan *h, const struct kt_net_vm *vm)
{
	for (size_t i = 0; i < h->n_vifs; i++)
		if (same(h->vifs[i]->vm_uuid, vm->uuid))
			return true;
	return false;
}

static const char *
vm_label(const struct kt_net_vm *vm)
{
	return vm->name ? vm->name : vm->uuid;
}

static const char *
host_label(const struct hplan *h)
{
	return h->pif->host ? h->pif->host : "?";
}

/* Index of a VM in inv->vms, or -1. */
static long
vm_index(const struct builder *b, const struct kt_net_vm *vm)
{
	for (size_t i = 0; i < b->inv->n_vms; i++)
		if (&b->inv->vms[i] == vm)
			return (long)i;
	return -1;
}

/* Hosts in plan order: pool master first, then host-list order; PIFs of
 * hosts missing from host-list last. */
static void
order_hosts(struct builder *b)
{
	const struct kt_net_inventory *inv = b->inv;
	size_t order[KT_NET_MAX_HOSTS], n = 0, n_pifs = 0;

	for (size_t i = 0; i < inv->n_ifaces; i++)
		n_pifs += on_network(&inv->ifaces[i], b->net);
	b->hosts = kt_arena_alloc(b->plan->arena, (n_pifs + 1) * sizeof(*b->hosts));
	for (size_t h = 0; h < inv->n_hosts; h++)
		if (inv->hosts[h].pool_master)
			order[n++] = h;
	for (size_t h = 0; h < inv->n_hosts; h++)
		if (!inv->hosts[h].pool_master)
			order[n++] = h;
	for (size_t k = 0; k <= n; k++) {
		for (size_t i = 0; i < inv->n_ifaces; i++) {
			const struct kt_net_iface *f = &inv->ifaces[i];
			struct hplan *hp;
			bool mine;

			if (!on_network(f, b->net))
				continue;
			mine = k < n ? same(f->host_uuid, inv->hosts[order[k]].uuid) ||
					       (!f->host_uuid && same(f->host, inv->hosts[order[k]].name))
				     : !f->host || !kt_net_inventory_find_host(inv, f->host);
			if (!mine || b->n_hosts >= n_pifs)	/* (duplicate host records) */
				continue;
			hp = &b->hosts[b->n_hosts++];
			memset(hp, 0, sizeof(*hp));
			hp->pif = f;
			hp->host = k < n ? &inv->hosts[order[k]] : NULL;
		}
	}
}

static struct kt_plan_check *
new_check(struct builder *b, const struct hplan *h, bool after)
{
	struct kt_arena *a = b->plan->arena;
	struct kt_plan_check *c = kt_arena_alloc(a, sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->after = after;
	c->host_uuid = h->host ? kt_arena_strdup(a, h->host->uuid) : NULL;
	c->pif_uuid = kt_arena_strdup(a, h->pif->uuid);
	c->pif_mtu = after ? b->mtu : h->pif->mtu;
	c->ha_enabled = b->inv->ha_enabled && !b->ha;
	c->pbds = kt_arena_alloc(a, (h->n_pbds + 1) * sizeof(char *));
	for (size_t i = 0; i < h->n_pbds; i++)
		c->pbds[c->n_pbds++] = kt_arena_strdup(a, h->pbds[i]->uuid);
	if (!after) {
		/* before: the VIFs on the network of the VMs that run on this
		 * host at this point of the plan */
		c->vifs = kt_arena_alloc(a, (b->n_netvifs + 1) * sizeof(char *));
		for (size_t i = 0; h->host && i < b->n_netvifs; i++) {
			long vi = vm_find(b, b->netvifs[i]->vm_uuid);

			if (vi >= 0 && same(b->loc[vi], h->host->uuid))
				c->vifs[c->n_vifs++] = kt_arena_strdup(a, b->netvifs[i]->uuid);
		}
	} else {
		c->pings = kt_arena_alloc(a, (h->n_pings + 1) * sizeof(char *));
		for (size_t i = 0; i < h->n_pings; i++) {
			bool dup = false;

			for (size_t k = 0; k < c->n_pings; k++)
				dup |= strcmp(c->pings[k], h->pings[i]) == 0;
			if (!dup)
				c->pings[c->n_pings++] = kt_arena_strdup(a, h->pings[i]);
		}
	}
	return c;
}

/* VIF unplug whose undo plugs it again at `at_mtu` while the network (or
 * its override) says `cfg_mtu`. */
static void
vif_unplug_step(struct builder *b, const struct hplan *h, const struct kt_net_vif *v, int at_mtu,
		int cfg_mtu, const char *why)
{
	struct kt_plan_step *s = add_step(b, KT_PLAN_RUN, host_label(h), "unplug VIF %s of VM %s%s",
					   v->uuid, v->vm_name ? v->vm_name : "?", why);

	set_argv(b, s, "xe", "vif-unplug", fmt(b, "uuid=%s", v->uuid), NULL);
	if (at_mtu == cfg_mtu) {
		undo(b, s, "xe", "vif-plug", fmt(b, "uuid=%s", v->uuid), NULL);
		return;
	}
	undo(b, s, "xe", "vif-param-set", fmt(b, "uuid=%s", v->uuid), fmt(b, "other-config:mtu=%d", at_mtu), NULL);
	undo(b, s, "xe", "vif-plug", fmt(b, "uuid=%s", v->uuid), NULL);
	undo(b, s, "xe", "vif-param-remove", fmt(b, "uuid=%s", v->uuid), "param-name=other-config",
	     "param-key=mtu", NULL);
}

static void
vif_plug_step(struct builder *b, const struct hplan *h, const struct kt_net_vif *v, int mtu)
{
	struct kt_plan_step *s = add_step(b, KT_PLAN_RUN, host_label(h),
					   "plug VIF %s of VM %s again (it takes MTU %d)", v->uuid,
					   v->vm_name ? v->vm_name : "?", mtu);

	set_argv(b, s, "xe", "vif-plug", fmt(b, "uuid=%s", v->uuid), NULL);
	undo(b, s, "xe", "vif-unplug", fmt(b, "uuid=%s", v->uuid), NULL);
}

static void
vm_shutdown_step(struct builder *b, const struct hplan *h, const struct kt_net_vm *vm, const char *why)
{
	struct kt_plan_step *s = add_step(b, KT_PLAN_RUN, host_label(h),
					   "shut down VM %s: it has no PV drivers, so %s (it starts "
					   "again below: a reboot across the change)", vm_label(vm), why);

	set_argv(b, s, "xe", "vm-shutdown", fmt(b, "uuid=%s", vm->uuid), NULL);
	undo(b, s, "xe", "vm-start", fmt(b, "uuid=%s", vm->uuid),
	     fmt(b, "on=%s", h->host ? h->host->uuid : host_label(h)), NULL);
	if (vm_index(b, vm) >= 0)
		b->loc[vm_index(b, vm)] = NULL;
}

static void
vm_start_step(struct builder *b, const struct hplan *h, const struct kt_net_vm *vm)
{
	struct kt_plan_step *s = add_step(b, KT_PLAN_RUN, host_label(h), "start VM %s again on %s",
					   vm_label(vm), host_label(h));

	set_argv(b, s, "xe", "vm-start", fmt(b, "uuid=%s", vm->uuid),
		 fmt(b, "on=%s", h->host ? h->host->uuid : host_label(h)), NULL);
	undo(b, s, "xe", "vm-shutdown", fmt(b, "uuid=%s", vm->uuid), NULL);
	if (vm_index(b, vm) >= 0 && h->host)
		b->loc[vm_index(b, vm)] = h->host->uuid;
}

/* Lowering: every running VIF takes the new MTU before any PIF does. */
static void
lower_vifs_first(struct builder *b)
{
	const char *net = b->net->name ? b->net->name : b->net->uuid;

	for (size_t k = 0; k < b->n_hosts; k++) {
		const struct hplan *h = &b->hosts[k];

		for (size_t i = 0; i < h->n_vms; i++) {
			const struct kt_net_vm *vm = h->vms[i];

			if (!vm_on_network(h, vm))
				continue;
			if (!vm->pv_drivers) {
				struct kt_plan_step *s;

				s = add_step(b, KT_PLAN_RUN, host_label(h), "shut down VM %s: it has no PV "
					     "drivers, so its VIF cannot be re-plugged with MTU %d (it starts "
					     "again after %s's PIF: a reboot across the change)", vm_label(vm),
					     b->mtu, host_label(h));
				set_argv(b, s, "xe", "vm-shutdown", fmt(b, "uuid=%s", vm->uuid), NULL);
				/* started with its VIFs at the old MTU again */
				for (size_t j = 0; j < h->n_vifs; j++)
					if (same(h->vifs[j]->vm_uuid, vm->uuid))
						undo(b, s, "xe", "vif-param-set", fmt(b, "uuid=%s", h->vifs[j]->uuid),
						     fmt(b, "other-config:mtu=%d", b->net->mtu), NULL);
				undo(b, s, "xe", "vm-start", fmt(b, "uuid=%s", vm->uuid),
				     fmt(b, "on=%s", h->host ? h->host->uuid : host_label(h)), NULL);
				for (size_t j = 0; j < h->n_vifs; j++)
					if (same(h->vifs[j]->vm_uuid, vm->uuid))
						undo(b, s, "xe", "vif-param-remove", fmt(b, "uuid=%s", h->vifs[j]->uuid),
						     "param-name=other-config", "param-key=mtu", NULL);
				b->loc[vm_index(b, vm)] = NULL;
				continue;
			}
			for (size_t j = 0; j < h->n_vifs; j++) {
				const struct kt_net_vif *v = h->vifs[j];

				if (!same(v->vm_uuid, vm->uuid) || v->other_config_mtu > 0)
					continue;
				vif_unplug_step(b, h, v, b->net->mtu, b->mtu,
						fmt(b, " (VIFs first: it comes back with MTU %d on '%s')",
						    b->mtu, net));
				vif_plug_step(b, h, v, b->mtu);
			}
		}
	}
}

/* One host: (evacuate + PBDs off | VIFs off), PIF re-plug, back on, check. */
/* Where the VMs of host k go: the first host (done already) for every
 * later host, the second for the first. */
static const struct hplan *
evacuation_target(const struct builder *b, size_t k)
{
	size_t t = k == 0 ? 1 : 0;

	return t < b->n_hosts && b->hosts[t].host && t != k ? &b->hosts[t] : NULL;
}

static void
host_steps(struct builder *b, size_t k)
{
	struct hplan *h = &b->hosts[k];
	const struct kt_net_iface *f = h->pif;
	const char *H = host_label(h);
	const char *hu = h->host ? h->host->uuid : NULL;
	const char *u = f->uuid;
	/* the VIF MTU a plug gives now: raising keeps the network at the old
	 * MTU until every host is done */
	int vif_mtu = b->raising ? b->net->mtu : b->mtu;
	struct kt_plan_step *s;

	if (f->management) {
		s = add_step(b, KT_PLAN_MANUAL, H,
			     "%s (PIF %s) is the management interface: it is never unplugged. Apply "
			     "the MTU by rebooting the host in maintenance mode: xe host-disable "
			     "host=%s; xe host-evacuate host=%s; xe host-reboot host=%s; then "
			     "xe host-enable host=%s", f->name, u, H, H, H, H);
		return;
	}
	if (!f->attached) {
		add_step(b, KT_PLAN_MANUAL, H, "%s (PIF %s) is not attached: it takes the new MTU "
			 "when it is next plugged", f->name, u);
		return;
	}
	s = add_step(b, KT_PLAN_CHECK, H, "the pool is as planned: %s at MTU %d%s, no unexpected "
		     "VIFs on the network%s", f->name, f->mtu, h->n_pbds ? ", its storage PBDs plugged" : "",
		     b->ha ? ", HA off" : "");
	s->check = new_check(b, h, false);

	/* off: non-PV VMs, then evacuation and PBDs, or the VIFs */
	for (size_t i = 0; i < h->n_vms; i++) {
		const struct kt_net_vm *vm = h->vms[i];

		if (vm->pv_drivers || (!b->raising && vm_on_network(h, vm)))
			continue;	/* lowering: already shut down in the VIF phase */
		if (b->evacuate)
			vm_shutdown_step(b, h, vm, "it cannot be migrated off the host");
		else if (vm_on_network(h, vm))
			vm_shutdown_step(b, h, vm, "its VIF cannot be unplugged for the PIF re-plug");
	}
	if (b->evacuate && hu) {
		s = add_step(b, KT_PLAN_RUN, H, "maintenance mode: no new VM starts on %s (then its "
			     "VMs are migrated one by one, so each move can be undone)", H);
		set_argv(b, s, "xe", "host-disable", fmt(b, "uuid=%s", hu), NULL);
		undo(b, s, "xe", "host-enable", fmt(b, "uuid=%s", hu), NULL);
		for (size_t i = 0; i < b->inv->n_vms; i++) {
			const struct kt_net_vm *vm = &b->inv->vms[i];
			const struct hplan *t = evacuation_target(b, k);

			if (!same(b->loc[i], hu) || !vm->pv_drivers)
				continue;
			if (!t) {
				add_note(b, true, "storage-no-evacuate", H, SRC_MAINT,
					 "no other host to move VM %s to", vm_label(vm));
				continue;
			}
			s = add_step(b, KT_PLAN_RUN, H, "migrate VM %s to %s (the storage path goes "
				     "down with the PIF)", vm_label(vm), host_label(t));
			set_argv(b, s, "xe", "vm-migrate", fmt(b, "uuid=%s", vm->uuid),
				 fmt(b, "host-uuid=%s", t->host->uuid), NULL);
			/* back: the host is disabled at that point */
			undo(b, s, "xe", "host-enable", fmt(b, "uuid=%s", hu), NULL);
			undo(b, s, "xe", "vm-migrate", fmt(b, "uuid=%s", vm->uuid),
			     fmt(b, "host-uuid=%s", hu), NULL);
			undo(b, s, "xe", "host-disable", fmt(b, "uuid=%s", hu), NULL);
			b->loc[i] = t->host->uuid;
		}
		for (size_t i = 0; i < h->n_pbds; i++) {
			const struct kt_net_pbd *p = h->pbds[i];

			s = add_step(b, KT_PLAN_RUN, H, "unplug PBD %s of SR %s (storage %s over this "
				     "network): never under a PIF re-plug", p->uuid,
				     p->sr_name ? p->sr_name : p->sr_uuid, h->pbd_addr[i]);
			set_argv(b, s, "xe", "pbd-unplug", fmt(b, "uuid=%s", p->uuid), NULL);
			undo(b, s, "xe", "pbd-plug", fmt(b, "uuid=%s", p->uuid), NULL);
		}
	} else {
		for (size_t i = 0; i < h->n_vifs; i++) {
			const struct kt_net_vif *v = h->vifs[i];
			const struct kt_net_vm *vm = NULL;

			for (size_t j = 0; j < h->n_vms; j++)
				if (same(h->vms[j]->uuid, v->vm_uuid))
					vm = h->vms[j];
			if (vm && !vm->pv_drivers)
				continue;
			vif_unplug_step(b, h, v, vif_mtu, vif_mtu,
					" (xapi refuses pif-unplug while VIFs on the network are in use)");
		}
	}

	/* the PIF */
	if (f->disallow_unplug) {
		s = add_step(b, KT_PLAN_RUN, H, "allow %s to be unplugged: disallow-unplug=true marks "
			     "it a storage interface (checked above: no clustering on this network)",
			     f->name);
		set_argv(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", u), "disallow-unplug=false", NULL);
		undo(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", u), "disallow-unplug=true", NULL);
	}
	if (b->raising) {
		s = add_step(b, KT_PLAN_RUN, H, "give %s MTU %d by a per-PIF override (the network "
			     "stays at %d until every host is done)", f->name, b->mtu, b->net->mtu);
		set_argv(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", u),
			 fmt(b, "other-config:mtu=%d", b->mtu), NULL);
	} else if (f->other_config_mtu > 0) {
		s = add_step(b, KT_PLAN_RUN, H, "remove %s's per-PIF MTU override (%d)", f->name,
			     f->other_config_mtu);
		set_argv(b, s, "xe", "pif-param-remove", fmt(b, "uuid=%s", u), "param-name=other-config",
			 "param-key=mtu", NULL);
	} else {
		s = NULL;
	}
	if (s && f->other_config_mtu > 0)
		undo(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", u),
		     fmt(b, "other-config:mtu=%d", f->other_config_mtu), NULL);
	else if (s)
		undo(b, s, "xe", "pif-param-remove", fmt(b, "uuid=%s", u), "param-name=other-config",
		     "param-key=mtu", NULL);
	s = add_step(b, KT_PLAN_RUN, H, "unplug %s", f->name);
	set_argv(b, s, "xe", "pif-unplug", fmt(b, "uuid=%s", u), NULL);
	/* undo: plug it with the MTU it had, then the configuration back */
	undo(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", u), fmt(b, "other-config:mtu=%d", f->mtu), NULL);
	undo(b, s, "xe", "pif-plug", fmt(b, "uuid=%s", u), NULL);
	if (b->raising)
		undo(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", u), fmt(b, "other-config:mtu=%d", b->mtu), NULL);
	else
		undo(b, s, "xe", "pif-param-remove", fmt(b, "uuid=%s", u), "param-name=other-config",
		     "param-key=mtu", NULL);
	s = add_step(b, KT_PLAN_RUN, H, "plug %s again (it comes up with MTU %d)", f->name, b->mtu);
	set_argv(b, s, "xe", "pif-plug", fmt(b, "uuid=%s", u), NULL);
	undo(b, s, "xe", "pif-unplug", fmt(b, "uuid=%s", u), NULL);
	if (f->disallow_unplug) {
		s = add_step(b, KT_PLAN_RUN, H, "restore disallow-unplug=true on %s", f->name);
		s->cosmetic = true;
		set_argv(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", u), "disallow-unplug=true", NULL);
		undo(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", u), "disallow-unplug=false", NULL);
	}

	/* on again */
	if (b->evacuate && hu) {
		for (size_t i = 0; i < h->n_pbds; i++) {
			const struct kt_net_pbd *p = h->pbds[i];

			s = add_step(b, KT_PLAN_RUN, H, "plug PBD %s of SR %s again", p->uuid,
				     p->sr_name ? p->sr_name : p->sr_uuid);
			set_argv(b, s, "xe", "pbd-plug", fmt(b, "uuid=%s", p->uuid), NULL);
			undo(b, s, "xe", "pbd-unplug", fmt(b, "uuid=%s", p->uuid), NULL);
		}
		s = add_step(b, KT_PLAN_RUN, H, "leave maintenance mode on %s", H);
		set_argv(b, s, "xe", "host-enable", fmt(b, "uuid=%s", hu), NULL);
		undo(b, s, "xe", "host-disable", fmt(b, "uuid=%s", hu), NULL);
	} else {
		for (size_t i = 0; i < h->n_vifs; i++) {
			const struct kt_net_vif *v = h->vifs[i];
			bool pv = true;

			for (size_t j = 0; j < h->n_vms; j++)
				if (same(h->vms[j]->uuid, v->vm_uuid))
					pv = h->vms[j]->pv_drivers;
			if (pv)
				vif_plug_step(b, h, v, vif_mtu);
		}
	}
	for (size_t i = 0; i < h->n_vms; i++) {
		const struct kt_net_vm *vm = h->vms[i];

		if (!vm->pv_drivers && (b->evacuate || vm_on_network(h, vm)))
			vm_start_step(b, h, vm);
	}
	s = add_step(b, KT_PLAN_CHECK, H, "the host is done: %s at MTU %d%s%s", f->name, b->mtu,
		     h->n_pbds ? ", PBDs plugged" : "",
		     h->n_pings ? ", DF ping to the storage passes at MTU-28 and fails one byte above" : "");
	s->check = new_check(b, h, true);
}

/* Raising, after every host: the network MTU, the overrides, the VIFs. */
static void
raise_vifs_last(struct builder *b)
{
	struct kt_plan_step *s;

	s = add_step(b, KT_PLAN_RUN, NULL, "set the MTU of network '%s' to %d (every PIF has it "
		     "now; VIFs plugged from here on take it)", b->net->name ? b->net->name : "", b->mtu);
	set_argv(b, s, "xe", "network-param-set", fmt(b, "uuid=%s", b->net->uuid),
		 fmt(b, "MTU=%d", b->mtu), NULL);
	undo(b, s, "xe", "network-param-set", fmt(b, "uuid=%s", b->net->uuid),
	     fmt(b, "MTU=%d", b->net->mtu), NULL);
	for (size_t k = 0; k < b->n_hosts; k++) {
		const struct kt_net_iface *f = b->hosts[k].pif;

		if (f->management || !f->attached)
			continue;
		s = add_step(b, KT_PLAN_RUN, host_label(&b->hosts[k]), "drop %s's per-PIF override "
			     "(the network says %d now; nothing is re-plugged)", f->name, b->mtu);
		s->cosmetic = true;
		set_argv(b, s, "xe", "pif-param-remove", fmt(b, "uuid=%s", f->uuid),
			 "param-name=other-config", "param-key=mtu", NULL);
		undo(b, s, "xe", "pif-param-set", fmt(b, "uuid=%s", f->uuid),
		     fmt(b, "other-config:mtu=%d", b->mtu), NULL);
	}
	for (size_t k = 0; k < b->n_hosts; k++) {
		const struct hplan *h = &b->hosts[k];

		/* (after evacuations the VMs may run elsewhere: VIF commands
		 * name the VIF, not the host) */
		for (size_t i = 0; i < h->n_vms; i++) {
			const struct kt_net_vm *vm = h->vms[i];

			if (!vm_on_network(h, vm))
				continue;
			if (!vm->pv_drivers) {
				s = add_step(b, KT_PLAN_RUN, host_label(h), "reboot VM %s (no PV drivers): "
					     "its VIF takes MTU %d at boot", vm_label(vm), b->mtu);
				set_argv(b, s, "xe", "vm-reboot", fmt(b, "uuid=%s", vm->uuid), NULL);
				for (size_t j = 0; j < h->n_vifs; j++)
					if (same(h->vifs[j]->vm_uuid, vm->uuid))
						undo(b, s, "xe", "vif-param-set", fmt(b, "uuid=%s", h->vifs[j]->uuid),
						     fmt(b, "other-config:mtu=%d", b->net->mtu), NULL);
				undo(b, s, "xe", "vm-reboot", fmt(b, "uuid=%s", vm->uuid), NULL);
				for (size_t j = 0; j < h->n_vifs; j++)
					if (same(h->vifs[j]->vm_uuid, vm->uuid))
						undo(b, s, "xe", "vif-param-remove", fmt(b, "uuid=%s", h->vifs[j]->uuid),
						     "param-name=other-config", "param-key=mtu", NULL);
				continue;
			}
			for (size_t j = 0; j < h->n_vifs; j++) {
				if (!same(h->vifs[j]->vm_uuid, vm->uuid) || h->vifs[j]->other_config_mtu > 0)
					continue;
				vif_unplug_step(b, h, h->vifs[j], b->net->mtu, b->mtu,
						" (VIFs last: it comes back with the new MTU)");
				vif_plug_step(b, h, h->vifs[j], b->mtu);
			}
		}
	}
	add_step(b, KT_PLAN_MANUAL, NULL, "Linux guests: raise the guest interface MTU to %d "
		 "yourself if wanted (netfront ignores the MTU xapi writes to xenstore; %s)", b->mtu,
		 SRC_NETFRONT);
}

static void
verify_steps(struct builder *b)
{
	const struct kt_net_inventory *inv = b->inv;
	struct kt_plan_step *s;

	s = add_step(b, KT_PLAN_VERIFY, NULL, "every PIF of the network reports MTU %d", b->mtu);
	set_argv(b, s, "xe", "pif-list", fmt(b, "network-uuid=%s", b->net->uuid),
		 "params=uuid,host-name-label,device,MTU,currently-attached", NULL);
	s = add_step(b, KT_PLAN_VERIFY, NULL, "re-run the audit: no MTU findings are left");
	set_argv(b, s, "ktriage", "net", "audit", "--xe", NULL);
	for (size_t i = 0, pings = 0; i < inv->n_ifaces && pings < MAX_PING_STEPS; i++) {
		const struct kt_net_iface *from = &inv->ifaces[i];

		if (!on_network(from, b->net) || !valid_addr(from->ip))
			continue;
		for (size_t j = 0; j < inv->n_ifaces; j++) {
			const struct kt_net_iface *to = &inv->ifaces[j];

			if (i == j || !on_network(to, b->net) || !valid_addr(to->ip) ||
			    ++pings > MAX_PING_STEPS)
				continue;
			s = add_step(b, KT_PLAN_VERIFY, from->host,
				     "full-size frames pass from %s to %s without fragmentation",
				     from->host ? from->host : "?", to->host ? to->host : to->ip);
			set_argv(b, s, "ping", "-M", "do", "-s", fmt(b, "%d", b->mtu - 28), "-c", "3",
				 "-I", from->ip, to->ip, NULL);
		}
	}
}

static int
check_uuids(struct kt_ctx *ctx, const struct kt_net_inventory *inv,
	    const struct kt_net_network *net)
{
	if (!kt_net_valid_uuid(net->uuid))
		return kt_error(ctx, KT_EINVAL, "network '%s' has an invalid uuid in the xe records",
				net->name ? net->name : "?");
	for (size_t i = 0; i < inv->n_ifaces; i++)
		if (on_network(&inv->ifaces[i], net) && !kt_net_valid_uuid(inv->ifaces[i].uuid))
			return kt_error(ctx, KT_EINVAL, "PIF %s has an invalid uuid '%s'",
					inv->ifaces[i].name, inv->ifaces[i].uuid);
	for (size_t i = 0; i < inv->n_hosts; i++)
		if (inv->hosts[i].uuid && !kt_net_valid_uuid(inv->hosts[i].uuid))
			return kt_error(ctx, KT_EINVAL, "host '%s' has an invalid uuid",
					inv->hosts[i].name ? inv->hosts[i].name : "?");
	for (size_t i = 0; i < inv->n_vms; i++)
		if (!kt_net_valid_uuid(inv->vms[i].uuid))
			return kt_error(ctx, KT_EINVAL, "a VM has an invalid uuid");
	for (size_t i = 0; i < inv->n_vifs; i++)
		if (same(inv->vifs[i].network_uuid, net->uuid) && !kt_net_valid_uuid(inv->vifs[i].uuid))
			return kt_error(ctx, KT_EINVAL, "a VIF has an invalid uuid");
	for (size_t i = 0; i < inv->n_pbds; i++)
		if (inv->pbds[i].uuid && !kt_net_valid_uuid(inv->pbds[i].uuid))
			return kt_error(ctx, KT_EINVAL, "a PBD has an invalid uuid");
	return 0;
}

static void
ha_and_cluster(struct builder *b)
{
	const struct kt_net_inventory *inv = b->inv;

	if (inv->redo_log_enabled)
		add_note(b, true, "redo-log", NULL, SRC_PIF_UNPLUG,
			 "the DR redo log is enabled: xapi refuses pif-unplug (REDO_LOG_IS_ENABLED); "
			 "disable it (xe pool-disable-redo-log) for the change");
	if (inv->ha_enabled) {
		if (!inv->ha_sr_uuid || !kt_net_valid_uuid(inv->ha_sr_uuid) || !inv->pool_uuid ||
		    !kt_net_valid_uuid(inv->pool_uuid))
			add_note(b, true, "ha-unknown", NULL, SRC_HA,
				 "HA is enabled and its heartbeat SR is not known from the records "
				 "(pool ha-statefiles -> vdi-list): disable HA yourself first");
		else
			b->ha = true;
	}
	for (size_t i = 0; i < inv->n_cluster_pifs; i++)
		for (size_t k = 0; k < inv->n_ifaces; k++)
			if (same(inv->ifaces[k].uuid, inv->cluster_pifs[i]) && on_network(&inv->ifaces[k], b->net)) {
				add_note(b, true, "clustering", inv->ifaces[k].host, SRC_CLUSTER,
					 "GFS2 clustering uses %s on this network: xapi refuses to change its "
					 "disallow-unplug (CLUSTERING_ENABLED) and the cluster would lose "
					 "quorum on an unplug -- change the MTU with clustering disabled",
					 inv->ifaces[k].name);
				return;
			}
}

int
kt_net_plan_build2(struct kt_ctx *ctx, const struct kt_net_inventory *inv,
		   const struct kt_driver_db *db, const struct kt_net_plan_opts *opts,
		   struct kt_net_plan **ret)
{
	struct builder b = { 0 };
	struct kt_plan_step *s;
	size_t n_pifs = 0, n_vms_with_vifs = 0;
	int mtu = opts->mtu, err = 0;
	const char *network = opts->network;

	(void)db;
	if (!inv->is_xe)
		return kt_error(ctx, KT_EINVAL, "an MTU plan needs XenServer records (--xe-dir DIR or --xe)");
	if (mtu < PLAN_MTU_MIN || mtu > PLAN_MTU_MAX)
		return kt_error(ctx, KT_EINVAL, "MTU %d is outside %d-%d", mtu, PLAN_MTU_MIN, PLAN_MTU_MAX);
	if (!kt_net_valid_uuid(network) && !kt_net_valid_name(network))
		return kt_error(ctx, KT_EINVAL, "'%s' is neither a uuid nor a valid name-label",
				network ? network : "");
	b.net = find_network(ctx, inv, network, &err);
	if (!b.net)
		return err;
	err = check_uuids(ctx, inv, b.net);
	if (err)
		return err;
	b.ctx = ctx;
	b.inv = inv;
	b.opts = opts;
	b.mtu = mtu;
	b.raising = b.net->mtu > 0 && mtu > b.net->mtu;
	b.plan = kt_calloc(1, sizeof(*b.plan));
	b.plan->arena = kt_arena_new();
	b.plan->network_uuid = kt_arena_strdup(b.plan->arena, b.net->uuid);
	b.plan->network_name = b.net->name ? kt_arena_strdup(b.plan->arena, b.net->name) : NULL;
	b.plan->old_mtu = b.net->mtu;
	b.plan->new_mtu = mtu;
	b.plan->forced = opts->force;

	/* what the change touches */
	index_vms(&b);
	order_hosts(&b);
	b.loc = kt_arena_alloc(b.plan->arena, (inv->n_vms + 1) * sizeof(*b.loc));
	for (size_t i = 0; i < inv->n_vms; i++)
		b.loc[i] = inv->vms[i].running ? inv->vms[i].host_uuid : NULL;
	for (size_t k = 0; k < b.n_hosts; k++) {
		find_storage(&b, &b.hosts[k]);
		collect_vms(&b, &b.hosts[k]);
		b.evacuate |= b.hosts[k].n_pbds > 0;
		n_vms_with_vifs += b.hosts[k].n_vifs;
	}
	for (size_t i = 0; i < inv->n_ifaces; i++)
		if (on_network(&inv->ifaces[i], b.net)) {
			n_pifs++;
			check_nics(&b, &inv->ifaces[i]);
			check_management(&b, &inv->ifaces[i]);
		}
	check_network_kind(&b, n_pifs);
	if (n_pifs > MAX_POOL_HOSTS)
		add_note(&b, true, "pool-too-large", NULL, SRC_MAINT,
			 "%zu PIFs on this network: a XenServer pool has at most %d hosts -- these "
			 "records are not one pool", n_pifs, MAX_POOL_HOSTS);
	check_crash_config(&b);
	ha_and_cluster(&b);
	if (b.evacuate && inv->n_hosts < 2)
		add_note(&b, true, "storage-no-evacuate", NULL, SRC_MAINT,
			 "storage is reached over this network and the pool has one host: its VMs "
			 "cannot be evacuated -- shut them down and reboot the host instead");
	if (mtu < XC_MTU_MIN || mtu > XC_MTU_MAX)
		add_note(&b, false, "outside-xencenter-range", NULL, SRC_XC_NETWORK,
			 "MTU %d is outside XenCenter's range %d-%d", mtu, XC_MTU_MIN, XC_MTU_MAX);
	if (b.evacuate)
		add_note(&b, false, "storage-evacuate", NULL, SRC_MAINT,
			 "storage is reached over this network: each host is evacuated and its PBDs "
			 "unplugged before its PIF is re-plugged, and plugged again after");
	for (size_t i = 0; i < inv->n_vifs; i++) {
		const struct kt_net_vif *v = &inv->vifs[i];
		bool known = false;

		for (size_t k = 0; k < inv->n_vms; k++)
			known |= same(inv->vms[k].uuid, v->vm_uuid);
		if (v->attached && same(v->network_uuid, b.net->uuid) && !known)
			add_note(&b, false, "vif-vm-unknown", NULL, SRC_PIF_UNPLUG,
				 "VIF %s (VM %s) is attached but its VM is not in the vm-list records: "
				 "the plan cannot place it on a host; xapi refuses pif-unplug "
				 "(VIF_IN_USE) while it runs on that host", v->uuid,
				 v->vm_name ? v->vm_name : "?");
	}
	if (n_vms_with_vifs)
		add_note(&b, false, "running-vifs", NULL, SRC_XENOPS,
			 "%zu running VIF(s) on this network: a VIF takes the network MTU only when "
			 "plugged, so the plan re-plugs them (%s)", n_vms_with_vifs,
			 b.raising ? "after every PIF" : "before any PIF");
	for (size_t i = 0; i < inv->n_cluster_pifs && !kt_net_plan_refused(b.plan); i++)
		if (i == 0)
			add_note(&b, false, "clustering-elsewhere", NULL, SRC_CLUSTER,
				 "GFS2 clustering is enabled on another network: disallow-unplug may be "
				 "changed on this one");

	/* the steps */
	if (b.ha) {
		s = add_step(&b, KT_PLAN_RUN, NULL, "disable HA (xapi refuses pif-unplug with HA on; "
			     "re-enabled in the last step)");
		set_argv(&b, s, "xe", "pool-ha-disable", NULL);
		undo(&b, s, "xe", "pool-ha-enable", fmt(&b, "heartbeat-sr-uuids=%s", inv->ha_sr_uuid), NULL);
		if (inv->ha_ntol >= 0)
			undo(&b, s, "xe", "pool-param-set", fmt(&b, "uuid=%s", inv->pool_uuid),
			     fmt(&b, "ha-host-failures-to-tolerate=%d", inv->ha_ntol), NULL);
	}
	if (b.raising) {
		add_step(&b, KT_PLAN_MANUAL, NULL, "raise the MTU on every switch port of this network "
			 "(and the inter-switch links) to at least %d plus the switch's L2 overhead", mtu);
		if (b.evacuate)
			add_step(&b, KT_PLAN_MANUAL, NULL, "raise the MTU of the storage array's ports "
				 "(the targets listed in the checks below) to %d", mtu);
	} else {
		add_step(&b, KT_PLAN_MANUAL, NULL, "Linux guests with a VIF on this network: set the "
			 "guest interface MTU to %d now (netfront ignores the MTU xapi writes to "
			 "xenstore; %s)", mtu, SRC_NETFRONT);
		s = add_step(&b, KT_PLAN_RUN, NULL, "set the MTU of network '%s' to %d (a stored value: "
			     "VIFs and PIFs take it when next plugged)", b.net->name ? b.net->name : "", mtu);
		set_argv(&b, s, "xe", "network-param-set", fmt(&b, "uuid=%s", b.net->uuid),
			 fmt(&b, "MTU=%d", mtu), NULL);
		undo(&b, s, "xe", "network-param-set", fmt(&b, "uuid=%s", b.net->uuid),
		     fmt(&b, "MTU=%d", b.net->mtu), NULL);
		lower_vifs_first(&b);
	}
	for (size_t k = 0; k < b.n_hosts; k++)
		host_steps(&b, k);
	if (b.raising)
		raise_vifs_last(&b);
	else {
		add_step(&b, KT_PLAN_MANUAL, NULL, "now (every host is at %d) the switch ports%s may be "
			 "lowered to %d", mtu, b.evacuate ? " and the storage array" : "", mtu);
	}
	if (b.ha) {
		s = add_step(&b, KT_PLAN_RUN, NULL, "enable HA again (heartbeat SR %s)", inv->ha_sr_uuid);
		s->cosmetic = true;
		set_argv(&b, s, "xe", "pool-ha-enable", fmt(&b, "heartbeat-sr-uuids=%s", inv->ha_sr_uuid), NULL);
		undo(&b, s, "xe", "pool-ha-disable", NULL);
		if (inv->ha_ntol >= 0) {
			s = add_step(&b, KT_PLAN_RUN, NULL, "restore ha-host-failures-to-tolerate=%d",
				     inv->ha_ntol);
			s->cosmetic = true;
			set_argv(&b, s, "xe", "pool-param-set", fmt(&b, "uuid=%s", inv->pool_uuid),
				 fmt(&b, "ha-host-failures-to-tolerate=%d", inv->ha_ntol), NULL);
		}
	}
	verify_steps(&b);
	*ret = b.plan;
	return 0;
}

int
kt_net_plan_build(struct kt_ctx *ctx, const struct kt_net_inventory *inv,
		  const struct kt_driver_db *db, const char *network, int mtu,
		  struct kt_net_plan **ret)
{
	struct kt_net_plan_opts o = { .network = network, .mtu = mtu };

	return kt_net_plan_build2(ctx, inv, db, &o, ret);
}

bool
kt_net_plan_refused(const struct kt_net_plan *plan)
{
	return plan->n_refusals > 0 && !plan->forced;
}

void
kt_net_plan_free(struct kt_net_plan *plan)
{
	if (!plan)
		return;
	kt_arena_free(plan->arena);
	free(plan);
}
