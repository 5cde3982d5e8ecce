/*
 * store: what a crash folder on disk says about the host it came from. A
 * XenServer crash folder (/var/crash/<stamp>/: xen.log, dom0.log, written
 * by xen-crashdump-analyser) names no host, and its dom0 ring buffer has
 * no syslog host field. Two things can still say it:
 *  - an unpacked status report holding the folder (xen-bugtool copies
 *    /var/crash into the report: bug-report-<ts>/var/crash/<stamp>/) has
 *    inventory.xml at its top, naming the host, and xapi-db.xml, holding
 *    the pool's uuid: looked for in the folder and up to three levels up;
 *  - a line of the folder's logs that names the host, as listed in
 *    data/store/host-names.tsv (systemd's "Set hostname to <NAME>.").
 * Precedence (docs/store.md): --host, then the status report, then each
 * crash's own host field, then such a line.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/inventory.h"
#include "store/store_int.h"
#include "util/data.h"
#include "util/mem.h"
#include "util/str.h"

/* inventory.xml is a few KB; a bigger one is not read. */
#define INVENTORY_LIMIT (1u << 20)
/* Levels above the folder searched for the status report's top. */
#define REPORT_LEVELS 3
/* Lines longer than this are read in pieces (a name never spans them). */
#define LINE_MAX_READ 4096

/* The host of inventory.xml in `top`, and the pool of its xapi-db.xml.
 * True when `top` has an inventory.xml at all (the search stops there). */
static bool
report_top(const char *top, struct kt_folder_meta *fm)
{
	char path[PATH_MAX + 32], *text;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/inventory.xml", top);
	if (!(f = fopen(path, "r")))
		return false;
	text = malloc(INVENTORY_LIMIT + 1);
	n = text ? fread(text, 1, INVENTORY_LIMIT, f) : 0;
	fclose(f);
	if (!text)
		return true;
	text[n] = '\0';
	if (!kt_net_sr_hostname(text, fm->host))
		fm->host[0] = '\0';
	free(text);
	for (int i = 0; i < 2 && !fm->pool[0]; i++) {
		char uuid[37];

		snprintf(path, sizeof(path), "%s/%s", top, i ? "xapi-db-dumped.xml" : "xapi-db.xml");
		if (kt_net_sr_pool_uuid_file(path, uuid))
			snprintf(fm->pool, sizeof(fm->pool), "%s", uuid);
	}
	return true;
}

/* A name as inventory.xml's reader takes it: letters, digits, '-', '.', '_'. */
static bool
plain_name(const char *p, size_t n)
{
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '.' || p[i] == '_'))
			return false;
	return true;
}

/* One row of host-names.tsv on the folder: the last name its file states. */
static void
line_host(const char *dir, char *const fld[4], char out[256])
{
	char path[PATH_MAX + 300], line[LINE_MAX_READ];
	size_t nb = strlen(fld[1]);
	FILE *f;

	if (strchr(fld[0], '/') || !nb || !*fld[2])
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, fld[0]);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *b = strstr(line, fld[1]), *e;

		if (!b || !(e = strstr(b + nb, fld[2])))
			continue;
		b += nb;
		if (plain_name(b, (size_t)(e - b)) &&
		    !((size_t)(e - b) == strlen(fld[3]) && strncmp(b, fld[3], strlen(fld[3])) == 0))
			snprintf(out, 256, "%.*s", (int)(e - b), b);
	}
	fclose(f);
}

static void
rules_host(struct kt_store *s, const char *dir, char out[256])
{
	struct kt_data_blob blob;
	char *text, *save = NULL;
	bool header = true;

	if (kt_data_read(s->ctx, "store/host-names.tsv", &blob))
		return;
	text = kt_malloc(blob.len + 1);
	memcpy(text, blob.data, blob.len);
	text[blob.len] = '\0';
	kt_data_blob_deinit(&blob);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *fld[5] = { 0 }, *p = l;
		int n = 0;

		if (*l == '#')
			continue;
		if (header) {	/* the first other line names the columns */
			header = false;
			continue;
		}
		while (n < 5 && p) {
			fld[n++] = p;
			if ((p = strchr(p, '\t')))
				*p++ = '\0';
		}
		if (n == 5)
			line_host(dir, fld, out);
	}
	free(text);
}

void
kt_store_folder_meta(struct kt_store *s, const char *dir, struct kt_folder_meta *ret)
{
	char top[PATH_MAX];

	memset(ret, 0, sizeof(*ret));
	if (realpath(dir, top)) {
		for (int level = 0; level <= REPORT_LEVELS; level++) {
			char *slash;

			if (report_top(top, ret))
				break;
			if (!(slash = strrchr(top, '/')) || slash == top)
				break;
			*slash = '\0';
		}
	}
	rules_host(s, dir, ret->line_host);
}
