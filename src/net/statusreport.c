/*
 * net: network state from a XenServer status report (xen-bugtool's
 * bug-report-<ts>.tar.bz2, or .tar/.zip), read with libarchive without
 * unpacking. Uses the command outputs named as xen-bugtool names them
 * (https://github.com/xenserver/xen-bugtool): ip-s-addr.out / ip-d-link.out (interfaces,
 * MTU, master, @lower), ethtool-i-<IF>.out (driver, bus-info),
 * proc/net/bonding/<bond>, proc/net/vlan/config, and for Open vSwitch hosts
 * ovs-vsctl-list-ports-<br>.out and ovs-appctl-bond%show-<bond>.out. Other
 * members are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "net/inventory.h"
#include "util/ctx.h"
#include "util/mem.h"

/* Members we read at all; anything bigger is truncated. */
#define MEMBER_LIMIT (4u << 20)
/* Archive members examined before giving up. */
#define MAX_MEMBERS 200000

static const char *
base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static char *
read_member(struct archive *a, size_t *ret_len)
{
	struct kt_buf b;
	char chunk[16384];
	la_ssize_t n;

	kt_buf_init(&b);
	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0)
		if (b.len < MEMBER_LIMIT)
			kt_buf_add(&b, chunk, (size_t)n);
	if (!b.p)
		kt_buf_add(&b, "", 0);
	/* embedded NULs end the text: the parsers are line-based on C strings */
	*ret_len = strlen(b.p);
	return b.p;
}

static struct kt_net_iface *
iface_for(struct kt_net_inventory *inv, const char *name)
{
	long i = kt_net_iface_index(inv, NULL, name);

	if (i >= 0)
		return &inv->ifaces[i];
	if (inv->n_ifaces >= KT_NET_MAX_IFACES)
		return NULL;
	return kt_net_add_iface(inv, NULL, name);
}

/* "2: eth0: <BROADCAST,MULTICAST,UP> mtu 9000 qdisc mq master ovs-system state UP"
 * "5: bond0.100@bond0: <...> mtu 1500 ..."; with -d, the next lines carry
 * "vlan protocol 802.1Q id 100", "bond mode ...", "bridge ...", "veth",
 * "openvswitch", and "minmtu 68 maxmtu 9000". */
static void
parse_ip_output(struct kt_net_inventory *inv, char *text)
{
	static const struct {
		const char *word;
		enum kt_net_kind kind;
	} kinds[] = {
		{ "vlan ", KT_NET_VLAN }, { "bond ", KT_NET_BOND }, { "bridge ", KT_NET_BRIDGE },
		{ "veth ", KT_NET_VETH }, { "openvswitch ", KT_NET_OVS }, { "tun ", KT_NET_TUN },
	};
	long cur = -1;

	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[64], *p;
		unsigned idx;
		int off = 0;

		if (sscanf(l, "%u: %63[^:]:%n", &idx, name, &off) == 2 && off > 0) {
			struct kt_net_iface *f;
			char *at = strchr(name, '@');

			if (at)
				*at = '\0';
			f = iface_for(inv, name);
			if (!f) {
				cur = -1;
				continue;
			}
			cur = f - inv->ifaces;
			if (at && strcmp(at + 1, "NONE") != 0)
				f->lower = kt_net_strdup(inv, at + 1);
			if ((p = strstr(l, " mtu ")) != NULL)
				f->mtu = kt_net_atoi(kt_str_make(p + 5, strcspn(p + 5, " ")));
			if ((p = strstr(l, " master ")) != NULL && strlen(p + 8) > 0)
				f->master = kt_net_dup(inv, kt_str_make(p + 8, strcspn(p + 8, " ")));
			if ((p = strstr(l, " state ")) != NULL)
				f->operstate = kt_net_dup(inv, kt_str_make(p + 7, strcspn(p + 7, " ")));
			if (strncmp(name, "lo", 3) == 0)
				f->kind = KT_NET_LOOPBACK;
			continue;
		}
		if (cur < 0)
			continue;
		p = l + strspn(l, " \t");
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (strncmp(p, kinds[k].word, strlen(kinds[k].word)) == 0)
				inv->ifaces[cur].kind = kinds[k].kind;
		if ((p = strstr(l, "maxmtu ")) != NULL) {
			int mx = kt_net_atoi(kt_str_make(p + 7, strcspn(p + 7, " ")));

			if (mx > 0) {
				inv->ifaces[cur].max_mtu = mx;
				inv->ifaces[cur].max_mtu_from = "netlink";
			}
		}
	}
}

/* ethtool -i: "driver: enic" / "bus-info: 0000:06:00.0" */
static void
parse_ethtool_i(struct kt_net_inventory *inv, const char *ifname, char *text)
{
	struct kt_net_iface *f = iface_for(inv, ifname);

	if (!f)
		return;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "driver: ", 8) == 0 && l[8]) {
			f->driver = kt_net_dup(inv, kt_str_trim(kt_str_cstr(l + 8)));
			f->driver_from = "ethtool";
		}
		if (strncmp(l, "bus-info: ", 10) == 0 && strchr(l + 10, ':') && f->kind == KT_NET_OTHER)
			f->kind = KT_NET_PHYSICAL;
	}
}

/* /proc/net/bonding/<bond>: "Slave Interface: eth0" */
static void
parse_bonding(struct kt_net_inventory *inv, const char *bond, char *text)
{
	struct kt_net_iface *f = iface_for(inv, bond);
	long bi;

	if (!f)
		return;
	f->kind = KT_NET_BOND;
	bi = f - inv->ifaces;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct kt_net_iface *m;

		if (strncmp(l, "Slave Interface: ", 17) != 0 || !l[17] || strlen(l + 17) >= 64)
			continue;
		m = iface_for(inv, l + 17);
		if (!m)
			continue;
		m->master = inv->ifaces[bi].name;
		kt_net_add_member(inv, &inv->ifaces[bi], m->name);
	}
}

/* /proc/net/vlan/config: "eth0.100       | 100  | eth0" */
static void
parse_vlan_config(struct kt_net_inventory *inv, char *text)
{
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[64], parent[64];
		unsigned id;
		struct kt_net_iface *f;

		if (sscanf(l, " %63s | %u | %63s", name, &id, parent) != 3)
			continue;
		f = iface_for(inv, name);
		if (!f)
			continue;
		f->kind = KT_NET_VLAN;
		f->lower = kt_net_strdup(inv, parent);
	}
}

/* OVS outputs kept until the interfaces are known. */
#define MAX_OVS_FILES 256

struct ovs_file {
	char *name;		/* bridge (list-ports) or bond (bond/show) */
	char *text;
	bool bond;
};

struct sr_files {
	char *ip;		/* ip -d link, else ip -s addr */
	bool ip_detailed;
	size_t used;
	struct ovs_file ovs[MAX_OVS_FILES];
	size_t n_ovs;
};

/* "ovs-vsctl list-ports xenbr0" -> ovs-vsctl-list-ports-xenbr0.out;
 * "ovs-appctl bond/show bond0" -> ovs-appctl-bond%show-bond0.out
 * (xen-bugtool naming, https://github.com/xenserver/xen-bugtool). */
static bool
take_ovs(struct archive *a, const char *b, struct sr_files *sr)
{
	static const struct {
		const char *prefix;
		bool bond;
	} kinds[] = {
		{ "ovs-vsctl-list-ports-", false },
		{ "ovs-appctl-bond%show-", true },
	};
	size_t len;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t plen = strlen(kinds[k].prefix), blen = strlen(b);
		struct ovs_file *f;

		if (strncmp(b, kinds[k].prefix, plen) != 0 || blen <= plen + 4 || blen - plen > 68 ||
		    strcmp(b + blen - 4, ".out") != 0 || sr->n_ovs == MAX_OVS_FILES)
			continue;
		f = &sr->ovs[sr->n_ovs++];
		f->name = kt_strndup(b + plen, blen - plen - 4);
		f->text = read_member(a, &len);
		f->bond = kinds[k].bond;
		return true;
	}
	return false;
}

/* Ports of OVS bridges, then the members of OVS bonds. */
static void
apply_ovs(struct kt_net_inventory *inv, struct sr_files *sr)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sr->n_ovs; i++) {
			struct ovs_file *o = &sr->ovs[i];
			struct kt_net_iface *up;
			long ui;

			if (o->bond != (pass == 1) || !(up = iface_for(inv, o->name)))
				continue;
			up->kind = o->bond ? KT_NET_BOND : KT_NET_OVS;
			ui = up - inv->ifaces;
			for (char *save = NULL, *l = strtok_r(o->text, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save)) {
				struct kt_net_iface *m;
				size_t n;

				if (o->bond) {	/* "member eth2: enabled" / "slave eth2: ..." */
					if (strncmp(l, "member ", 7) == 0)
						l += 7;
					else if (strncmp(l, "slave ", 6) == 0)
						l += 6;
					else
						continue;
				}
				n = strcspn(l, o->bond ? ":" : " \t");
				if (n == 0 || n >= 64 || (o->bond && l[n] != ':'))
					continue;
				l[n] = '\0';
				if (!(m = iface_for(inv, l)))
					continue;
				m->master = inv->ifaces[ui].name;
				kt_net_add_member(inv, &inv->ifaces[ui], m->name);
			}
		}
	}
}

static void
take_member(struct kt_net_inventory *inv, struct archive *a, const char *path,
	    struct sr_files *sr)
{
	const char *b = base(path);
	size_t len;
	char *text;

	if (strcmp(b, "ip-d-link.out") == 0 || strcmp(b, "ip-s-addr.out") == 0 ||
	    strcmp(b, "ip-addr.out") == 0) {
		bool detailed = strcmp(b, "ip-d-link.out") == 0;

		if (sr->ip && (sr->ip_detailed || !detailed))
			return;
		free(sr->ip);
		sr->ip = read_member(a, &len);
		sr->ip_detailed = detailed;
		sr->used++;
		return;
	}
	if (strncmp(b, "ethtool-i-", 10) == 0 && strlen(b) > 14 && strlen(b) < 80 &&
	    strcmp(b + strlen(b) - 4, ".out") == 0) {
		char ifname[80];

		(void)snprintf(ifname, sizeof(ifname), "%.*s", (int)(strlen(b) - 14), b + 10);
		text = read_member(a, &len);
		parse_ethtool_i(inv, ifname, text);
		free(text);
		sr->used++;
		return;
	}
	if (strstr(path, "proc/net/bonding/") && strlen(b) > 0 && strlen(b) < 64) {
		text = read_member(a, &len);
		parse_bonding(inv, b, text);
		free(text);
		sr->used++;
		return;
	}
	if (take_ovs(a, b, sr)) {
		sr->used++;
		return;
	}
	if (strstr(path, "proc/net/vlan/config")) {
		text = read_member(a, &len);
		parse_vlan_config(inv, text);
		free(text);
		sr->used++;
	}
}

int
kt_net_inventory_status_report(struct kt_ctx *ctx, const char *path,
			       struct kt_net_inventory *inv)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct sr_files sr = { .ip = NULL };
	size_t members = 0;
	int rc, err = 0;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		err = kt_error(ctx, KT_EIO, "opening '%s': %s", path, archive_error_string(a));
		goto out;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK && members++ < MAX_MEMBERS) {
		const char *name = archive_entry_pathname(e);

		if (name && archive_entry_filetype(e) == AE_IFREG)
			take_member(inv, a, name, &sr);
	}
	if (rc != ARCHIVE_EOF && rc != ARCHIVE_OK && sr.used == 0) {
		err = kt_error(ctx, KT_EFORMAT, "'%s': %s", path, archive_error_string(a));
		goto out;
	}
	/* interfaces first from ip, so ethtool/bonding facts above stick */
	if (sr.ip)
		parse_ip_output(inv, sr.ip);
	apply_ovs(inv, &sr);
	if (sr.used == 0) {
		err = kt_error(ctx, KT_EFORMAT, "'%s' has no network state (ip-s-addr.out, "
			       "ethtool-i-*.out ...)", path);
		goto out;
	}
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		struct kt_net_iface *f = &inv->ifaces[i];

		if (f->kind == KT_NET_OTHER && f->driver)
			f->kind = strcmp(f->driver, "openvswitch") == 0 ? KT_NET_OVS
				  : strcmp(f->driver, "vif") == 0	 ? KT_NET_VIF
				  : strcmp(f->driver, "bridge") == 0	 ? KT_NET_BRIDGE
									 : KT_NET_PHYSICAL;
		if (f->kind == KT_NET_OTHER && f->lower)
			f->kind = KT_NET_VLAN;
	}
	inv->source = kt_net_printf(inv, "status-report:%s", path);
	inv->platform = "xenserver";	/* xen-bugtool output */
out:
	free(sr.ip);
	for (size_t i = 0; i < sr.n_ovs; i++) {
		free(sr.ovs[i].name);
		free(sr.ovs[i].text);
	}
	archive_read_free(a);
	return err;
}
