/*
 * net: the plan to change one XenServer network's MTU across a pool, and
 * its careful execution. Procedure from research/xen-domain.md 3.3-3.4:
 * network-param-set once (a DB write), then each host's PIF on that network
 * re-plugged (unplug/plug; pif-reconfigure-ip with identical settings when
 * HA or the redo log is on; never the management PIF), then verification.
 * Every value put in a command is validated first; commands run through
 * ops->run (exec, never a shell).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/inventory.h"
#include "util/arena.h"
#include "util/ctx.h"
#include "util/mem.h"

/* XenCenter's MTU range (Network.cs MTU_MIN/MTU_MAX, research 3.4). */
#define XC_MTU_MIN 1500
#define XC_MTU_MAX 9216
/* Largest MTU we accept at all (ETH_MAX_MTU) and smallest (IPv4 minimum). */
#define PLAN_MTU_MIN 68
#define PLAN_MTU_MAX 65535
/* VMs named in one warning before "and N more". */
#define MAX_NAMED_VMS 10
/* DF-ping verification steps at most (a 64-host pool would need 4032). */
#define MAX_PING_STEPS 32

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

struct builder {
	struct kt_net_plan *plan;
	const struct kt_net_inventory *inv;
	const struct kt_net_network *net;
	int mtu;
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
	char tmp[2048];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	s->kind = kind;
	s->host = host ? kt_arena_strdup(p->arena, host) : NULL;
	s->text = kt_arena_strdup(p->arena, tmp);
	return s;
}

/* NULL-terminated argv in the plan arena from a NULL-terminated list of
 * printf-free strings. */
static const char **
make_argv(struct builder *b, const char *first, ...)
{
	const char *items[16];
	const char **v;
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s && n < 15; s = va_arg(ap, const char *))
		items[n++] = kt_arena_strdup(b->plan->arena, s);
	va_end(ap);
	v = kt_arena_alloc(b->plan->arena, (n + 1) * sizeof(*v));
	memcpy(v, items, n * sizeof(*v));
	v[n] = NULL;
	return v;
}

static const char *
fmt(struct builder *b, const char *f, ...) __attribute__((format(printf, 2, 3)));

static const char *
fmt(struct builder *b, const char *f, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, f);
	(void)vsnprintf(tmp, sizeof(tmp), f, ap);
	va_end(ap);
	return kt_arena_strdup(b->plan->arena, tmp);
}

static bool
on_network(const struct kt_net_iface *f, const struct kt_net_network *n)
{
	return f->uuid && f->network_uuid && strcmp(f->network_uuid, n->uuid) == 0;
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

/* Driver limits of the NICs under a PIF (itself or its bond members). */
static void
warn_drivers(struct builder *b, const struct kt_net_iface *pif)
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
			add_step(b, KT_PLAN_WARN, f->host,
				 "%s uses driver %s, which cannot carry jumbo frames: MTU %d on this "
				 "network is unsafe (%s)", f->name, f->driver ? f->driver : "?", b->mtu,
				 f->caveat ? f->caveat : "see data/net/drivers.tsv");
		else if (f->max_mtu > 0 && b->mtu > f->max_mtu)
			add_step(b, KT_PLAN_WARN, f->host,
				 "%s (driver %s) accepts at most MTU %d; xcp-networkd will log "
				 "'MTU size is not supported' and keep the old MTU", f->name,
				 f->driver ? f->driver : "?", f->max_mtu);
	}
}

static void
warn_vms(struct builder *b)
{
	struct kt_buf names;
	size_t n = 0;

	kt_buf_init(&names);
	for (size_t i = 0; i < b->inv->n_vifs; i++) {
		const struct kt_net_vif *v = &b->inv->vifs[i];

		if (!v->attached || !v->network_uuid || strcmp(v->network_uuid, b->net->uuid) != 0)
			continue;
		if (n < MAX_NAMED_VMS)
			kt_buf_printf(&names, "%s%s", n ? ", " : "", v->vm_name ? v->vm_name : v->uuid);
		n++;
	}
	if (n)
		add_step(b, KT_PLAN_WARN, NULL,
			 "%zu running VM interface(s) use this network (%s%s): pif-unplug refuses "
			 "with VIF_IN_USE while they run on that host -- migrate or shut them down "
			 "host by host; their VIF MTU changes only when they are rebooted or their "
			 "VIFs re-plugged", n, names.p, n > MAX_NAMED_VMS ? ", ..." : "");
	kt_buf_deinit(&names);
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

/* Storage (PBDs) of this host whose target lies in the PIF's subnet. */
static void
warn_storage(struct builder *b, const struct kt_net_iface *pif)
{
	unsigned ip, mask, target;

	if (!parse_ipv4(pif->ip, &ip) || !parse_ipv4(pif->netmask, &mask))
		return;
	for (size_t i = 0; i < b->inv->n_pbds; i++) {
		const struct kt_net_pbd *p = &b->inv->pbds[i];

		if (!p->attached || !parse_ipv4(p->target, &target) || (target & mask) != (ip & mask))
			continue;
		if (pif->host_uuid && p->host_uuid && strcmp(pif->host_uuid, p->host_uuid) != 0)
			continue;
		add_step(b, KT_PLAN_WARN, pif->host,
			 "storage target %s (SR %s, PBD %s) is reached through %s on this "
			 "network: its I/O stops while the PIF is re-plugged -- put the host in "
			 "maintenance mode first (xe host-disable, xe host-evacuate) or reboot it instead",
			 p->target, p->sr_uuid ? p->sr_uuid : "?", p->uuid ? p->uuid : "?", pif->name);
	}
}

/* VLANs stacked on this network's PIFs, or the parent below a VLAN network. */
static void
warn_vlans(struct builder *b, const struct kt_net_iface *pif)
{
	const struct kt_net_inventory *inv = b->inv;

	if (pif->kind == KT_NET_VLAN && pif->lower) {
		const struct kt_net_iface *p = kt_net_inventory_find(inv, pif->host, pif->lower);

		for (size_t n = 0; p && n < inv->n_networks; n++)
			if (p->network_uuid && inv->networks[n].uuid &&
			    strcmp(inv->networks[n].uuid, p->network_uuid) == 0 &&
			    inv->networks[n].mtu > 0 && inv->networks[n].mtu < b->mtu)
				add_step(b, KT_PLAN_WARN, pif->host,
					 "this VLAN rides on %s whose network '%s' has MTU %d: xapi "
					 "configures the parent device from that network, so raise it "
					 "to %d first or larger frames are dropped", p->name,
					 inv->networks[n].name ? inv->networks[n].name : "?",
					 inv->networks[n].mtu, b->mtu);
	}

	for (size_t i = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *v = &inv->ifaces[i];

		if (v->kind != KT_NET_VLAN || !v->lower || strcmp(v->lower, pif->name) != 0 ||
		    (v->host && pif->host && strcmp(v->host, pif->host) != 0))
			continue;
		if (!pif->management && !b->inv->ha_enabled && !b->inv->redo_log_enabled)
			add_step(b, KT_PLAN_WARN, pif->host,
				 "VLAN %s rides on %s: its traffic stops while %s is re-plugged",
				 v->name, pif->name, pif->name);
		for (size_t n = 0; n < inv->n_networks; n++)
			if (v->network_uuid && inv->networks[n].uuid &&
			    strcmp(inv->networks[n].uuid, v->network_uuid) == 0 &&
			    inv->networks[n].mtu > b->mtu)
				add_step(b, KT_PLAN_WARN, pif->host,
					 "VLAN network '%s' (MTU %d) rides on %s: lower it to %d or "
					 "less first, or its larger frames are dropped",
					 inv->networks[n].name ? inv->networks[n].name : "?",
					 inv->networks[n].mtu, pif->name, b->mtu);
	}
}

static void
replug_steps(struct builder *b, const struct kt_net_iface *pif)
{
	const char *u = pif->uuid;
	const char *h = pif->host;
	struct kt_plan_step *s;

	if (pif->management) {
		add_step(b, KT_PLAN_MANUAL, h,
			 "%s (PIF %s) is the management interface: it is never unplugged. Apply "
			 "the MTU by rebooting the host in maintenance mode: xe host-disable "
			 "host=%s; xe host-evacuate host=%s; xe host-reboot host=%s; then "
			 "xe host-enable host=%s", pif->name, u, h ? h : "HOST", h ? h : "HOST",
			 h ? h : "HOST", h ? h : "HOST");
		return;
	}
	if (b->inv->ha_enabled || b->inv->redo_log_enabled) {
		const char *mode = pif->ip_mode ? pif->ip_mode : "None";

		if (strcasecmp(mode, "Static") == 0 && valid_addr(pif->ip) && valid_addr(pif->netmask)) {
			s = add_step(b, KT_PLAN_RUN, h, "re-apply %s's settings unchanged (HA/redo log is "
				     "on, so no unplug): the PIF is re-plugged with the new MTU", pif->name);
			s->argv = make_argv(b, "xe", "pif-reconfigure-ip", fmt(b, "uuid=%s", u),
					    "mode=static", fmt(b, "IP=%s", pif->ip),
					    fmt(b, "netmask=%s", pif->netmask),
					    fmt(b, "gateway=%s", valid_addr(pif->gateway) ? pif->gateway : ""),
					    valid_addr(pif->dns) ? fmt(b, "DNS=%s", pif->dns) : NULL, NULL);
			s->replug_uuid = u;
		} else if (strcasecmp(mode, "DHCP") == 0) {
			/* only identical *static* settings are documented as allowed
			 * under HA (research/xen-domain.md 3.4) */
			add_step(b, KT_PLAN_MANUAL, h,
				 "%s (PIF %s) uses DHCP and HA/redo log is on: 'xe pif-reconfigure-ip "
				 "uuid=%s mode=dhcp' may be refused; disable HA (xe pool-ha-disable) for "
				 "the change, or reboot this host", pif->name, u, u);
		} else {
			add_step(b, KT_PLAN_MANUAL, h,
				 "%s (PIF %s) has no IP and HA/redo log is on, so it can be neither "
				 "unplugged nor re-configured in place: disable HA (xe pool-ha-disable) "
				 "for the change, or reboot this host", pif->name, u);
		}
		return;
	}
	if (!pif->attached) {
		add_step(b, KT_PLAN_MANUAL, h, "%s (PIF %s) is not attached: it gets the new MTU when "
			 "it is next plugged", pif->name, u);
		return;
	}
	if (pif->disallow_unplug) {
		s = add_step(b, KT_PLAN_RUN, h, "allow %s to be unplugged (it has disallow-unplug=true)",
			     pif->name);
		s->argv = make_argv(b, "xe", "pif-param-set", fmt(b, "uuid=%s", u),
				    "disallow-unplug=false", NULL);
		s->undo_argv = make_argv(b, "xe", "pif-param-set", fmt(b, "uuid=%s", u),
					 "disallow-unplug=true", NULL);
	}
	s = add_step(b, KT_PLAN_RUN, h, "unplug %s", pif->name);
	s->argv = make_argv(b, "xe", "pif-unplug", fmt(b, "uuid=%s", u), NULL);
	s->undo_argv = make_argv(b, "xe", "pif-plug", fmt(b, "uuid=%s", u), NULL);
	s = add_step(b, KT_PLAN_RUN, h, "plug %s again (it comes up with MTU %d)", pif->name, b->mtu);
	s->argv = make_argv(b, "xe", "pif-plug", fmt(b, "uuid=%s", u), NULL);
	s->replug_uuid = u;
	if (pif->disallow_unplug) {
		s = add_step(b, KT_PLAN_RUN, h, "restore disallow-unplug=true on %s", pif->name);
		s->argv = make_argv(b, "xe", "pif-param-set", fmt(b, "uuid=%s", u),
				    "disallow-unplug=true", NULL);
	}
}

static void
verify_steps(struct builder *b)
{
	const struct kt_net_inventory *inv = b->inv;
	struct kt_plan_step *s;

	s = add_step(b, KT_PLAN_VERIFY, NULL, "every PIF of the network reports MTU %d", b->mtu);
	s->argv = make_argv(b, "xe", "pif-list", fmt(b, "network-uuid=%s", b->net->uuid),
			    "params=uuid,host-name-label,device,MTU,currently-attached", NULL);
	s = add_step(b, KT_PLAN_VERIFY, NULL, "re-run the audit: no MTU findings are left");
	s->argv = make_argv(b, "ktriage", "net", "audit", "--xe", NULL);
	/* DF ping between the hosts' addresses on this network */
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
			s->argv = make_argv(b, "ping", "-M", "do", "-s", fmt(b, "%d", b->mtu - 28),
					    "-c", "3", "-I", from->ip, to->ip, NULL);
		}
	}
	if (b->plan->n_steps && b->plan->steps[b->plan->n_steps - 1].argv &&
	    strcmp(b->plan->steps[b->plan->n_steps - 1].argv[0], "ping") == 0)
		return;
	s = add_step(b, KT_PLAN_VERIFY, NULL, "full-size frames reach a peer on this network "
		     "(storage target, another host) without fragmentation");
	s->argv = make_argv(b, "ping", "-M", "do", "-s", fmt(b, "%d", b->mtu - 28), "-c", "3",
			    "PEER", NULL);
}

/* Hosts in plan order: pool master first, then host-list order; PIFs of
 * hosts missing from host-list last. */
static void
host_steps(struct builder *b)
{
	const struct kt_net_inventory *inv = b->inv;
	size_t order[1024], n = 0;

	for (size_t h = 0; h < inv->n_hosts && n < 1024; h++)
		if (inv->hosts[h].pool_master)
			order[n++] = h;
	for (size_t h = 0; h < inv->n_hosts && n < 1024; h++)
		if (!inv->hosts[h].pool_master)
			order[n++] = h;
	for (size_t k = 0; k <= n; k++) {
		for (size_t i = 0; i < inv->n_ifaces; i++) {
			const struct kt_net_iface *f = &inv->ifaces[i];
			bool mine;

			if (!on_network(f, b->net))
				continue;
			mine = k < n ? f->host && inv->hosts[order[k]].name &&
					       strcmp(f->host, inv->hosts[order[k]].name) == 0
				     : !f->host || !kt_net_inventory_find_host(inv, f->host);
			if (mine)
				replug_steps(b, f);
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
	return 0;
}

int
kt_net_plan_build(struct kt_ctx *ctx, const struct kt_net_inventory *inv,
		  const struct kt_driver_db *db, const char *network, int mtu,
		  struct kt_net_plan **ret)
{
	struct builder b = { NULL, inv, NULL, mtu };
	struct kt_plan_step *s;
	int err = 0;

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
	b.plan = kt_calloc(1, sizeof(*b.plan));
	b.plan->arena = kt_arena_new();
	b.plan->network_uuid = kt_arena_strdup(b.plan->arena, b.net->uuid);
	b.plan->network_name = b.net->name ? kt_arena_strdup(b.plan->arena, b.net->name) : NULL;
	b.plan->old_mtu = b.net->mtu;
	b.plan->new_mtu = mtu;

	if (mtu < XC_MTU_MIN || mtu > XC_MTU_MAX)
		add_step(&b, KT_PLAN_WARN, NULL, "MTU %d is outside XenCenter's range %d-%d",
			 mtu, XC_MTU_MIN, XC_MTU_MAX);
	if (inv->ha_enabled || inv->redo_log_enabled)
		add_step(&b, KT_PLAN_WARN, NULL, "%s is enabled: pif-unplug is refused, so PIFs are "
			 "re-plugged with pif-reconfigure-ip and their current settings",
			 inv->ha_enabled ? "HA" : "the redo log");
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		if (!on_network(&inv->ifaces[i], b.net))
			continue;
		if (inv->ifaces[i].management && mtu > XC_MTU_MIN)
			add_step(&b, KT_PLAN_WARN, inv->ifaces[i].host,
				 "%s is a management interface: non-standard MTUs are not supported "
				 "there (pool joins and management traffic can fail)",
				 inv->ifaces[i].name);
		warn_drivers(&b, &inv->ifaces[i]);
		warn_vlans(&b, &inv->ifaces[i]);
		warn_storage(&b, &inv->ifaces[i]);
	}
	warn_vms(&b);

	s = add_step(&b, KT_PLAN_RUN, NULL, "set the MTU of network '%s' to %d (pool-wide; "
		     "applied to each PIF when it is re-plugged)", b.net->name ? b.net->name : "",
		     mtu);
	s->argv = make_argv(&b, "xe", "network-param-set", fmt(&b, "uuid=%s", b.net->uuid),
			    fmt(&b, "MTU=%d", mtu), NULL);
	if (b.net->mtu > 0)
		s->undo_argv = make_argv(&b, "xe", "network-param-set", fmt(&b, "uuid=%s", b.net->uuid),
					 fmt(&b, "MTU=%d", b.net->mtu), NULL);
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *f = &inv->ifaces[i];

		if (!on_network(f, b.net) || f->other_config_mtu <= 0)
			continue;
		s = add_step(&b, KT_PLAN_RUN, f->host, "remove the per-PIF MTU override (%d) of %s",
			     f->other_config_mtu, f->name);
		s->argv = make_argv(&b, "xe", "pif-param-remove", fmt(&b, "uuid=%s", f->uuid),
				    "param-name=other-config", "param-key=mtu", NULL);
		s->undo_argv = make_argv(&b, "xe", "pif-param-set", fmt(&b, "uuid=%s", f->uuid),
					 fmt(&b, "other-config:mtu=%d", f->other_config_mtu), NULL);
	}
	host_steps(&b);
	verify_steps(&b);
	*ret = b.plan;
	return 0;
}

void
kt_net_plan_free(struct kt_net_plan *plan)
{
	if (!plan)
		return;
	kt_arena_free(plan->arena);
	free(plan);
}

static void
add_argv(struct kt_buf *b, const char *const *argv)
{
	for (size_t i = 0; argv && argv[i]; i++) {
		bool quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"$;&|<>()*?`\\") != NULL;

		kt_buf_printf(b, i ? " " : "");
		if (!quote) {
			kt_buf_adds(b, argv[i]);
			continue;
		}
		kt_buf_addc(b, '\'');
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'')
				kt_buf_adds(b, "'\\''");
			else
				kt_buf_addc(b, *c);
		}
		kt_buf_addc(b, '\'');
	}
}

char *
kt_net_plan_text(const struct kt_net_plan *plan)
{
	static const char *const label[KT_PLAN_KIND_COUNT] = {
		[KT_PLAN_RUN] = "run", [KT_PLAN_MANUAL] = "manual",
		[KT_PLAN_WARN] = "WARNING", [KT_PLAN_VERIFY] = "verify",
	};
	struct kt_buf b;
	size_t num = 0;

	kt_buf_init(&b);
	kt_buf_printf(&b, "Plan: network '%s' (uuid %s) MTU %d -> %d\n",
		      plan->network_name ? plan->network_name : "", plan->network_uuid,
		      plan->old_mtu, plan->new_mtu);
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct kt_plan_step *s = &plan->steps[i];

		if (s->kind == KT_PLAN_WARN) {
			kt_buf_printf(&b, "  WARNING%s%s: %s\n", s->host ? " " : "",
				      s->host ? s->host : "", s->text);
			continue;
		}
		kt_buf_printf(&b, "%3zu. [%s]%s%s %s\n", ++num, label[s->kind],
			      s->host ? " host " : "", s->host ? s->host : "", s->text);
		if (s->argv) {
			kt_buf_adds(&b, "       $ ");
			add_argv(&b, s->argv);
			kt_buf_addc(&b, '\n');
		}
	}
	return b.p;
}

int
kt_net_plan_apply(struct kt_ctx *ctx, const struct kt_host_ops *ops,
		  const struct kt_net_plan *plan, kt_plan_progress_fn progress, void *userdata,
		  size_t *ret_done)
{
	*ret_done = 0;
	if (!ops->run)
		return kt_error(ctx, KT_EUNSUPPORTED, "these host ops cannot run commands");
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct kt_plan_step *s = &plan->steps[i];
		char *out = NULL;
		int status = -1, err;

		*ret_done = i;
		if (s->kind != KT_PLAN_RUN)
			continue;
		if (progress)
			progress(userdata, i, s, -1);
		err = ops->run(ops->userdata, s->argv, 1u << 20, &out, &status);
		if (err) {
			if (progress)
				progress(userdata, i, s, 127);
			return kt_error(ctx, KT_EIO, "cannot run '%s %s': %s", s->argv[0],
					s->argv[1] ? s->argv[1] : "", kt_strerror(err));
		}
		if (progress)
			progress(userdata, i, s, status);
		if (status != 0) {
			/* first line of what the command said, for the message */
			size_t len = strcspn(out, "\n");

			err = kt_error(ctx, KT_EIO, "'%s %s' failed with exit status %d%s%.*s",
				       s->argv[0], s->argv[1] ? s->argv[1] : "", status,
				       len ? ": " : "", (int)(len > 300 ? 300 : len), out);
			free(out);
			return err;
		}
		free(out);
	}
	*ret_done = plan->n_steps;
	return 0;
}

char *
kt_net_plan_rollback_text(const struct kt_net_plan *plan, size_t done)
{
	struct kt_buf b;
	size_t n = 0;

	kt_buf_init(&b);
	if (done > plan->n_steps)
		done = plan->n_steps;
	kt_buf_adds(&b, "To roll back what was done, run in this order:\n");
	/* undo in reverse order ... */
	for (size_t i = done; i-- > 0;) {
		const struct kt_plan_step *s = &plan->steps[i];

		if (s->kind != KT_PLAN_RUN || !s->undo_argv)
			continue;
		/* an unplug followed by its plug needs no undo of its own */
		if (i + 1 < done && plan->steps[i + 1].replug_uuid && s->argv &&
		    strcmp(s->argv[1], "pif-unplug") == 0)
			continue;
		kt_buf_printf(&b, "  %zu. $ ", ++n);
		add_argv(&b, s->undo_argv);
		kt_buf_addc(&b, '\n');
	}
	/* ... then re-plug the PIFs that already came up with the new MTU */
	for (size_t i = 0; i < done; i++) {
		const struct kt_plan_step *s = &plan->steps[i];

		if (s->kind != KT_PLAN_RUN || !s->replug_uuid)
			continue;
		kt_buf_printf(&b, "  %zu. $ xe pif-unplug uuid=%s && xe pif-plug uuid=%s  (host %s)\n",
			      ++n, s->replug_uuid, s->replug_uuid, s->host ? s->host : "?");
	}
	if (n == 0)
		kt_buf_adds(&b, "  nothing: no step changed anything\n");
	return b.p;
}
