/*
 * net: the audit as text (a tree of networks/bridges/bonds/VLANs down to
 * NICs and drivers, then findings) and as JSON ({source, interfaces,
 * networks, findings}; the format kt_host_facts_load_json reads back).
 * Returns heap strings; printing is the CLI's job.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/inventory.h"
#include "util/mem.h"

#define MAX_DEPTH 8
/* The tree of a hostile inventory (members naming each other) could explode;
 * stop drawing past this many bytes. */
#define MAX_TREE_TEXT (8u << 20)

static void
iface_line(struct kt_buf *b, const struct kt_net_iface *f, int depth, const char *note)
{
	kt_buf_printf(b, "%*s%s%s [%s] mtu %d", 2 + depth * 4, "", depth ? "`- " : "", f->name,
		      kt_net_kind_name(f->kind), f->mtu);
	if (f->driver)
		kt_buf_printf(b, " driver %s", f->driver);
	if (f->max_mtu > 0)
		kt_buf_printf(b, " max %d", f->max_mtu);
	if (f->kind == KT_NET_PHYSICAL && f->jumbo)
		kt_buf_printf(b, " jumbo:%s", f->jumbo);
	if (f->pci_id)
		kt_buf_printf(b, " pci %s", f->pci_id);
	if (f->operstate)
		kt_buf_printf(b, " %s", f->operstate);
	if (f->management)
		kt_buf_adds(b, " MANAGEMENT");
	if (note)
		kt_buf_printf(b, " %s", note);
	kt_buf_addc(b, '\n');
}

/* An interface and what hangs below it: bond members / bridge ports, and
 * VLANs whose parent it is. */
static void
iface_tree(struct kt_buf *b, const struct kt_net_inventory *inv, const struct kt_net_iface *f,
	   int depth, const char *note)
{
	if (b->len > MAX_TREE_TEXT)
		return;
	iface_line(b, f, depth, note);
	if (depth >= MAX_DEPTH)
		return;
	for (size_t i = 0; i < f->n_members; i++) {
		const struct kt_net_iface *m = kt_net_inventory_find(inv, f->host, f->members[i]);

		if (m && m != f)
			iface_tree(b, inv, m, depth + 1, NULL);
	}
	if (f->kind == KT_NET_VLAN && f->lower) {
		const struct kt_net_iface *p = kt_net_inventory_find(inv, f->host, f->lower);

		if (p && p != f)
			iface_tree(b, inv, p, depth + 1, "(parent)");
	}
}

/* Position of a PIF's host in host-list order; hosts not listed go last. */
static size_t
host_rank(const struct kt_net_inventory *inv, const struct kt_net_iface *f)
{
	for (size_t h = 0; f->host && h < inv->n_hosts; h++)
		if (inv->hosts[h].name && strcmp(f->host, inv->hosts[h].name) == 0)
			return h;
	return inv->n_hosts;
}

static void
text_xe(struct kt_buf *b, const struct kt_net_inventory *inv)
{
	size_t *on = kt_calloc(inv->n_ifaces ? inv->n_ifaces : 1, sizeof(*on));
	size_t *rank = kt_calloc(inv->n_ifaces ? inv->n_ifaces : 1, sizeof(*rank));

	for (size_t i = 0; i < inv->n_ifaces; i++)
		rank[i] = host_rank(inv, &inv->ifaces[i]);
	for (size_t n = 0; n < inv->n_networks; n++) {
		const struct kt_net_network *net = &inv->networks[n];
		size_t count = 0;

		kt_buf_printf(b, "network '%s' uuid %s bridge %s MTU %d\n",
			      net->name ? net->name : "", net->uuid ? net->uuid : "-",
			      net->bridge ? net->bridge : "-", net->mtu);
		for (size_t i = 0; net->uuid && i < inv->n_ifaces; i++)
			if (inv->ifaces[i].network_uuid && strcmp(inv->ifaces[i].network_uuid, net->uuid) == 0)
				on[count++] = i;
		/* group by host: stable insertion sort on the host's rank */
		for (size_t i = 1; i < count; i++)
			for (size_t j = i; j > 0 && rank[on[j - 1]] > rank[on[j]]; j--) {
				size_t t = on[j];

				on[j] = on[j - 1];
				on[j - 1] = t;
			}
		for (size_t i = 0; i < count; i++) {
			const struct kt_net_iface *f = &inv->ifaces[on[i]];

			kt_buf_printf(b, "  host %s:\n", f->host ? f->host : "?");
			iface_tree(b, inv, f, 1, NULL);
		}
	}
	/* PIFs on no listed network and under no bond: still show them */
	for (size_t i = 0, header = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *f = &inv->ifaces[i];
		bool listed = false;

		for (size_t n = 0; f->network_uuid && n < inv->n_networks && !listed; n++)
			listed = inv->networks[n].uuid && strcmp(inv->networks[n].uuid, f->network_uuid) == 0;
		if (listed || (f->master && kt_net_inventory_find(inv, f->host, f->master)))
			continue;
		if (!header++)
			kt_buf_adds(b, "PIFs on no listed network:\n");
		kt_buf_printf(b, "  host %s:\n", f->host ? f->host : "?");
		iface_tree(b, inv, f, 1, NULL);
	}
	free(on);
	free(rank);
}

static void
text_linux(struct kt_buf *b, const struct kt_net_inventory *inv)
{
	/* roots: interfaces nothing else contains */
	for (size_t i = 0; i < inv->n_ifaces; i++) {
		const struct kt_net_iface *f = &inv->ifaces[i];
		bool is_lower = false;

		if (f->master && kt_net_inventory_find(inv, f->host, f->master))
			continue;
		for (size_t j = 0; j < inv->n_ifaces; j++)
			if (inv->ifaces[j].kind == KT_NET_VLAN && inv->ifaces[j].lower &&
			    strcmp(inv->ifaces[j].lower, f->name) == 0)
				is_lower = true;
		if (is_lower && f->kind == KT_NET_PHYSICAL)
			continue;	/* shown under its VLAN(s) */
		iface_tree(b, inv, f, 0, NULL);
	}
}

char *
kt_net_audit_text(const struct kt_net_inventory *inv)
{
	struct kt_buf b;

	kt_buf_init(&b);
	kt_buf_printf(&b, "Network audit (source: %s)\n\n", inv->source ? inv->source : "?");
	if (inv->is_xe)
		text_xe(&b, inv);
	else
		text_linux(&b, inv);
	if (inv->n_findings == 0) {
		kt_buf_adds(&b, "\nNo findings.\n");
		return b.p;
	}
	kt_buf_printf(&b, "\nFindings (%zu):\n", inv->n_findings);
	for (size_t i = 0; i < inv->n_findings; i++) {
		const struct kt_net_finding *f = &inv->findings[i];

		kt_buf_printf(&b, "  [%s] %s: %s%s%s\n", kt_net_sev_name(f->sev), f->id,
			      f->host ? f->host : "", f->host ? " " : "", f->subject);
		kt_buf_printf(&b, "      %s\n", f->summary);
		if (f->remedy)
			kt_buf_printf(&b, "      remedy: %s\n", f->remedy);
		if (f->source)
			kt_buf_printf(&b, "      source: %s\n", f->source);
	}
	return b.p;
}

/* ---- JSON ---- */

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
jint(int v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *
iface_json(const struct kt_net_iface *f)
{
	json_t *o = json_object(), *members = json_array();

	for (size_t i = 0; i < f->n_members; i++)
		json_array_append_new(members, json_string(f->members[i]));
	json_object_set_new(o, "host", jstr(f->host));
	json_object_set_new(o, "name", jstr(f->name));
	json_object_set_new(o, "kind", json_string(kt_net_kind_name(f->kind)));
	json_object_set_new(o, "driver", jstr(f->driver));
	json_object_set_new(o, "driver_from", jstr(f->driver_from));
	json_object_set_new(o, "pci_id", jstr(f->pci_id));
	json_object_set_new(o, "mtu", jint(f->mtu));
	json_object_set_new(o, "min_mtu", jint(f->min_mtu));
	json_object_set_new(o, "max_mtu", jint(f->max_mtu));
	json_object_set_new(o, "max_mtu_from", jstr(f->max_mtu_from));
	json_object_set_new(o, "jumbo", jstr(f->jumbo));
	json_object_set_new(o, "port_mtu", jint(f->port_mtu));
	json_object_set_new(o, "port_mtu_from", jstr(f->port_mtu_from));
	json_object_set_new(o, "caveat", jstr(f->caveat));
	json_object_set_new(o, "master", jstr(f->master));
	json_object_set_new(o, "lower", jstr(f->lower));
	json_object_set_new(o, "members", members);
	json_object_set_new(o, "operstate", jstr(f->operstate));
	json_object_set_new(o, "speed", jint(f->speed));
	json_object_set_new(o, "management", json_boolean(f->management));
	if (f->uuid) {
		json_object_set_new(o, "uuid", jstr(f->uuid));
		json_object_set_new(o, "network_uuid", jstr(f->network_uuid));
		json_object_set_new(o, "vlan", json_integer(f->vlan));
		json_object_set_new(o, "attached", json_boolean(f->attached));
		json_object_set_new(o, "ip_mode", jstr(f->ip_mode));
	}
	return o;
}

char *
kt_net_audit_json(const struct kt_net_inventory *inv)
{
	json_t *root = json_object(), *ifs = json_array(), *nets = json_array();
	json_t *finds = json_array();
	char *out, *copy;

	for (size_t i = 0; i < inv->n_ifaces; i++)
		json_array_append_new(ifs, iface_json(&inv->ifaces[i]));
	for (size_t i = 0; i < inv->n_networks; i++) {
		const struct kt_net_network *n = &inv->networks[i];
		json_t *o = json_object(), *pifs = json_array();

		for (size_t p = 0; p < n->n_pifs; p++)
			json_array_append_new(pifs, json_string(n->pif_uuids[p]));
		json_object_set_new(o, "uuid", jstr(n->uuid));
		json_object_set_new(o, "name", jstr(n->name));
		json_object_set_new(o, "bridge", jstr(n->bridge));
		json_object_set_new(o, "mtu", jint(n->mtu));
		json_object_set_new(o, "pifs", pifs);
		json_array_append_new(nets, o);
	}
	for (size_t i = 0; i < inv->n_findings; i++) {
		const struct kt_net_finding *f = &inv->findings[i];
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(f->id));
		json_object_set_new(o, "severity", json_string(kt_net_sev_name(f->sev)));
		json_object_set_new(o, "host", jstr(f->host));
		json_object_set_new(o, "subject", jstr(f->subject));
		json_object_set_new(o, "summary", jstr(f->summary));
		json_object_set_new(o, "remedy", jstr(f->remedy));
		json_object_set_new(o, "source", jstr(f->source));
		json_array_append_new(finds, o);
	}
	json_object_set_new(root, "source", jstr(inv->source));
	json_object_set_new(root, "interfaces", ifs);
	json_object_set_new(root, "networks", nets);
	json_object_set_new(root, "findings", finds);
	out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!out)
		kt_oom(0);
	/* hand back memory from our allocator family (free() either way) */
	copy = kt_strdup(out);
	free(out);
	return copy;
}
