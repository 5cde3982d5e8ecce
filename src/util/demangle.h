/*
 * util/demangle: Rust "v0" symbol names, as kernels with Rust code print
 * them in call traces ("_RNvMs3_NtCs..._11rust_binder7processNtB5_7Process10update_ref"),
 * made readable the way rustc-demangle prints them without hashes
 * ("<rust_binder::process::Process>::update_ref"), so that titles name the
 * function as syzkaller's do.
 *
 * Format: the Rust v0 symbol mangling (rustc book, "v0 Symbol Format";
 * RFC 2603). Covered: paths (crate roots, nested paths and their closure
 * and shim namespaces, inherent and trait impls, trait definitions, generic
 * arguments), back-references, and the common types (basic types,
 * references, raw pointers, slices, arrays, tuples, paths). Anything else
 * (function pointer and dyn types, punycode identifiers, const generics
 * other than plain integers) leaves the name as it is.
 */
#ifndef KT_UTIL_DEMANGLE_H
#define KT_UTIL_DEMANGLE_H

#include <stdbool.h>
#include <stddef.h>

/* Demangle the v0 symbol `sym` (len bytes, starting with "_R") into out
 * (NUL-terminated, at most outsz bytes). False (out then holds garbage) when
 * sym is not such a symbol, uses an unsupported production, or does not
 * fit. Bounded: recursion and back-references cannot loop. */
bool kt_rust_demangle(const char *sym, size_t len, char *out, size_t outsz);

#endif
