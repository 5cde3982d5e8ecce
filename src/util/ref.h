/*
 * util: is a citation public? Every reference a user reads (rule
 * `references`, driver-table `source` columns, audit finding sources) must
 * be a URL or a path in a public source tree named by its project
 * ("linux net/bridge/br_netfilter_hooks.c br_nf_dev_queue_xmit",
 * "xen-api ocaml/xapi/xapi_pif.ml"), never a path of the machine the
 * knowledge was written on.
 */
#ifndef KT_UTIL_REF_H
#define KT_UTIL_REF_H

#include <stdbool.h>

/* One reference: "https://..." | "PROJECT PATH[ ...]" | "RFC N[ ...]".
 * PROJECT is [a-z][a-z0-9._+-]* (linux, xen, xen-api, multipath-tools ...),
 * PATH a relative path (has a '/' or a '.ext', no leading '/', no '..').
 * Anywhere in the text, a local path (an absolute path as a word, "file:",
 * "../", "~/") or a
 * private write-up folder ("shared/", "research/" as a path component)
 * makes it non-public. On false *why (if not NULL) says why (static). */
bool kt_ref_is_public(const char *ref, const char **why);

/* The same for a driver-table source column: several references separated
 * by " ; ", where a bare kernel path ("drivers/net/...", "net/...",
 * "include/...") stands for "linux PATH". */
bool kt_ref_list_is_public(const char *refs, const char **why);

#endif
