/*
 * net (internal): parser for `xe <class>-list params=all` output, exactly as
 * xe prints it (xen-api ocaml/xapi-cli-server/cli_printer.ml): records separated by an empty
 * line, each line "<key> (<RO|RW|SRO|SRW|MRO|MRW>)[ [DEPRECATED]]: <value>"
 * with alignment padding around the key.
 */
#ifndef KT_NET_XE_H
#define KT_NET_XE_H

#include <stddef.h>

#include "util/str.h"

struct kt_arena;

struct kt_xe_field {
	struct kt_str key;	/* trimmed: "name-label" */
	struct kt_str value;	/* trimmed; "" for an empty set or map */
};

struct kt_xe_record {
	struct kt_xe_field *fields;
	size_t n, cap;
};

struct kt_xe_list {
	struct kt_xe_record *records;
	size_t n, cap;
	size_t bad_lines;	/* non-empty lines that were not "key (XX): value" */
};

/* Parse xe output. Views point into `text`, which must outlive the list;
 * arrays live in `arena`. Never fails: unrecognised lines are counted. */
void kt_xe_parse(struct kt_arena *arena, struct kt_str text, struct kt_xe_list *ret);
/* Value of `key` in a record; a view with p == NULL when absent. */
struct kt_str kt_xe_get(const struct kt_xe_record *r, const char *key);
/* Value of `key` inside a map value "k1: v1; k2: v2"; p == NULL if absent. */
struct kt_str kt_xe_map_get(struct kt_str map, const char *key);

#endif
