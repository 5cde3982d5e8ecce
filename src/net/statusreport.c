/*
 * net: network state from a XenServer status report (xen-bugtool's
 * bug-report-<ts>.tar.bz2, or .tar/.zip), read with libarchive without
 * unpacking. Uses the command outputs named as xen-bugtool names them
 * (https://github.com/xenserver/xen-bugtool): ip-s-addr.out / ip-d-link.out (interfaces,
 * MTU, master, @lower), ethtool-i-<IF>.out (driver, bus-info),
 * proc/net/bonding/<bond>, proc/net/vlan/config, and for Open vSwitch hosts
 * ovs-vsctl-list-ports-<br>.out and ovs-appctl-bond%show-<bond>.out, and
 * in the kernel logs (kern.log*, messages*, dmesg*) the driver lines of
 * data/net/log-evidence.tsv that say what a NIC's port really carries (the
 * enic vNIC MTU), the host name in inventory.xml and the pool uuid in
 * xapi-db.xml. Other members are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <archive.h>
#include <archive_entry.h>
#include <pcre2.h>

#include "net/inventory.h"
#include "util/ctx.h"
#include "util/data.h"
#include "util/mem.h"
#include "util/str.h"

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

/* xen-bugtool's inventory.xml names the host the report was taken on
 * (xenserver/status-report xen-bugtool make_inventory(): the
 * system-summary element's hostname attribute, platform.node()):
 * <system-summary date="..." hostname="xs01" uname="Linux xs01 ..." .../>
 * Kept only when it is a plain host name (RFC 1123 letters, digits, '-',
 * '.', and '_' as found in practice), at most 253 bytes. */
bool
kt_net_sr_hostname(const char *text, char out[254])
{
	const char *p = strstr(text, "<system-summary"), *end, *v;
	size_t n = 0;

	if (!p || !(end = strchr(p, '>')))
		return false;
	for (v = p; (v = strstr(v, "hostname=\"")) && v < end; v++)
		if (v[-1] == ' ' || v[-1] == '\t' || v[-1] == '\n')
			break;
	if (!v || v >= end)
		return false;
	for (v += 10; v < end && *v != '"'; v++) {
		bool plain = (*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
			     (*v >= '0' && *v <= '9') || *v == '-' || *v == '.' || *v == '_';

		if (!plain || n >= 253)
			return false;
		out[n++] = *v;
	}
	out[n] = '\0';
	return n && *v == '"';
}

static void
parse_inventory_xml(struct kt_net_inventory *inv, const char *text)
{
	char name[254];

	if (kt_net_sr_hostname(text, name))
		inv->hostname = kt_net_strdup(inv, name);
}

/* The pool uuid of the host a status report was taken on. xen-bugtool
 * writes xapi's database as xapi-db.xml (xenserver/status-report
 * xen-bugtool: func_output(CAP_XENSERVER_DATABASES, 'xapi-db.xml',
 * dump_filtered_xapi_db), and `xe pool-dump-database` as
 * xapi-db-dumped.xml); xapi writes one <table name="NAME"> per class with
 * one <row ref=... FIELD="VALUE" .../> per object (xapi-project/xen-api
 * ocaml/database/db_xml.ml, To.table), and a host's database has exactly
 * one pool object, whose uuid field is the pool's uuid. The member can be
 * large, so it is scanned in a sliding window, never held whole. Values
 * are XML-escaped, so ` uuid="` only starts the attribute itself. The
 * caller drains the rest of its stream. */
bool
kt_net_sr_pool_uuid(kt_net_read_fn read, void *ud, char out[37])
{
	static const char table[] = "<table name=\"pool\"", attr[] = " uuid=\"";
	char win[16384 + 1];
	size_t have = 0;
	bool in_pool = false;
	bool found = false;
	long n;

	while ((n = read(ud, win + have, sizeof(win) - 1 - have)) > 0) {
		const char *p, *end;
		size_t keep;

		have += (size_t)n;
		if (!in_pool && (p = memmem(win, have, table, sizeof(table) - 1))) {
			in_pool = true;
			have -= (size_t)(p + sizeof(table) - 1 - win);
			memmove(win, p + sizeof(table) - 1, have);
			if (have && win[0] == '/')
				break;	/* <table name="pool"/>: no row */
		}
		if (in_pool && (p = memmem(win, have, attr, sizeof(attr) - 1))) {
			const char *close = memmem(win, have, "</table>", 8);
			const char *next = memmem(win, have, "<table ", 7);
			const char *v = p + sizeof(attr) - 1;
			size_t len = 0;

			if ((close && close < p) || (next && next < p))
				break;	/* the pool table has no row */
			end = win + have;
			while (v + len < end && v[len] != '"' && len < 36 &&
			       ((v[len] >= '0' && v[len] <= '9') || (v[len] >= 'a' && v[len] <= 'f') ||
				(v[len] >= 'A' && v[len] <= 'F') || v[len] == '-'))
				len++;
			if (v + len < end) {	/* the value is complete in the window */
				if (len == 36 && v[len] == '"') {
					memcpy(out, v, 36);
					out[36] = '\0';
					found = true;
				}
				break;
			}
		}
		if (in_pool && (memmem(win, have, "</table>", 8) || memmem(win, have, "<table ", 7)))
			break;
		/* keep what a marker or a uuid cut at the window's end needs */
		keep = have < 64 ? have : 64;
		if (in_pool && (p = memmem(win, have, attr, sizeof(attr) - 1)))
			keep = have - (size_t)(p - win);
		memmove(win, win + have - keep, keep);
		have = keep;
	}
	return found;
}

static long
read_stdio(void *ud, char *buf, size_t cap)
{
	size_t n = fread(buf, 1, cap, ud);

	return n ? (long)n : ferror((FILE *)ud) ? -1 : 0;
}

bool
kt_net_sr_pool_uuid_file(const char *path, char out[37])
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = kt_net_sr_pool_uuid(read_stdio, f, out);
	fclose(f);
	return ok;
}

static long
read_archive(void *ud, char *buf, size_t cap)
{
	return (long)archive_read_data(ud, buf, cap);
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
parse_ethtool_i(struct kt_net_inventory *inv, const char *ifname, char *text, char *bus,
		size_t bus_size)
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
		if (strncmp(l, "bus-info: ", 10) == 0)
			(void)snprintf(bus, bus_size, "%s", l + 10);
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

/* One row of data/net/log-evidence.tsv, compiled. */
struct evidence_rule {
	char driver[32];
	bool by_bus;		/* group 1 is a PCI bus id, else an interface name */
	pcre2_code *re;
	char *source;
};

/* A port MTU read from a log line, applied once every member is read. */
struct port_fact {
	char key[80];		/* interface name or bus id */
	bool by_bus;
	int mtu;
	char *line;
	const char *source;
};

#define MAX_EVIDENCE_RULES 32
#define MAX_PORT_FACTS 256
#define MAX_BUS 1024

struct sr_files {
	char *ip;		/* ip -d link, else ip -s addr */
	bool ip_detailed;
	size_t used;
	struct ovs_file ovs[MAX_OVS_FILES];
	size_t n_ovs;
	struct evidence_rule ev[MAX_EVIDENCE_RULES];
	size_t n_ev;
	pcre2_match_data *md;
	struct port_fact facts[MAX_PORT_FACTS];
	size_t n_facts;
	struct {
		char name[64], bus[64];
	} bus[MAX_BUS];		/* ethtool -i bus-info per interface */
	size_t n_bus;
};

/* data/net/log-evidence.tsv: driver key regex source. A row that does not
 * compile is a data error (KT_EFORMAT). */
static int
load_evidence(struct kt_ctx *ctx, struct sr_files *sr)
{
	struct kt_data_blob blob;
	struct kt_str rest;
	bool header = true;
	size_t lineno = 0;
	int err = kt_data_read(ctx, "net/log-evidence.tsv", &blob);

	if (err)
		return err;
	rest = kt_str_make(blob.data, blob.len);
	while (rest.len > 0 && !err) {
		long nl = kt_str_chr(rest, '\n');
		struct kt_str line = nl < 0 ? rest : kt_str_sub(rest, 0, (size_t)nl);
		char buf[2048], *f[4], *save = NULL;
		size_t n = 0;

		rest = nl < 0 ? kt_str_make(rest.p + rest.len, 0) : kt_str_skip(rest, (size_t)nl + 1);
		lineno++;
		if (line.len == 0 || line.p[0] == '#' || line.len >= sizeof(buf))
			continue;
		if (header) {
			header = false;
			continue;
		}
		memcpy(buf, line.p, line.len);
		buf[line.len] = '\0';
		for (char *t = strtok_r(buf, "\t", &save); t && n < 4; t = strtok_r(NULL, "\t", &save))
			f[n++] = t;
		if (n != 4 || sr->n_ev >= MAX_EVIDENCE_RULES || strlen(f[0]) >= 32 ||
		    (strcmp(f[1], "iface") && strcmp(f[1], "bus"))) {
			err = kt_error(ctx, KT_EFORMAT, "%s:%zu: bad log-evidence row", blob.origin,
				       lineno);
			break;
		}
		{
			struct evidence_rule *r = &sr->ev[sr->n_ev];
			uint32_t groups = 0;
			int ec;
			PCRE2_SIZE off;

			r->re = pcre2_compile((PCRE2_SPTR)f[2], PCRE2_ZERO_TERMINATED, 0, &ec, &off,
					      NULL);
			if (r->re)
				(void)pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &groups);
			if (!r->re || groups < 2) {
				pcre2_code_free(r->re);
				r->re = NULL;
				err = kt_error(ctx, KT_EFORMAT, "%s:%zu: bad regex", blob.origin, lineno);
				break;
			}
			(void)snprintf(r->driver, sizeof(r->driver), "%s", f[0]);
			r->by_bus = !strcmp(f[1], "bus");
			r->source = kt_strdup(f[3]);
			sr->n_ev++;
		}
	}
	kt_data_blob_deinit(&blob);
	if (!err && sr->n_ev)
		sr->md = pcre2_match_data_create(4, NULL);
	return err;
}

/* One kernel-log member: the lines of the evidence rows (a cheap driver-name
 * test first), at most MAX_PORT_FACTS facts, later ones win. */
static void
scan_log(struct sr_files *sr, char *text)
{
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		/* a kernel log line is under 1 KiB (printk's LOG_LINE_MAX); longer
		 * ones are not driver messages and would only cost regex time */
		if (strnlen(l, 1025) > 1024)
			continue;
		for (size_t i = 0; i < sr->n_ev && sr->md; i++) {
			struct evidence_rule *r = &sr->ev[i];
			PCRE2_SIZE *ov;
			struct port_fact *pf;
			size_t klen;
			long mtu;

			if (!strstr(l, r->driver) ||
			    pcre2_match(r->re, (PCRE2_SPTR)l, strlen(l), 0, 0, sr->md, NULL) < 3)
				continue;
			ov = pcre2_get_ovector_pointer(sr->md);
			klen = ov[3] - ov[2];
			mtu = strtol(l + ov[4], NULL, 10);
			if (klen == 0 || klen >= sizeof(pf->key) || mtu < 68 || mtu > 65535)
				continue;
			if (sr->n_facts >= MAX_PORT_FACTS)
				return;
			pf = &sr->facts[sr->n_facts++];
			memcpy(pf->key, l + ov[2], klen);
			pf->key[klen] = '\0';
			pf->by_bus = r->by_bus;
			pf->mtu = (int)mtu;
			pf->line = kt_strndup(l, strlen(l) > 300 ? 300 : strlen(l));
			pf->source = r->source;
			break;
		}
	}
}

/* Facts -> interfaces (by name, or by ethtool's bus-info). */
static void
apply_port_facts(struct kt_net_inventory *inv, struct sr_files *sr)
{
	for (size_t i = 0; i < sr->n_facts; i++) {
		const struct port_fact *pf = &sr->facts[i];
		const char *name = pf->by_bus ? NULL : pf->key;
		long k;

		for (size_t b = 0; pf->by_bus && b < sr->n_bus; b++)
			if (!strcmp(sr->bus[b].bus, pf->key))
				name = sr->bus[b].name;
		if (!name || (k = kt_net_iface_index(inv, NULL, name)) < 0)
			continue;
		inv->ifaces[k].port_mtu = pf->mtu;
		inv->ifaces[k].port_mtu_from = kt_net_strdup(inv, pf->line);
		inv->ifaces[k].port_mtu_source = kt_net_strdup(inv, pf->source);
	}
}

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

	if (strcmp(b, "inventory.xml") == 0 && !inv->hostname) {
		text = read_member(a, &len);
		parse_inventory_xml(inv, text);
		free(text);
		return;
	}
	if ((strcmp(b, "xapi-db.xml") == 0 || strcmp(b, "xapi-db-dumped.xml") == 0) &&
	    !inv->pool_uuid) {
		char uuid[37];

		if (kt_net_sr_pool_uuid(read_archive, a, uuid))
			inv->pool_uuid = kt_net_strdup(inv, uuid);
		return;
	}
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
		char bus[64] = "";

		text = read_member(a, &len);
		parse_ethtool_i(inv, ifname, text, bus, sizeof(bus));
		if (bus[0] && sr->n_bus < MAX_BUS && strlen(ifname) < 64) {
			(void)snprintf(sr->bus[sr->n_bus].name, sizeof(sr->bus[0].name), "%s", ifname);
			(void)snprintf(sr->bus[sr->n_bus].bus, sizeof(sr->bus[0].bus), "%s", bus);
			sr->n_bus++;
		}
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
		return;
	}
	/* kernel logs: not "used" (they are no network state of their own) */
	if (sr->n_ev && (strncmp(b, "kern.log", 8) == 0 || strncmp(b, "messages", 8) == 0 ||
			 strncmp(b, "dmesg", 5) == 0) && !strstr(b, ".gz") && !strstr(b, ".bz2")) {
		text = read_member(a, &len);
		scan_log(sr, text);
		free(text);
	}
}

int
kt_net_inventory_status_report(struct kt_ctx *ctx, const char *path,
			       struct kt_net_inventory *inv)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct sr_files *srp = calloc(1, sizeof(*srp));
	size_t members = 0;
	int rc, err = 0;

	if (!srp) {
		archive_read_free(a);
		return kt_error(ctx, KT_ENOMEM, "out of memory");
	}
#define sr (*srp)
	err = load_evidence(ctx, &sr);
	if (err)
		goto out;

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
	apply_port_facts(inv, &sr);
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
	for (size_t i = 0; i < sr.n_ev; i++) {
		pcre2_code_free(sr.ev[i].re);
		free(sr.ev[i].source);
	}
	for (size_t i = 0; i < sr.n_facts; i++)
		free(sr.facts[i].line);
	pcre2_match_data_free(sr.md);
#undef sr
	free(srp);
	archive_read_free(a);
	return err;
}
