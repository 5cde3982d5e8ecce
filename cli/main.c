/*
 * cli: entry point and command table. Each command lives in its own file
 * (cli/<command>.c) and gets argv starting at the command name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "commands.h"
#include "util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "analyze", kt_cli_analyze, "parse, title and explain the crashes in logs and crash folders" },
	{ "scan", kt_cli_scan, "find every crash in huge logs fast, one line per crash" },
	{ "rules", kt_cli_rules, "list, show and check the knowledge-base rules" },
	{ "net", kt_cli_net, "audit host networking, plan an MTU change, probe the path MTU" },
	{ "watch", kt_cli_watch, "follow /dev/kmsg or a growing log, report each crash once" },
	{ "agent", kt_cli_agent, "upload this host's new crash material to a ktriage server" },
	{ "diff", kt_cli_diff, "are two crashes the same bug, and where do they differ" },
	{ "db", kt_cli_db, "crash store: import crashes, list issues, hosts, facts, rebucket" },
	{ "serve", kt_cli_serve, "run the fleet server: crash uploads over HTTP and the web view" },
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ktriage COMMAND [OPTIONS] [ARGS...]\n"
		"\n"
		"Kernel and Xen crash triage: reads dmesg, kern.log/syslog, journalctl output,\n"
		"serial consoles, kdump vmcore-dmesg, XenServer crash folders and status reports;\n"
		"finds each crash, titles it, and explains what happened and what to do.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Run 'ktriage COMMAND --help' for a command's options.\n"
		"\n"
		"Options:\n"
		"  -h, --help     show this help\n"
		"  --version      show the version\n"
		"\n"
		"Exit status: 0 ok (nothing found), 1 crashes or findings reported,\n"
		"2 usage error, 3 runtime error (unreadable input, ...).\n");
}

/* A library opened on first use cannot be loaded (kt_set_libload_handler):
 * what was written to standard output so far goes out, then the message
 * naming the library, then exit status 3. _exit: a worker thread may be
 * the caller, and exit() would run the other threads' cleanups under them.
 * Another thread in the middle of a write holds stdout's lock: then its
 * buffer is left as it is rather than waited for. */
static void
libload_failed(const char *soname, const char *why)
{
	if (ftrylockfile(stdout) == 0) {
		(void)fflush_unlocked(stdout);
		funlockfile(stdout);
	}
	fprintf(stderr, "ktriage: cannot load %s, which this needs: %s\n", soname, why);
	_exit(3);
}

int
main(int argc, char **argv)
{
	const char *dbg = getenv("KT_ARENA_DEBUG");

	kt_set_libload_handler(libload_failed);
	if (dbg && strcmp(dbg, "1") == 0)
		kt_set_debug_allocations(1);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("ktriage %s\n", kt_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		return kt_cli_finish_output(argv[1], commands[i].fn(argc - 1, argv + 1));
	}
	fprintf(stderr, "ktriage: unknown command '%s' (see 'ktriage --help')\n", argv[1]);
	return 2;
}
