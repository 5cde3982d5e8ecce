/*
 * Fuzz target: the regex literal prefilter (util/prefilter.h). The input's
 * first line is a pattern (a C string, as patterns are in rules and
 * tables: up to its first NUL), the rest a subject. The prefilter must never be
 * wrong: when PCRE2 finds a match (rule flags: UTF, invalid UTF allowed,
 * multiline), one of the pattern's literals must occur in the subject; and
 * one literal-set scan must agree with memmem on every literal. Any
 * disagreement aborts (a finding); hostile bytes must not crash either side.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "util/arena.h"
#include "util/prefilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - (const char *)data) : size;
	const char *subject = nl ? nl + 1 : "";
	size_t slen = nl ? size - plen - 1 : 0;
	char *pattern;
	struct kt_arena *a;
	struct kt_lit *lits;
	size_t n;

	if (plen > 4096)
		return 0;
	pattern = malloc(plen + 1);
	if (!pattern)
		return 0;
	memcpy(pattern, data, plen);
	pattern[plen] = '\0';
	a = kt_arena_new();
	n = kt_prefilter_literals(pattern, a, &lits);
	if (n) {
		int err;
		PCRE2_SIZE off;
		pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
						 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE,
						 &err, &off, NULL);
		struct kt_litset *set = kt_litset_new();
		bool *present = calloc(n + 1, sizeof(*present));
		size_t *ids = calloc(n + 1, sizeof(*ids));

		if (code && present && ids) {
			pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
			pcre2_match_context *mc = pcre2_match_context_create(NULL);

			pcre2_set_match_limit(mc, 100000);
			pcre2_set_depth_limit(mc, 1000);
			if (pcre2_match(code, (PCRE2_SPTR)subject, slen, 0, 0, md, mc) >= 0 &&
			    !kt_prefilter_pass(lits, n, subject, slen))
				abort();	/* the prefilter rejected a matching text */
			pcre2_match_data_free(md);
			pcre2_match_context_free(mc);
		}
		for (size_t i = 0; present && ids && i < n; i++)
			ids[i] = kt_litset_add(set, lits[i].s, lits[i].len);
		if (present && ids) {
			kt_litset_scan(set, subject, slen, present);
			for (size_t i = 0; i < n; i++)
				if (present[ids[i]] != (memmem(subject, slen, lits[i].s, lits[i].len) != NULL))
					abort();	/* the one-pass scan disagrees with memmem */
		}
		free(ids);
		free(present);
		kt_litset_free(set);
		pcre2_code_free(code);
	}
	kt_arena_free(a);
	free(pattern);
	return 0;
}
