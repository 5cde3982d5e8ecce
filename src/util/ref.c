/*
 * util: the public-reference check (see ref.h). Mechanism only: which
 * projects exist is not listed here; any lower-case project name followed
 * by a relative path is accepted.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/ref.h"

/* A private folder as a path component: "shared/..", "../shared", "research/..". */
static bool
private_path(const char *s, const char **why)
{
	static const char *const bad[] = { "file:", "../", "~/" };
	static const char *const dirs[] = { "shared/", "research/" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(s, bad[i])) {
			*why = "names a local path, not a public source";
			return true;
		}
	/* an absolute path as a word of its own (URLs have "//" after a scheme) */
	for (const char *p = strchr(s, '/'); p; p = strchr(p + 1, '/'))
		if ((p == s || strchr(" (\'\"`", p[-1])) && isalpha((unsigned char)p[1])) {
			*why = "names a local path, not a public source";
			return true;
		}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (const char *p = strstr(s, dirs[i]); p; p = strstr(p + 1, dirs[i]))
			if (p == s || p[-1] == ' ' || p[-1] == '(' || p[-1] == '/' ||
			    p[-1] == '\'' || p[-1] == '"' || p[-1] == '`') {
				/* inside a URL a "research/" path component is public */
				const char *sp = p;

				while (sp > s && sp[-1] != ' ')
					sp--;
				if (!strncmp(sp, "https://", 8) || !strncmp(sp, "http://", 7))
					continue;
				*why = "cites a private write-up (shared/, research/), not a public source";
				return true;
			}
	return false;
}

static bool
is_url(const char *s)
{
	if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7))
		return false;
	s += s[4] == 's' ? 8 : 7;
	/* a host with a dot */
	size_t h = strcspn(s, "/ ");
	return h > 2 && memchr(s, '.', h) != NULL;
}

/* "PROJECT PATH": project [a-z][a-z0-9._+-]*, path relative with '/' or '.' */
static bool
is_source_path(const char *s)
{
	const char *p = s, *path;
	size_t plen;

	if (!islower((unsigned char)*p))
		return false;
	while (islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("._+-", *p))
		p++;
	if (*p != ' ' || p == s)
		return false;
	path = p + 1;
	plen = strcspn(path, " :,;()'\"");
	if (plen == 0 || path[0] == '/' || path[0] == '~')
		return false;
	if (!memchr(path, '/', plen) && !memchr(path, '.', plen))
		return false;
	for (size_t i = 0; i + 1 < plen; i++)
		if (path[i] == '.' && path[i + 1] == '.')
			return false;
	return true;
}

static bool
is_rfc(const char *s)
{
	return !strncmp(s, "RFC ", 4) && isdigit((unsigned char)s[4]);
}

bool
kt_ref_is_public(const char *ref, const char **why)
{
	const char *dummy;

	if (!why)
		why = &dummy;
	if (!ref || !*ref) {
		*why = "empty reference";
		return false;
	}
	if (private_path(ref, why))
		return false;
	if (is_url(ref) || is_source_path(ref) || is_rfc(ref))
		return true;
	*why = "is neither a URL nor a source path ('linux path/file.c function', "
	       "'xen-api path', 'https://...')";
	return false;
}

bool
kt_ref_list_is_public(const char *refs, const char **why)
{
	char one[1024];
	const char *p = refs;
	const char *dummy;

	if (!why)
		why = &dummy;
	if (!refs || !*refs) {
		*why = "empty source";
		return false;
	}
	while (*p) {
		const char *end = strstr(p, " ; ");
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int k;

		while (n && *p == ' ')
			p++, n--;
		/* a bare kernel path stands for "linux PATH" */
		k = strchr("/.", *p) == NULL && memchr(p, '/', strcspn(p, " ")) &&
				    strncmp(p, "http", 4)
			    ? snprintf(one, sizeof(one), "linux %.*s", (int)n, p)
			    : snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (k < 0 || (size_t)k >= sizeof(one)) {
			*why = "reference too long";
			return false;
		}
		if (!kt_ref_is_public(one, why))
			return false;
		if (!end)
			break;
		p = end + 3;
	}
	return true;
}
