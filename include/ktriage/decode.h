/*
 * Options of the decode stage that a caller can set: where to find debug
 * information for symbolization (func+off -> file:line with inlined frames,
 * like the kernel's scripts/decode_stacktrace.sh). All fields are optional;
 * a zeroed struct means "no symbolization".
 */
#ifndef KTRIAGE_DECODE_H
#define KTRIAGE_DECODE_H

#ifdef __cplusplus
extern "C" {
#endif

struct kt_decode_opts {
	const char *vmlinux;	/* ELF with DWARF of the crashed kernel (--vmlinux), or NULL */
	const char *modules_dir; /* directory searched for MOD.ko of [MOD] frames (--modules) */
	const char *system_map;	/* System.map for frames printed as bare addresses (--system-map) */
};

#ifdef __cplusplus
}
#endif
#endif
