/*
 * net: the NIC driver knowledge base. Loads data/net/drivers.tsv (driver ->
 * MTU range, jumbo verdict, caveat, source) and data/net/pci-ids.tsv (PCI
 * vendor:device -> driver, chip overrides). Knowledge lives in the data
 * files; this file only reads them and answers look-ups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/net.h>

#include "net/inventory.h"
#include "util/arena.h"
#include "util/data.h"
#include "util/ref.h"
#include "util/str.h"

struct kt_driver_db {
	struct kt_arena *arena;
	struct kt_driver_info *drivers;
	size_t n_drivers, cap_drivers;
	struct kt_pci_info *pcis;
	size_t n_pcis, cap_pcis;
	struct kt_platform_info *plats;
	size_t n_plats, cap_plats;
};

#define MAX_FIELDS 12

/* Split one TSV line into fields (views into the line). */
static size_t
split_tabs(struct kt_str line, struct kt_str *f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		long t = kt_str_chr(line, '\t');

		if (t < 0) {
			f[n++] = line;
			break;
		}
		f[n++] = kt_str_sub(line, 0, (size_t)t);
		line = kt_str_skip(line, (size_t)t + 1);
	}
	return n;
}

/* "-" or empty -> -1; else a decimal number (returns false if not one). */
static bool
parse_mtu(struct kt_str s, int *ret)
{
	uint64_t v;

	s = kt_str_trim(s);
	if (s.len == 0 || kt_str_eq_cstr(s, "-")) {
		*ret = -1;
		return true;
	}
	if (kt_parse_dec(s, &v) != s.len || v > 1000000)
		return false;
	*ret = (int)v;
	return true;
}

static bool
valid_jumbo(struct kt_str s)
{
	return kt_str_eq_cstr(s, "yes") || kt_str_eq_cstr(s, "no") ||
	       kt_str_eq_cstr(s, "depends");
}

typedef int (*row_fn)(struct kt_ctx *ctx, struct kt_driver_db *db, struct kt_str *f,
		      size_t n, const char *origin, size_t lineno);

static int
driver_row(struct kt_ctx *ctx, struct kt_driver_db *db, struct kt_str *f, size_t n,
	   const char *origin, size_t lineno)
{
	struct kt_driver_info *d;
	int min_mtu, max_mtu;

	/* driver class min_mtu max_mtu jumbo verified caveat source */
	if (n != 8 || f[0].len == 0 || f[7].len == 0 || !valid_jumbo(f[4]) ||
	    !parse_mtu(f[2], &min_mtu) || !parse_mtu(f[3], &max_mtu))
		return kt_error(ctx, KT_EFORMAT, "%s:%zu: bad driver row", origin, lineno);
	d = kt_arena_push(db->arena, (void **)&db->drivers, &db->n_drivers, &db->cap_drivers,
			  sizeof(*d));
	d->driver = kt_arena_strndup(db->arena, f[0].p, f[0].len);
	d->cls = kt_arena_strndup(db->arena, f[1].p, f[1].len);
	d->min_mtu = min_mtu;
	d->max_mtu = max_mtu;
	d->jumbo = kt_arena_strndup(db->arena, f[4].p, f[4].len);
	d->verified = kt_str_eq_cstr(f[5], "yes");
	d->caveat = kt_arena_strndup(db->arena, f[6].p, f[6].len);
	d->source = kt_arena_strndup(db->arena, f[7].p, f[7].len);
	return 0;
}

static bool
parse_hex4(struct kt_str s, unsigned *ret)
{
	uint64_t v;

	s = kt_str_trim(s);
	if (s.len == 0 || kt_parse_hex(s, &v) != s.len || v > 0xffff)
		return false;
	*ret = (unsigned)v;
	return true;
}

static int
pci_row(struct kt_ctx *ctx, struct kt_driver_db *db, struct kt_str *f, size_t n,
	const char *origin, size_t lineno)
{
	struct kt_pci_info *p;
	unsigned vendor, device;
	int max_mtu;

	/* vendor device driver model max_mtu jumbo source */
	if (n != 7 || !parse_hex4(f[0], &vendor) || !parse_hex4(f[1], &device) ||
	    f[2].len == 0 || f[6].len == 0 || !parse_mtu(f[4], &max_mtu) ||
	    !(kt_str_eq_cstr(f[5], "-") || valid_jumbo(f[5])))
		return kt_error(ctx, KT_EFORMAT, "%s:%zu: bad pci-id row", origin, lineno);
	p = kt_arena_push(db->arena, (void **)&db->pcis, &db->n_pcis, &db->cap_pcis,
			  sizeof(*p));
	p->vendor = vendor;
	p->device = device;
	p->driver = kt_arena_strndup(db->arena, f[2].p, f[2].len);
	p->model = kt_arena_strndup(db->arena, f[3].p, f[3].len);
	p->max_mtu = max_mtu;
	p->jumbo = kt_str_eq_cstr(f[5], "-") ? NULL : kt_arena_strndup(db->arena, f[5].p, f[5].len);
	p->source = kt_arena_strndup(db->arena, f[6].p, f[6].len);
	return 0;
}

static int
platform_row(struct kt_ctx *ctx, struct kt_driver_db *db, struct kt_str *f, size_t n,
	     const char *origin, size_t lineno)
{
	static const char *const sevs[] = { "low", "medium", "high" };
	struct kt_platform_info *p;
	int sev = -1;

	/* driver platform jumbo severity caveat source */
	for (int i = 0; n == 6 && i < 3; i++)
		if (kt_str_eq_cstr(f[3], sevs[i]))
			sev = i;
	if (n != 6 || f[0].len == 0 || f[1].len == 0 || !valid_jumbo(f[2]) || sev < 0 ||
	    f[5].len == 0)
		return kt_error(ctx, KT_EFORMAT, "%s:%zu: bad platform row", origin, lineno);
	p = kt_arena_push(db->arena, (void **)&db->plats, &db->n_plats, &db->cap_plats,
			  sizeof(*p));
	p->driver = kt_arena_strndup(db->arena, f[0].p, f[0].len);
	p->platform = kt_arena_strndup(db->arena, f[1].p, f[1].len);
	p->jumbo = kt_arena_strndup(db->arena, f[2].p, f[2].len);
	p->sev = (enum kt_net_sev)sev;
	p->caveat = kt_arena_strndup(db->arena, f[4].p, f[4].len);
	p->source = kt_arena_strndup(db->arena, f[5].p, f[5].len);
	return 0;
}

/* Read one TSV data file: '#' comments, a header row, then rows. */
static int
load_tsv(struct kt_ctx *ctx, struct kt_driver_db *db, const char *path, row_fn fn)
{
	struct kt_data_blob blob;
	struct kt_str rest, f[MAX_FIELDS];
	bool header = true;
	size_t lineno = 0;
	int err;

	err = kt_data_read(ctx, path, &blob);
	if (err)
		return err;
	rest = kt_str_make(blob.data, blob.len);
	while (rest.len > 0) {
		long nl = kt_str_chr(rest, '\n');
		struct kt_str line = nl < 0 ? rest : kt_str_sub(rest, 0, (size_t)nl);

		rest = nl < 0 ? kt_str_make(rest.p + rest.len, 0) : kt_str_skip(rest, (size_t)nl + 1);
		lineno++;
		if (line.len && line.p[line.len - 1] == '\r')
			line.len--;
		if (line.len == 0 || line.p[0] == '#')
			continue;
		if (header) {
			header = false;
			continue;
		}
		err = fn(ctx, db, f, split_tabs(line, f, MAX_FIELDS), blob.origin, lineno);
		if (err)
			break;
	}
	kt_data_blob_deinit(&blob);
	return err;
}

int
kt_driver_db_load(struct kt_ctx *ctx, struct kt_driver_db **ret)
{
	struct kt_driver_db *db = calloc(1, sizeof(*db));
	int err;

	if (!db)
		return kt_error(ctx, KT_ENOMEM, "out of memory");
	db->arena = kt_arena_new();
	err = load_tsv(ctx, db, "net/drivers.tsv", driver_row);
	if (!err)
		err = load_tsv(ctx, db, "net/pci-ids.tsv", pci_row);
	if (!err)
		err = load_tsv(ctx, db, "net/platforms.tsv", platform_row);
	if (err) {
		kt_driver_db_free(db);
		return err;
	}
	*ret = db;
	return 0;
}

void
kt_driver_db_free(struct kt_driver_db *db)
{
	if (!db)
		return;
	kt_arena_free(db->arena);
	free(db);
}

const struct kt_driver_info *
kt_driver_db_find(const struct kt_driver_db *db, const char *driver)
{
	if (!db || !driver)
		return NULL;
	/* ethtool and sysfs disagree on '-' vs '_' for some modules
	 * (xen-netfront vs xen_netfront); compare with both folded. */
	for (size_t i = 0; i < db->n_drivers; i++) {
		const char *a = db->drivers[i].driver, *b = driver;

		while (*a && *b && (*a == *b || ((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))) {
			a++;
			b++;
		}
		if (!*a && !*b)
			return &db->drivers[i];
	}
	return NULL;
}

const struct kt_pci_info *
kt_driver_db_find_pci(const struct kt_driver_db *db, unsigned vendor, unsigned device)
{
	if (!db)
		return NULL;
	for (size_t i = 0; i < db->n_pcis; i++)
		if (db->pcis[i].vendor == vendor && db->pcis[i].device == device)
			return &db->pcis[i];
	return NULL;
}

size_t
kt_driver_db_count(const struct kt_driver_db *db)
{
	return db ? db->n_drivers : 0;
}

const struct kt_driver_info *
kt_driver_db_at(const struct kt_driver_db *db, size_t i)
{
	return db && i < db->n_drivers ? &db->drivers[i] : NULL;
}

size_t
kt_driver_db_pci_count(const struct kt_driver_db *db)
{
	return db ? db->n_pcis : 0;
}

const struct kt_pci_info *
kt_driver_db_pci_at(const struct kt_driver_db *db, size_t i)
{
	return db && i < db->n_pcis ? &db->pcis[i] : NULL;
}

const struct kt_platform_info *
kt_driver_db_find_platform(const struct kt_driver_db *db, const char *driver,
			   const char *platform)
{
	if (!platform)
		platform = "unknown";
	for (size_t i = 0; db && driver && i < db->n_plats; i++)
		if (!strcmp(db->plats[i].driver, driver) && !strcmp(db->plats[i].platform, platform))
			return &db->plats[i];
	return NULL;
}

int
kt_driver_db_check(struct kt_ctx *ctx, kt_diag_fn fn, void *ud)
{
	struct kt_driver_db *db = NULL;
	size_t problems = 0;
	const char *why;
	int rc = kt_driver_db_load(ctx, &db);

	if (rc)
		return rc;
	for (size_t i = 0; i < db->n_drivers; i++)
		if (!kt_ref_list_is_public(db->drivers[i].source, &why)) {
			problems++;
			if (fn) {
				char msg[512];

				(void)snprintf(msg, sizeof(msg), "row %s: source %s",
					       db->drivers[i].driver, why);
				fn(ud, KT_SEV_ERROR, "net/drivers.tsv", msg);
			}
		}
	for (size_t i = 0; i < db->n_pcis; i++)
		if (!kt_ref_list_is_public(db->pcis[i].source, &why)) {
			problems++;
			if (fn) {
				char msg[512];

				(void)snprintf(msg, sizeof(msg), "row %04x:%04x: source %s",
					       db->pcis[i].vendor, db->pcis[i].device, why);
				fn(ud, KT_SEV_ERROR, "net/pci-ids.tsv", msg);
			}
		}
	for (size_t i = 0; i < db->n_plats; i++)
		if (!kt_ref_list_is_public(db->plats[i].source, &why)) {
			problems++;
			if (fn) {
				char msg[512];

				(void)snprintf(msg, sizeof(msg), "row %s %s: source %s",
					       db->plats[i].driver, db->plats[i].platform, why);
				fn(ud, KT_SEV_ERROR, "net/platforms.tsv", msg);
			}
		}
	kt_driver_db_free(db);
	/* log-evidence.tsv (read by the status-report inventory): column 4 */
	{
		struct kt_data_blob blob;
		size_t lineno = 0;
		bool header = true;

		if (kt_data_read(ctx, "net/log-evidence.tsv", &blob) == 0) {
			struct kt_str rest = kt_str_make(blob.data, blob.len), f[MAX_FIELDS];

			while (rest.len > 0) {
				long nl = kt_str_chr(rest, '\n');
				struct kt_str line = nl < 0 ? rest : kt_str_sub(rest, 0, (size_t)nl);
				size_t n;
				char src[1024];

				rest = nl < 0 ? kt_str_make(rest.p + rest.len, 0)
					      : kt_str_skip(rest, (size_t)nl + 1);
				lineno++;
				if (line.len == 0 || line.p[0] == '#')
					continue;
				if (header) {
					header = false;
					continue;
				}
				n = split_tabs(line, f, MAX_FIELDS);
				(void)snprintf(src, sizeof(src), "%.*s", n >= 4 ? (int)f[3].len : 0,
					       n >= 4 ? f[3].p : "");
				if (!kt_ref_list_is_public(src, &why)) {
					problems++;
					if (fn) {
						char msg[512];

						(void)snprintf(msg, sizeof(msg), "line %zu: source %s",
							       lineno, why);
						fn(ud, KT_SEV_ERROR, "net/log-evidence.tsv", msg);
					}
				}
			}
			kt_data_blob_deinit(&blob);
		}
	}
	return problems ? kt_error(ctx, KT_EFORMAT, "%zu non-public source(s) in data/net/",
				   problems)
			: 0;
}
