/*
 * net: host facts for the diagnose rules, loaded from the JSON that
 * `ktriage net audit --format json` writes (kt_net_audit_json). Lenient:
 * unknown keys are ignored, wrong types become "unknown"; only unreadable
 * files or non-JSON fail.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <ktriage/hostfacts.h>
#include <ktriage/net.h>

#include "util/arena.h"
#include "util/ctx.h"
#include "util/mem.h"

/* The public struct plus the arena everything hangs off. */
struct facts_impl {
	struct kt_host_facts pub;
	struct kt_arena *arena;
};

static char *
get_str(struct kt_arena *a, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? kt_arena_strdup(a, json_string_value(v)) : NULL;
}

static int
get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0x7fffffff)
		return -1;
	return (int)json_integer_value(v);
}

static void
load_ifaces(struct facts_impl *fi, json_t *arr)
{
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0;

	fi->pub.ifaces = kt_arena_alloc(fi->arena, (n ? n : 1) * sizeof(*fi->pub.ifaces));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		struct kt_host_iface *f = &fi->pub.ifaces[fi->pub.n_ifaces];

		if (!json_is_object(o))
			continue;
		f->host = get_str(fi->arena, o, "host");
		f->name = get_str(fi->arena, o, "name");
		f->kind = get_str(fi->arena, o, "kind");
		f->driver = get_str(fi->arena, o, "driver");
		f->mtu = get_int(o, "mtu");
		f->max_mtu = get_int(o, "max_mtu");
		f->jumbo = get_str(fi->arena, o, "jumbo");
		f->master = get_str(fi->arena, o, "master");
		f->lower = get_str(fi->arena, o, "lower");
		f->management = json_is_true(json_object_get(o, "management"));
		f->port_mtu = get_int(o, "port_mtu");
		if (!f->name)
			continue;
		fi->pub.n_ifaces++;
	}
}

static void
load_networks(struct facts_impl *fi, json_t *arr)
{
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0;

	fi->pub.networks = kt_arena_alloc(fi->arena, (n ? n : 1) * sizeof(*fi->pub.networks));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		struct kt_host_network *net = &fi->pub.networks[fi->pub.n_networks];

		if (!json_is_object(o))
			continue;
		net->uuid = get_str(fi->arena, o, "uuid");
		net->name = get_str(fi->arena, o, "name");
		net->bridge = get_str(fi->arena, o, "bridge");
		net->mtu = get_int(o, "mtu");
		fi->pub.n_networks++;
	}
}

int
kt_host_facts_load_json(struct kt_ctx *ctx, const char *path, struct kt_host_facts **ret)
{
	struct facts_impl *fi;
	json_error_t jerr;
	json_t *root;

	if (!path)
		return kt_error(ctx, KT_EINVAL, "no host facts file given");
	/* 64 MiB is far above any audit of a real pool */
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line < 0 || strstr(jerr.text, "unable to open"))
			return kt_error(ctx, KT_EIO, "reading '%s': %s", path, jerr.text);
		return kt_error(ctx, KT_EFORMAT, "%s:%d: %s", path, jerr.line, jerr.text);
	}
	if (!json_is_object(root) || !json_is_array(json_object_get(root, "interfaces"))) {
		json_decref(root);
		return kt_error(ctx, KT_EFORMAT, "%s: not a 'ktriage net audit --format json' file",
				path);
	}
	fi = kt_calloc(1, sizeof(*fi));
	fi->arena = kt_arena_new();
	load_ifaces(fi, json_object_get(root, "interfaces"));
	load_networks(fi, json_object_get(root, "networks"));
	fi->pub.source = get_str(fi->arena, root, "source");
	json_decref(root);
	*ret = &fi->pub;
	return 0;
}

void
kt_host_facts_free(struct kt_host_facts *hf)
{
	struct facts_impl *fi = (struct facts_impl *)hf;

	if (!hf)
		return;
	kt_arena_free(fi->arena);
	free(fi);
}

static char *
dup_or_null(struct kt_arena *a, const char *s)
{
	return s ? kt_arena_strdup(a, s) : NULL;
}

int
kt_host_facts_from_inventory(const struct kt_net_inventory *inv, struct kt_host_facts **ret)
{
	struct facts_impl *fi = kt_calloc(1, sizeof(*fi));
	size_t n = inv->n_ifaces, m = inv->n_networks;

	fi->arena = kt_arena_new();
	fi->pub.ifaces = kt_arena_alloc(fi->arena, (n ? n : 1) * sizeof(*fi->pub.ifaces));
	for (size_t i = 0; i < n; i++) {
		const struct kt_net_iface *s = &inv->ifaces[i];
		struct kt_host_iface *d = &fi->pub.ifaces[fi->pub.n_ifaces];

		if (!s->name)
			continue;
		d->host = dup_or_null(fi->arena, s->host);
		d->name = dup_or_null(fi->arena, s->name);
		d->kind = dup_or_null(fi->arena, kt_net_kind_name(s->kind));
		d->driver = dup_or_null(fi->arena, s->driver);
		d->mtu = s->mtu;
		d->max_mtu = s->max_mtu;
		d->jumbo = dup_or_null(fi->arena, s->jumbo);
		d->master = dup_or_null(fi->arena, s->master);
		d->lower = dup_or_null(fi->arena, s->lower);
		d->management = s->management;
		d->port_mtu = s->port_mtu;
		fi->pub.n_ifaces++;
	}
	fi->pub.networks = kt_arena_alloc(fi->arena, (m ? m : 1) * sizeof(*fi->pub.networks));
	for (size_t i = 0; i < m; i++) {
		const struct kt_net_network *s = &inv->networks[i];
		struct kt_host_network *d = &fi->pub.networks[fi->pub.n_networks++];

		d->uuid = dup_or_null(fi->arena, s->uuid);
		d->name = dup_or_null(fi->arena, s->name);
		d->bridge = dup_or_null(fi->arena, s->bridge);
		d->mtu = s->mtu;
	}
	fi->pub.source = dup_or_null(fi->arena, inv->source);
	*ret = &fi->pub;
	return 0;
}
