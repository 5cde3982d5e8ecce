/* Unit tests: normalize (one row per prefix rule: raw line -> text and metadata). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <ktriage/limits.h>

#include "normalize/normalize.h"

#define N (-1)

struct norm_case {
	const char *in;
	size_t in_len;		/* 0: strlen(in) */
	const char *text;
	enum kt_line_fmt fmt;
	double ts;
	int level;
	enum kt_caller caller;
	int caller_id;
	const char *host;
	const char *wallclock;
	const char *tag;
	bool xen;
	bool boundary;
};

static const struct norm_case cases[] = {
	/* dmesg */
	{ "[   12.345678] usb 1-1: new high-speed USB device", 0,
	  "usb 1-1: new high-speed USB device", KT_FMT_DMESG, 12.345678, N, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "[    0.000000] Linux version 4.19.0+1", 0, "Linux version 4.19.0+1", KT_FMT_DMESG,
	  0.0, N, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[   12.345678]  [<ffffffff81eb4be9>] dump_stack+0x19/0x1b", 0,
	  " [<ffffffff81eb4be9>] dump_stack+0x19/0x1b", KT_FMT_DMESG, 12.345678, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[  168.317567] INFO: task kworker/0:1:12 blocked for more than 120 seconds.", 0,
	  "INFO: task kworker/0:1:12 blocked for more than 120 seconds.", KT_FMT_DMESG,
	  168.317567, N, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[   61.892273] ", 0, "", KT_FMT_DMESG, 61.892273, N, KT_CALLER_NONE, N, "", "", "",
	  false, false },
	{ "[   61.892273]", 0, "", KT_FMT_DMESG, 61.892273, N, KT_CALLER_NONE, N, "", "", "",
	  false, false },
	{ "[ 74.883]  Pid: 1, comm: init", 0, " Pid: 1, comm: init", KT_FMT_DMESG, 74.883, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	/* a TAB as the stamp's padding, no space after it */
	{ "<4>[\t68764.975944]WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2", 0,
	  "WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2", KT_FMT_DMESG, 68764.975944, 4,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	/* journalctl -o json: kernel transport (printk time from
	 * _SOURCE_MONOTONIC_TIMESTAMP), a user-space entry, a binary MESSAGE */
	{ "{\"__REALTIME_TIMESTAMP\":\"1700000012345678\",\"_HOSTNAME\":\"node-3\","
	  "\"_TRANSPORT\":\"kernel\",\"PRIORITY\":\"4\",\"_SOURCE_MONOTONIC_TIMESTAMP\":"
	  "\"12345678\",\"MESSAGE\":\"BUG: kernel NULL pointer dereference\"}", 0,
	  "BUG: kernel NULL pointer dereference", KT_FMT_JOURNAL, 12.345678, 4, KT_CALLER_NONE,
	  N, "node-3", "2023-11-14T22:13:32.345678Z", "kernel", false, false },
	{ "{\"_HOSTNAME\":\"node-3\",\"_TRANSPORT\":\"syslog\",\"SYSLOG_IDENTIFIER\":"
	  "\"sshd\",\"PRIORITY\":6,\"MESSAGE\":\"Accepted key\\n\"}", 0, "Accepted key",
	  KT_FMT_JOURNAL, -1, 6, KT_CALLER_NONE, N, "node-3", "", "sshd", false, false },
	{ "{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":[79,111,112,115,255,27,91,48,109]}", 0,
	  "Oops?", KT_FMT_JOURNAL, -1, N, KT_CALLER_NONE, N, "", "", "kernel", false, false },
	{ "{\"_TRANSPORT\":\"stdout\",\"MESSAGE\":\"WARNING: disk almost full\"}", 0,
	  "WARNING: disk almost full", KT_FMT_JOURNAL, -1, N, KT_CALLER_NONE, N, "", "", "stdout",
	  false, false },
	/* not a journal entry: a JSON line without MESSAGE stays plain text */
	{ "{\"msg\":\"hello\"}", 0, "{\"msg\":\"hello\"}", KT_FMT_PLAIN, -1, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	/* dmesg -d */
	{ "[   12.345678 <    0.000123>] eth0: link up", 0, "eth0: link up", KT_FMT_DMESG,
	  12.345678, N, KT_CALLER_NONE, N, "", "", "", false, false },
	/* dmesg -T */
	{ "[Thu Apr  2 15:52:54 2020] eth0: link up", 0, "eth0: link up", KT_FMT_DMESG, -1, N,
	  KT_CALLER_NONE, N, "", "Thu Apr  2 15:52:54 2020", "", false, false },
	/* dmesg -x */
	{ "kern  :warn  : [   12.345678] WARNING: CPU: 1 PID: 2 at x.c:3 f+0x1/0x2", 0,
	  "WARNING: CPU: 1 PID: 2 at x.c:3 f+0x1/0x2", KT_FMT_DMESG, 12.345678, 4,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	{ "kern  :emerg : Kernel panic - not syncing: Fatal exception", 0,
	  "Kernel panic - not syncing: Fatal exception", KT_FMT_DMESG, -1, 0, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	/* dmesg -x -T (util-linux sys-utils/dmesg.c print_record) */
	{ "kern  :alert : [Sat Dec  5 10:00:01 2026] BUG: kernel NULL pointer dereference", 0,
	  "BUG: kernel NULL pointer dereference", KT_FMT_DMESG, -1, 1, KT_CALLER_NONE, N, "",
	  "Sat Dec  5 10:00:01 2026", "", false, false },
	/* dmesg -e (--reltime): the minute, then deltas */
	{ "[Dec 5 10:00] eth0: link up", 0, "eth0: link up", KT_FMT_DMESG, -1, N,
	  KT_CALLER_NONE, N, "", "Dec 5 10:00", "", false, false },
	{ "[Dec15 10:00] eth0: link up", 0, "eth0: link up", KT_FMT_DMESG, -1, N,
	  KT_CALLER_NONE, N, "", "Dec15 10:00", "", false, false },
	{ "[  +0.000123] RIP: 0010:f+0x1/0x2", 0, "RIP: 0010:f+0x1/0x2", KT_FMT_DMESG, -1, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[+12.000123]Call Trace:", 0, "Call Trace:", KT_FMT_DMESG, -1, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	/* dmesg -T -d, dmesg -t -d */
	{ "[Sat Dec  5 10:00:01 2026 <    0.000012>] eth0: link up", 0, "eth0: link up",
	  KT_FMT_DMESG, -1, N, KT_CALLER_NONE, N, "", "Sat Dec  5 10:00:01 2026", "", false,
	  false },
	{ "[<    0.000012>] eth0: link up", 0, "eth0: link up", KT_FMT_DMESG, -1, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	/* a hashed frame address is no delta stamp */
	{ "[<0000000012345678>] f+0x1/0x2", 0, "[<0000000012345678>] f+0x1/0x2", KT_FMT_PLAIN,
	  -1, N, KT_CALLER_NONE, N, "", "", "", false, false },
	/* dmesg --time-format iso */
	{ "2020-04-02T15:52:54,123456+00:00 eth0: link up", 0, "eth0: link up", KT_FMT_DMESG, -1,
	  N, KT_CALLER_NONE, N, "", "2020-04-02T15:52:54,123456+00:00", "", false, false },
	/* printk caller */
	{ "[   12.345678][  T123] msg", 0, "msg", KT_FMT_DMESG, 12.345678, N, KT_CALLER_TASK, 123,
	  "", "", "", false, false },
	{ "[  456.493487][    C1] msg", 0, "msg", KT_FMT_DMESG, 456.493487, N, KT_CALLER_CPU, 1,
	  "", "", "", false, false },
	{ "[ 1503.551672][T10069] msg", 0, "msg", KT_FMT_DMESG, 1503.551672, N, KT_CALLER_TASK,
	  10069, "", "", "", false, false },
	{ "[   12.345678] [  T123] msg", 0, "msg", KT_FMT_DMESG, 12.345678, N, KT_CALLER_TASK,
	  123, "", "", "", false, false },
	{ "[   12.345678][T329@C6] msg", 0, "msg", KT_FMT_DMESG, 12.345678, N, KT_CALLER_TASK,
	  329, "", "", "", false, false },
	/* e-mail quoting */
	{ "> [   12.345678] BUG: x", 0, "BUG: x", KT_FMT_DMESG, 12.345678, N, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ ">>  [<ffffffff812d9656>] memcpy+0x6/0x110", 0, " [<ffffffff812d9656>] memcpy+0x6/0x110",
	  KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "", false, false },
	{ ">", 0, "", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "", false, false },
	/* caller id without time, syslogd wall message */
	{ "[  T123] msg", 0, "msg", KT_FMT_DMESG, -1, N, KT_CALLER_TASK, 123, "", "", "", false,
	  false },
	{ " kernel:NMI watchdog: BUG: soft lockup - CPU#2 stuck for 23s! [kworker:123]", 0,
	  "NMI watchdog: BUG: soft lockup - CPU#2 stuck for 23s! [kworker:123]", KT_FMT_SYSLOG, -1,
	  N, KT_CALLER_NONE, N, "", "", "kernel", false, false },
	/* levels */
	{ "<4>[   12.345678] msg", 0, "msg", KT_FMT_DMESG, 12.345678, 4, KT_CALLER_NONE, N, "",
	  "", "", false, false },
	{ "<1>BUG: unable to handle kernel NULL pointer dereference at 0000000000000008", 0,
	  "BUG: unable to handle kernel NULL pointer dereference at 0000000000000008",
	  KT_FMT_PLAIN, -1, 1, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "<12>user message", 0, "user message", KT_FMT_PLAIN, -1, 4, KT_CALLER_NONE, N, "", "",
	  "", false, false },
	{ "<c>continued", 0, "continued", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "",
	  false, false },
	{ "<d>default level", 0, "default level", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "",
	  "", false, false },
	{ "\001" "3usb 1-1: device descriptor read error", 0,
	  "usb 1-1: device descriptor read error", KT_FMT_PLAIN, -1, 3, KT_CALLER_NONE, N, "", "",
	  "", false, false },
	{ "<999>not a level", 0, "<999>not a level", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "",
	  "", "", false, false },
	/* syslog RFC 3164 */
	{ "Nov 23 09:26:01 host kernel: msg", 0, "msg", KT_FMT_SYSLOG, -1, N, KT_CALLER_NONE, N,
	  "host", "Nov 23 09:26:01", "kernel", false, false },
	{ "Nov  8 19:38:07 MSI-CR61-3M kernel: [  424.479443] BUG: soft lockup", 0,
	  "BUG: soft lockup", KT_FMT_SYSLOG, 424.479443, N, KT_CALLER_NONE, N, "MSI-CR61-3M",
	  "Nov  8 19:38:07", "kernel", false, false },
	{ "jun 20 01:02:03 box kernel: [    1.000000][    T1] x", 0, "x", KT_FMT_SYSLOG, 1.0, N,
	  KT_CALLER_TASK, 1, "box", "jun 20 01:02:03", "kernel", false, false },
	{ "Nov 23 09:26:01 node1 systemd[1]: Started foo.", 0, "Started foo.", KT_FMT_SYSLOG, -1,
	  N, KT_CALLER_NONE, N, "node1", "Nov 23 09:26:01", "systemd[1]", false, false },
	{ "Nov 23 09:26:01 xs1 xen: (XEN) Brought up 8 CPUs", 0, "Brought up 8 CPUs",
	  KT_FMT_SYSLOG, -1, N, KT_CALLER_NONE, N, "xs1", "Nov 23 09:26:01", "xen", true, false },
	/* syslog RFC 3339 / 5424 */
	{ "2010-02-22T09:24:08.156534-08:00 host kernel: msg", 0, "msg", KT_FMT_SYSLOG, -1, N,
	  KT_CALLER_NONE, N, "host", "2010-02-22T09:24:08.156534-08:00", "kernel", false, false },
	{ "<4>1 2020-04-02T15:52:54.123Z host kernel - - - msg", 0, "msg", KT_FMT_SYSLOG, -1, 4,
	  KT_CALLER_NONE, N, "host", "2020-04-02T15:52:54.123Z", "kernel", false, false },
	{ "<6>1 2020-04-02T15:52:54Z h kernel - - [a b=\"c\"] msg", 0, "msg", KT_FMT_SYSLOG, -1,
	  6, KT_CALLER_NONE, N, "h", "2020-04-02T15:52:54Z", "kernel", false, false },
	/* journalctl */
	{ "Nov 23 09:26:01.123456 host kernel: msg", 0, "msg", KT_FMT_JOURNAL, -1, N,
	  KT_CALLER_NONE, N, "host", "Nov 23 09:26:01.123456", "kernel", false, false },
	{ "2023-11-23T09:26:01+0000 host kernel: msg", 0, "msg", KT_FMT_JOURNAL, -1, N,
	  KT_CALLER_NONE, N, "host", "2023-11-23T09:26:01+0000", "kernel", false, false },
	{ "[   12.345678] myhost kernel: msg", 0, "msg", KT_FMT_JOURNAL, 12.345678, N,
	  KT_CALLER_NONE, N, "myhost", "", "kernel", false, false },
	{ "Mon 2023-11-20 08:00:01 UTC host kernel: msg", 0, "msg", KT_FMT_JOURNAL, -1, N,
	  KT_CALLER_NONE, N, "host", "Mon 2023-11-20 08:00:01 UTC", "kernel", false, false },
	{ "-- Boot 3f1a2b3c4d5e6f708192a3b4c5d6e7f8 --", 0,
	  "-- Boot 3f1a2b3c4d5e6f708192a3b4c5d6e7f8 --", KT_FMT_JOURNAL, -1, N, KT_CALLER_NONE, N,
	  "", "", "", false, true },
	{ "-- Logs begin at Mon 2023-11-20 08:00:01 UTC, end at Mon 2023-11-20 09:00:01 UTC. --", 0,
	  "-- Logs begin at Mon 2023-11-20 08:00:01 UTC, end at Mon 2023-11-20 09:00:01 UTC. --",
	  KT_FMT_JOURNAL, -1, N, KT_CALLER_NONE, N, "", "", "", false, true },
	{ "-- Reboot --", 0, "-- Reboot --", KT_FMT_JOURNAL, -1, N, KT_CALLER_NONE, N, "", "", "",
	  false, true },
	{ "---[ end trace 1234abcd ]---", 0, "---[ end trace 1234abcd ]---", KT_FMT_PLAIN, -1, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	/* XenServer dom0.log ring */
	{ "[2637695.833005]  ALERT: BUG: unable to handle kernel paging request at ffff8801705505c0",
	  0, "BUG: unable to handle kernel paging request at ffff8801705505c0", KT_FMT_XEN_RING,
	  2637695.833005, 1, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[2637695.833183]   WARN: PGD 1a0d067 PUD 187fc2067", 0, "PGD 1a0d067 PUD 187fc2067",
	  KT_FMT_XEN_RING, 2637695.833183, 4, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[2637695.834354]   WARN:  scsi_dh dm_snapshot", 0, " scsi_dh dm_snapshot",
	  KT_FMT_XEN_RING, 2637695.834354, 4, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[   12.345678]  EMERG: Kernel panic - not syncing: Fatal exception in interrupt", 0,
	  "Kernel panic - not syncing: Fatal exception in interrupt", KT_FMT_XEN_RING, 12.345678,
	  0, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[ 1234.000001]    ERR: e", 0, "e", KT_FMT_XEN_RING, 1234.000001, 3, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "[ 1234.000002] NOTICE: n", 0, "n", KT_FMT_XEN_RING, 1234.000002, 5, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "[ 1234.000003]   INFO: i", 0, "i", KT_FMT_XEN_RING, 1234.000003, 6, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "[ 1234.000004]  DEBUG: d", 0, "d", KT_FMT_XEN_RING, 1234.000004, 7, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "[ 1234.000005]   CRIT: c", 0, "c", KT_FMT_XEN_RING, 1234.000005, 2, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "[ 1234.000006]       : blank level", 0, "blank level", KT_FMT_XEN_RING, 1234.000006, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	/* Xen console */
	{ "(XEN) Xen BUG at page_alloc.c:404", 0, "Xen BUG at page_alloc.c:404",
	  KT_FMT_XEN_CONSOLE, -1, N, KT_CALLER_NONE, N, "", "", "", true, false },
	{ "(XEN) [    4.132689] Brought up 8 CPUs", 0, "Brought up 8 CPUs", KT_FMT_XEN_CONSOLE,
	  4.132689, N, KT_CALLER_NONE, N, "", "", "", true, false },
	{ "(XEN) [2023-05-11 10:11:12] Panic on CPU 0:", 0, "Panic on CPU 0:", KT_FMT_XEN_CONSOLE,
	  -1, N, KT_CALLER_NONE, N, "", "2023-05-11 10:11:12", "", true, false },
	{ "(XEN) [2023-05-11 10:11:12.123] x", 0, "x", KT_FMT_XEN_CONSOLE, -1, N, KT_CALLER_NONE,
	  N, "", "2023-05-11 10:11:12.123", "", true, false },
	{ "(XEN) [000012a4f2c4e2b0] x", 0, "x", KT_FMT_XEN_CONSOLE, -1, N, KT_CALLER_NONE, N, "",
	  "", "", true, false },
	{ "(XEN)", 0, "", KT_FMT_XEN_CONSOLE, -1, N, KT_CALLER_NONE, N, "", "", "", true, false },
	{ "(XEN)    [<ffff82d08022ba5b>] R memcpy+0x1b/0x30", 0,
	  "   [<ffff82d08022ba5b>] R memcpy+0x1b/0x30", KT_FMT_XEN_CONSOLE, -1, N, KT_CALLER_NONE,
	  N, "", "", "", true, false },
	{ "(d5) guest debug", 0, "(d5) guest debug", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "",
	  "", "", false, false },
	/* /dev/kmsg, netconsole */
	{ "6,339,5140900,-;NET: Registered protocol family 10", 0,
	  "NET: Registered protocol family 10", KT_FMT_KMSG, 5.1409, 6, KT_CALLER_NONE, N, "", "",
	  "", false, false },
	{ "4,1234,12345678,-,caller=T123;msg", 0, "msg", KT_FMT_KMSG, 12.345678, 4,
	  KT_CALLER_TASK, 123, "", "", "", false, false },
	{ "6,416,1758426,-,ncfrag=0/31;frag", 0, "frag", KT_FMT_KMSG, 1.758426, 6,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	{ "6.13.0-04048-g4f561a87745a,13,468,514729715,-;msg", 0, "msg", KT_FMT_KMSG, 514.729715,
	  5, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "1,2,3;not kmsg", 0, "1,2,3;not kmsg", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "",
	  "", false, false },
	/* serial console, control characters, encodings */
	{ "\x1b[32m ok \x1b[39;49m done", 0, " ok  done", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "\x1b[?25l[   12.345678] msg", 0, "msg", KT_FMT_DMESG, 12.345678, N, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "\x1b]0;title\a[   12.345678] msg", 0, "msg", KT_FMT_DMESG, 12.345678, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	{ "progress 10%\rprogress 100%", 0, "progress 100%", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE,
	  N, "", "", "", false, false },
	{ "login: \r[   19.781382] audit: x", 0, "audit: x", KT_FMT_DMESG, 19.781382, N,
	  KT_CALLER_NONE, N, "", "", "", false, false },
	{ "syzkaller login: [   19.781382] audit: type=1400", 0, "audit: type=1400", KT_FMT_DMESG,
	  19.781382, N, KT_CALLER_NONE, N, "", "", "", false, false },
	/* garbage glued to a stamp with the kernel's six decimals; not a
	 * bracketed number inside a message */
	{ "\xff\xfegarbage[   12.345678][ T12] BUG: x", 0, "BUG: x", KT_FMT_DMESG, 12.345678, N,
	  KT_CALLER_TASK, 12, "", "", "", false, false },
	{ "cpu[1.5] load", 0, "cpu[1.5] load", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "",
	  "", false, false },
	/* the prompt glued to a line with a printk caller id: the id is kept */
	{ "host login: [  417.725670][    C1] rcu: INFO: stall", 0, "rcu: INFO: stall",
	  KT_FMT_DMESG, 417.725670, N, KT_CALLER_CPU, 1, "", "", "", false, false },
	{ "2024/07/23 18:01:21 [M83LP63]: [  157.267792] BUG: x", 0, "BUG: x", KT_FMT_DMESG,
	  157.267792, N, KT_CALLER_NONE, N, "", "2024/07/23 18:01:21", "", false, false },
	{ "2018/01/09 14:28:48 BUG: memory leak", 0, "BUG: memory leak", KT_FMT_PLAIN, -1, N,
	  KT_CALLER_NONE, N, "", "2018/01/09 14:28:48", "", false, false },
	{ "2018/01/09 14:28:48 [   12.345678] x", 0, "x", KT_FMT_DMESG, 12.345678, N,
	  KT_CALLER_NONE, N, "", "2018/01/09 14:28:48", "", false, false },
	{ "DEC  4 17:33:13 SYZKALLER DAEMON.ERR DHCPCD[5651]: LIBUDEV: RECEIVED NULL DEVICE", 0,
	  "LIBUDEV: RECEIVED NULL DEVICE", KT_FMT_SYSLOG, -1, N, KT_CALLER_NONE, N, "SYZKALLER",
	  "DEC  4 17:33:13", "DHCPCD[5651]", false, false },
	{ "Dec  4 17:33:13 syzkaller kern.warn kernel: [   53.573906] w", 0, "w", KT_FMT_SYSLOG,
	  53.573906, N, KT_CALLER_NONE, N, "syzkaller", "Dec  4 17:33:13", "kernel", false,
	  false },
	{ "01-01 00:00:12.345     0     0 E         : [   12.345678] msg", 0, "msg", KT_FMT_DMESG,
	  12.345678, N, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "trailing cr\r", 0, "trailing cr", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "",
	  false, false },
	{ "abc\0def", 7, "abcdef", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "", false,
	  false },
	{ "[   12.345678] a\0b", 18, "ab", KT_FMT_DMESG, 12.345678, N, KT_CALLER_NONE, N, "", "",
	  "", false, false },
	{ "caf\xc3\xa9 ok", 0, "caf\xc3\xa9 ok", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "",
	  "", false, false },
	{ "bad \xff\xfe byte \xc3", 0, "bad ?? byte ?", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "\xed\xa0\x80 surrogate", 0, "??? surrogate", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N,
	  "", "", "", false, false },
	{ "\tCall Trace:", 0, "\tCall Trace:", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "",
	  false, false },
	{ " [<ffffffff812d9656>] memcpy+0x6/0x110", 0, " [<ffffffff812d9656>] memcpy+0x6/0x110",
	  KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "", 0, "", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "\r", 0, "", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "", false, false },
	{ "[ not a stamp ] x", 0, "[ not a stamp ] x", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "",
	  "", "", false, false },
	{ "[12.] x", 0, "[12.] x", KT_FMT_PLAIN, -1, N, KT_CALLER_NONE, N, "", "", "", false,
	  false },
};

static void
assert_str(struct kt_str got, const char *want)
{
	if (got.len != strlen(want) || memcmp(got.p, want, got.len) != 0) {
		fprintf(stderr, "# got '%.*s', want '%s'\n", (int)got.len, got.p ? got.p : "", want);
		fail();
	}
}

static void
test_cases(void **state)
{
	struct kt_normalizer *n = kt_normalizer_new();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct norm_case *c = &cases[i];
		size_t len = c->in_len ? c->in_len : strlen(c->in);
		struct kt_line l;

		fprintf(stderr, "# case %zu: %s\n", i, c->in);
		memset(&l, 0xa5, sizeof(l));
		kt_normalize(n, kt_str_make(c->in, len), (uint32_t)i + 1, &l);
		assert_str(l.text, c->text);
		assert_int_equal(l.fmt, c->fmt);
		if (c->ts < 0)
			assert_true(l.ts < 0);
		else
			assert_true(l.ts > c->ts - 1e-7 && l.ts < c->ts + 1e-7);
		assert_int_equal(l.level, c->level);
		assert_int_equal(l.caller, c->caller);
		assert_int_equal(l.caller_id, c->caller_id);
		assert_str(l.host, c->host);
		assert_str(l.wallclock, c->wallclock);
		assert_str(l.tag, c->tag);
		assert_int_equal(l.xen, c->xen);
		assert_int_equal(l.boundary, c->boundary);
		assert_int_equal(l.no, i + 1);
		assert_ptr_equal(l.raw.p, c->in);
		assert_int_equal(l.raw.len, len);
		assert_false(l.truncated);
	}
	kt_normalizer_free(n);
	kt_normalizer_free(NULL);
}

/* Lines longer than KT_MAX_LINE are cut (and flagged), with any content. */
static void
test_long_lines(void **state)
{
	struct kt_normalizer *n = kt_normalizer_new();
	size_t len = 3 * KT_MAX_LINE;
	char *buf = malloc(len);
	struct kt_line l;

	(void)state;
	memset(buf, 'x', len);
	memcpy(buf, "[   12.345678] ", 15);
	kt_normalize(n, kt_str_make(buf, len), 1, &l);
	assert_true(l.truncated);
	assert_int_equal(l.raw.len, KT_MAX_LINE);
	assert_int_equal(l.fmt, KT_FMT_DMESG);
	assert_int_equal(l.text.len, KT_MAX_LINE - 15);
	/* every byte needing cleaning: the scratch buffer must suffice */
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(0x80 + i % 0x40);
	kt_normalize(n, kt_str_make(buf, len), 2, &l);
	assert_true(l.text.len <= KT_MAX_LINE);
	kt_normalizer_free(n);
	free(buf);
}

/* Arbitrary bytes never crash and always produce a text view inside the
 * raw line or the scratch buffer, no longer than the raw line. */
static void
test_garbage(void **state)
{
	struct kt_normalizer *n = kt_normalizer_new();
	static const char alphabet[] = "[]()<>0123456789.:;, -TCZ+\x1b\x01\r\t\0\xc3\xa9\xffXENkernl";
	unsigned seed = 12345;
	char buf[96];

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		size_t len = (size_t)(seed % sizeof(buf));
		struct kt_line l;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		seed = seed * 1103515245u + 12345u;
		kt_normalize(n, kt_str_make(buf, len), 1, &l);
		assert_true(l.text.len <= len);
		assert_true(l.level >= -1 && l.level <= 7);
		assert_true((unsigned)l.fmt < KT_FMT_COUNT);
		assert_true(l.wallclock.len <= len && l.host.len <= len && l.tag.len <= len);
	}
	kt_normalizer_free(n);
}

static void
test_fmt_names(void **state)
{
	(void)state;
	for (int f = 0; f < KT_FMT_COUNT; f++)
		assert_non_null(kt_line_fmt_name((enum kt_line_fmt)f));
	assert_string_equal(kt_line_fmt_name(KT_FMT_XEN_RING), "xen-dom0-ring");
}

/* Throughput on typical dmesg lines, printed for information (the bar is
 * 500 MB/s in an optimised build; not asserted, machines vary). */
static void
test_speed(void **state)
{
	static const char *const lines[] = {
		"[   12.345678] usb 1-1: new high-speed USB device number 2 using ehci-pci",
		"[2637695.833337]   WARN: Modules linked in: tun nfsv3 nfs_acl nfs fscache",
		"[ 1503.551672][T10069] ext4_fill_super: mounted filesystem with ordered data mode",
		"[  168.317567]  [<ffffffff81eb4be9>] dump_stack+0x19/0x1b",
	};
	struct kt_normalizer *n = kt_normalizer_new();
	struct timespec t0, t1;
	size_t bytes = 0, sink = 0;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 2000000; i++) {
		const char *s = lines[i & 3];
		struct kt_line l;

		kt_normalize(n, kt_str_cstr(s), (uint32_t)i, &l);
		bytes += strlen(s) + 1;
		sink += l.text.len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "# normalize: %.0f MB/s (%zu)\n", (double)bytes / secs / 1e6, sink);
	kt_normalizer_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_fmt_names),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
