/*
 * store: byte helpers of the crash store: SHA-256 content addresses
 * (OpenSSL EVP), zlib compression of raw uploads and excerpts, packing a
 * crash folder into one reproducible tar (sorted members, zero times and
 * owners, so the same folder always gives the same bytes and the same
 * address), and ISO-8601 UTC times. No SQL here.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "store/store_int.h"
#include "util/mem.h"

void
kt_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	static const char hex[] = "0123456789abcdef";

	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

int
kt_z_deflate(const void *p, size_t n, void **ret, size_t *ret_len)
{
	uLongf cap = compressBound((uLong)n);
	void *out = kt_malloc(cap ? cap : 1);

	if (compress2(out, &cap, p, (uLong)n, 6) != Z_OK) {
		free(out);
		return KT_EIO;
	}
	*ret = out;
	*ret_len = cap;
	return 0;
}

int
kt_z_inflate(const void *p, size_t n, size_t limit, char **ret, size_t *ret_len)
{
	z_stream z = { 0 };
	size_t cap = n * 4 + 64, len = 0;
	char *out = kt_malloc(cap + 1);
	int zr;

	if (inflateInit(&z) != Z_OK) {
		free(out);
		return KT_EIO;
	}
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	do {
		if (len == cap) {
			if (cap >= limit)
				break;
			cap *= 2;
			out = kt_realloc(out, cap + 1);
		}
		z.next_out = (Bytef *)out + len;
		z.avail_out = (uInt)(cap - len);
		zr = inflate(&z, Z_NO_FLUSH);
		len = cap - z.avail_out;
	} while (zr == Z_OK);
	inflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(out);
		return KT_EFORMAT;
	}
	out[len] = '\0';
	*ret = out;
	*ret_len = len;
	return 0;
}

/* A growing memory buffer as a libarchive writer. */
struct membuf {
	char *p;
	size_t n, cap;
};

static la_ssize_t
mb_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	struct membuf *m = ud;

	if (m->n + n > m->cap) {
		m->cap = (m->n + n) * 2;
		m->p = kt_realloc(m->p, m->cap);
	}
	memcpy(m->p + m->n, buf, n);
	m->n += n;
	return (la_ssize_t)n;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files larger than this (a vmcore) are left out of a packed crash folder:
 * the analyzer reads only the logs. */
#define PACK_MAX_FILE (256u << 20)

int
kt_pack_folder(struct kt_ctx *ctx, const char *dir, const char *name, void **ret, size_t *ret_len)
{
	struct membuf m = { 0 };
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d) {
		rc = kt_error(ctx, KT_EIO, "reading '%s'", dir);
		goto out;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = kt_realloc(names, cap * sizeof(*names));
		}
		names[n++] = kt_strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	archive_write_set_format_ustar(a);
	archive_write_open(a, &m, NULL, mb_write, NULL);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[4096], member[4096];
		struct stat st;
		FILE *f;
		char buf[65536];
		size_t got;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > PACK_MAX_FILE)
			continue;
		f = fopen(path, "rb");
		if (!f)
			continue;
		snprintf(member, sizeof(member), "%s/%s", name, names[i]);
		archive_entry_clear(e);
		archive_entry_set_pathname(e, member);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, st.st_size);
		if (archive_write_header(a, e) != ARCHIVE_OK) {
			rc = kt_error(ctx, KT_EIO, "packing '%s': %s", path, archive_error_string(a));
			fclose(f);
			break;
		}
		while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
			archive_write_data(a, buf, got);
		fclose(f);
	}
	archive_write_close(a);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	archive_entry_free(e);
	archive_write_free(a);
	if (rc) {
		free(m.p);
		return rc;
	}
	*ret = m.p ? m.p : kt_malloc(1);
	*ret_len = m.n;
	return 0;
}

void
kt_time_iso(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "2026-12-05T10:11:12..." (journalctl -o short-iso, RFC 3339 syslog) or
 * "Dec  5 10:11:12" (RFC 3164 syslog: the year is the receive year). Local
 * offsets are not applied: a syslog time without a zone is taken as UTC. */
bool
kt_time_parse(const char *s, const char *received, char out[32])
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int Y, M, D, h, m, sec;
	char mn[4];

	if (!s)
		return false;
	if (sscanf(s, "%4d-%2d-%2d%*[T ]%2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6) {
		if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
			return false;
		snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)Y % 10000u, (unsigned)M % 100u,
			 (unsigned)D % 100u, (unsigned)h % 100u, (unsigned)m % 100u, (unsigned)sec % 100u);
		return true;
	}
	if (sscanf(s, "%3s %d %d:%d:%d", mn, &D, &h, &m, &sec) == 5) {
		const char *p = strstr(mon, mn);

		if (!p || strlen(mn) != 3 || (p - mon) % 3 || D < 1 || D > 31 || h > 23 || m > 59 ||
		    sec > 60)
			return false;
		Y = received ? atoi(received) : 1970;
		snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)Y % 10000u,
			 (unsigned)(p - mon) / 3 + 1, (unsigned)D % 100u, (unsigned)h % 100u,
			 (unsigned)m % 100u, (unsigned)sec % 100u);
		return true;
	}
	return false;
}
