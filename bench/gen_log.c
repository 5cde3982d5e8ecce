/*
 * bench: seeded generator of a large, realistic-looking kernel log for the
 * scanner benchmark and the scan/analyze agreement test. Writes boot noise,
 * driver chatter, user-space syslog lines, rare near-misses (lines with a
 * crash keyword that are not crashes) and rare crashes of many kinds, in
 * several prefix styles (dmesg, syslog, journal, XenServer dom0.log ring).
 * The same seed and size always give the same bytes.
 *
 * Usage: gen_log [--size BYTES[k|M|G]] [--seed N] [--crash-every BYTES]
 *                [--style mixed|dmesg|syslog|journal|ring] [-o FILE]
 *
 * Every template below is written from the kernel's own formats (linux
 * arch/x86/kernel/dumpstack.c __die and show_regs, kernel/panic.c panic and
 * __warn, lib/dump_stack.c) and Xen's console format (xen
 * xen/arch/x86/x86_64/traps.c show_registers); none is copied from a corpus.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum style { ST_DMESG, ST_SYSLOG, ST_JOURNAL, ST_RING, ST_COUNT, ST_MIXED = ST_COUNT };

static const char *const style_names[] = {
	[ST_DMESG] = "dmesg", [ST_SYSLOG] = "syslog", [ST_JOURNAL] = "journal",
	[ST_RING] = "ring", [ST_MIXED] = "mixed",
};

struct gen {
	uint64_t rng;
	FILE *out;
	uint64_t written;
	enum style style;
	double ts;		/* kernel timestamp, seconds */
	uint64_t wall;		/* seconds since Nov 1 00:00 */
	const char *host;
	uint64_t crashes;
	uint64_t lines;
};

/* splitmix64: small, seedable, good enough for text. */
static uint64_t
rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
rn(struct gen *g, unsigned n)
{
	return (unsigned)(rnd(g) % n);
}

#define PICK(g, arr) ((arr)[rn((g), sizeof(arr) / sizeof((arr)[0]))])

static const char *const level_words[8] = {
	" EMERG", " ALERT", "  CRIT", "   ERR", "  WARN", "NOTICE", "  INFO", " DEBUG",
};

/* Write one kernel line with the current prefix style. */
static void
kline(struct gen *g, int level, const char *msg)
{
	static const char *const mon = "Nov";
	unsigned long sec = (unsigned long)g->ts;
	unsigned long usec = (unsigned long)((g->ts - (double)sec) * 1e6);
	uint64_t w = g->wall;
	unsigned day = 1 + (unsigned)(w / 86400) % 28, hh = (unsigned)(w / 3600) % 24;
	unsigned mm = (unsigned)(w / 60) % 60, ss = (unsigned)w % 60;
	int n = 0;

	switch (g->style) {
	case ST_DMESG:
		n = fprintf(g->out, "[%5lu.%06lu] %s\n", sec, usec, msg);
		break;
	case ST_SYSLOG:
		n = fprintf(g->out, "%s %2u %02u:%02u:%02u %s kernel: [%5lu.%06lu] %s\n",
			    mon, day, hh, mm, ss, g->host, sec, usec, msg);
		break;
	case ST_JOURNAL:
		n = fprintf(g->out, "%s %02u %02u:%02u:%02u %s kernel: %s\n",
			    mon, day, hh, mm, ss, g->host, msg);
		break;
	case ST_RING:
	default:
		n = fprintf(g->out, "[%7lu.%06lu] %s: %s\n", sec, usec,
			    level_words[level & 7], msg);
		break;
	}
	if (n > 0)
		g->written += (uint64_t)n;
	g->lines++;
	g->ts += (double)rn(g, 2000) / 1e6;
	if (rn(g, 4096) == 0)
		g->ts += (double)rn(g, 30000) / 1e3;
	g->wall = 1000000 + (uint64_t)g->ts;
}

/* A user-space line: only syslog and journal files have them. */
static void
uline(struct gen *g, const char *prog, const char *msg)
{
	uint64_t w = g->wall;
	unsigned day = 1 + (unsigned)(w / 86400) % 28, hh = (unsigned)(w / 3600) % 24;
	unsigned mm = (unsigned)(w / 60) % 60, ss = (unsigned)w % 60;
	int n = fprintf(g->out, "Nov %02u %02u:%02u:%02u %s %s[%u]: %s\n", day, hh, mm, ss,
			g->host, prog, 300 + rn(g, 30000), msg);
	if (n > 0)
		g->written += (uint64_t)n;
	g->lines++;
}

static const char *const funcs[] = {
	"memcpy", "skb_copy_bits", "ip_fragment", "br_nf_dev_queue_xmit", "nf_hook_slow",
	"__netif_receive_skb_core", "xenvif_tx_action", "net_rx_action", "__do_softirq",
	"ext4_map_blocks", "jbd2_journal_commit_transaction", "kmem_cache_alloc",
	"__alloc_pages_nodemask", "tcp_sendmsg", "inet_sendmsg", "sock_sendmsg",
	"blk_mq_dispatch_rq_list", "nvme_queue_rq", "scsi_dispatch_cmd", "enic_rq_service",
	"ixgbe_clean_rx_irq", "napi_gro_receive", "dev_hard_start_xmit", "kthread",
	"worker_thread", "process_one_work", "ret_from_fork", "do_syscall_64",
	"vfs_read", "vfs_write", "do_sys_open", "path_openat", "mutex_lock",
	"refcount_warn_saturate", "list_del_entry_valid", "__schedule", "schedule",
};
static const char *const modules[] = {
	"bridge", "enic", "ixgbe", "nvme", "ext4", "xfs", "nf_conntrack", "bonding",
};
static const char *const comms[] = {
	"swapper/4", "kworker/3:1", "ksoftirqd/2", "qemu-dm-7", "sshd", "xapi", "tapdisk",
	"jbd2/sda1-8", "systemd", "python3",
};

/* Expand {F} function, {M} module, {H} 16 hex digits, {h} 8 hex, {C} cpu,
 * {P} pid, {N} comm, {D} small decimal, {B} 1..254. */
static void
expand(struct gen *g, const char *tpl, char *buf, size_t cap)
{
	size_t o = 0;
	for (const char *p = tpl; *p && o + 40 < cap; p++) {
		if (p[0] != '{' || !p[1] || p[2] != '}') {
			buf[o++] = *p;
			continue;
		}
		int n = 0;
		switch (p[1]) {
		case 'F': n = snprintf(buf + o, cap - o, "%s", PICK(g, funcs)); break;
		case 'M': n = snprintf(buf + o, cap - o, "%s", PICK(g, modules)); break;
		case 'H': n = snprintf(buf + o, cap - o, "ffff%012" PRIx64, rnd(g) >> 16); break;
		case 'h': n = snprintf(buf + o, cap - o, "%08x", (unsigned)rnd(g)); break;
		case 'C': n = snprintf(buf + o, cap - o, "%u", rn(g, 16)); break;
		case 'P': n = snprintf(buf + o, cap - o, "%u", 1 + rn(g, 40000)); break;
		case 'N': n = snprintf(buf + o, cap - o, "%s", PICK(g, comms)); break;
		case 'D': n = snprintf(buf + o, cap - o, "%u", rn(g, 1000)); break;
		case 'B': n = snprintf(buf + o, cap - o, "%u", 1 + rn(g, 254)); break;
		default: buf[o++] = *p; continue;
		}
		o += (size_t)(n > 0 ? n : 0);
		if (o >= cap)
			o = cap - 1;
		p += 2;
	}
	buf[o] = '\0';
}

static void
kfmt(struct gen *g, int level, const char *tpl)
{
	char buf[1024];
	expand(g, tpl, buf, sizeof(buf));
	kline(g, level, buf);
}

/* ---- noise ------------------------------------------------------------ */

static const char *const boot_lines[] = {
	"Linux version 4.19.0+1 (mockbuild@builder) (gcc version 8.3.1) #1 SMP Tue Oct 3 12:00:00 UTC 2023",
	"Command line: root=LABEL=root-abc ro hpet=disable console=hvc0 console=tty0 quiet vga=785",
	"BIOS-provided physical RAM map:",
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable",
	"BIOS-e820: [mem 0x0000000000100000-0x00000000bfffffff] usable",
	"NX (Execute Disable) protection: active",
	"SMBIOS 2.8 present.",
	"DMI: Cisco Systems Inc UCSC-C220-M3S/UCSC-C220-M3S, BIOS C220M3.2.0.4b 04/28/2015",
	"Hypervisor detected: Xen PV",
	"tsc: Fast TSC calibration using PIT",
	"ACPI: Early table checksum verification disabled",
	"ACPI: RSDP 0x00000000000F0490 000024 (v02 CISCO )",
	"Zone ranges:",
	"  DMA      [mem 0x0000000000001000-0x0000000000ffffff]",
	"Built 1 zonelists, mobility grouping on.  Total pages: 2064125",
	"Memory: 8012344K/8388608K available (10252K kernel code, 1292K rwdata)",
	"rcu: Hierarchical RCU implementation.",
	"NR_IRQS: 4352, nr_irqs: 1448, preallocated irqs: 16",
	"Console: colour VGA+ 80x25",
	"clocksource: xen: mask: 0xffffffffffffffff max_cycles: 0x1cd42e4dffb",
	"Calibrating delay loop (skipped), value calculated using timer frequency.. 4199.98 BogoMIPS",
	"pid_max: default: 32768 minimum: 301",
	"Mount-cache hash table entries: 16384 (order: 5, 131072 bytes)",
	"smpboot: CPU0: Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz (family: 0x6, model: 0x3e, stepping: 0x4)",
	"Performance Events: unsupported p6 CPU model 62 no PMU driver, software events only.",
	"devtmpfs: initialized",
	"NET: Registered protocol family 16",
	"PCI: Using configuration type 1 for base access",
	"pci 0000:00:00.0: [8086:0e00] type 00 class 0x060000",
	"pci 0000:01:00.0: [1137:0043] type 00 class 0x020000",
	"pci 0000:01:00.0: reg 0x10: [mem 0xc7000000-0xc700ffff 64bit]",
	"SCSI subsystem initialized",
	"usbcore: registered new interface driver usbfs",
	"NetLabel: Initializing",
	"clocksource: Switched to clocksource xen",
	"NET: Registered protocol family 2",
	"TCP established hash table entries: 65536 (order: 7, 524288 bytes)",
	"Freeing unused kernel memory: 1652K",
	"enic: Cisco VIC Ethernet NIC Driver, ver 2.3.0.53",
	"enic 0000:01:00.0: vNIC MAC addr 00:25:b5:00:00:1f wq/rq 8/8 mtu 1500",
	"enic 0000:01:00.0: vNIC csum tx/rx yes/yes tso/lro yes/yes rss yes intr mode any type min timer 125 usec",
	"megaraid_sas 0000:03:00.0: FW now in Ready state",
	"scsi host0: Avago SAS based MegaRAID driver",
	"sd 0:2:0:0: [sda] 1167966208 512-byte logical blocks: (598 GB/557 GiB)",
	"sd 0:2:0:0: [sda] Write Protect is off",
	" sda: sda1 sda2 sda3 sda4 sda5 sda6",
	"sd 0:2:0:0: [sda] Attached SCSI disk",
	"EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)",
	"systemd[1]: Detected virtualization xen.",
	"random: crng init done",
	"Bridge firewalling registered",
	"Ebtables v2.0 registered",
	"ip_tables: (C) 2000-2006 Netfilter Core Team",
	"Loading iSCSI transport class v2.0-870.",
	"bonding: Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)",
};

static const char *const chatter[] = {
	"vif vif-{D}-0 vif{D}.0: Guest Rx ready",
	"xenbr0: port {D}(vif{D}.0) entered forwarding state",
	"xenbr0: port {D}(vif{D}.0) entered disabled state",
	"device vif{D}.0 entered promiscuous mode",
	"device vif{D}.0 left promiscuous mode",
	"xen-blkback: backend/vbd/{D}/51712: using 2 queues, protocol 1 (x86_64-abi) persistent grants",
	"xen-blkback: ring-ref {D}, event-channel {D}, protocol 1 (x86_64-abi)",
	"enic 0000:01:00.{C} eth{C}: Link UP",
	"enic 0000:01:00.{C} eth{C}: Link DOWN",
	"bond0: link status definitely up for interface eth{C}, 10000 Mbps full duplex",
	"IPv6: ADDRCONF(NETDEV_UP): eth{C}: link is not ready",
	"nf_conntrack: table full, dropping packet",
	"TCP: request_sock_TCP: Possible SYN flooding on port {D}. Sending cookies.  Check SNMP counters.",
	"audit: type=1400 audit({D}.{D}:{D}): apparmor=\"STATUS\" operation=\"profile_load\" pid={P} comm=\"apparmor_parser\"",
	"usb 1-1: new high-speed USB device number {D} using ehci-pci",
	"usb 1-1: New USB device found, idVendor=0624, idProduct=0249",
	"EXT4-fs (dm-{D}): mounted filesystem with ordered data mode. Opts: (null)",
	"sd {C}:0:0:{C}: [sdb] Synchronizing SCSI cache",
	"blk_update_request: I/O error, dev sdb, sector {P}",
	"device-mapper: multipath: Reinstating path 8:{D}.",
	"perf: interrupt took too long ({D} > {D}), lowering kernel.perf_event_max_sample_rate to {P}",
	"{N}[{P}]: segfault at {h} ip 00007f{h} sp 00007ffd{h} error 4 in libc-2.17.so[7f{h}+1c3000]",
	"printk: {D} messages suppressed",
	"net_ratelimit: {D} callbacks suppressed",
	"nfs: server 192.0.2.{B} not responding, still trying",
	"nfs: server 192.0.2.{B} OK",
	"CIFS VFS: Free previous auth_key.response = 00000000{h}",
	"xen:balloon: Cannot add additional memory (-17)",
	"Bridge firewalling registered",
};

static const char *const userspace[] = {
	"Started Session {D} of user root.",
	"Accepted publickey for root from 198.51.100.{B} port {P} ssh2: RSA SHA256:abcdef",
	"pam_unix(sshd:session): session opened for user root by (uid=0)",
	"xapi: [ info||{D} ||xenops] VM.start: VM = {h}",
	"Received disconnect from 203.0.113.{B} port {P}:11: disconnected by user",
	"(root) CMD (/opt/xensource/libexec/xapi-health-check)",
	"message repeated {D} times: [ Failed password for invalid user admin ]",
};

/* Near-misses: a crash keyword on a line that is not a crash report. */
static const char *const near_misses[] = {
	"traps: {N}[{P}] general protection fault ip:7f{h} sp:7ffd{h} error:0 in libc.so.6[7f{h}+195000]",
	"INFO: lockdep is turned off.",
	"ACPI BIOS Warning (bug): Incorrect checksum in table [OEMB] - 0x3C, should be 0x3B",
	"ext4: Unrecognized mount option \"WARNING:nodelalloc\" or missing value",
	"usb 2-1: device descriptor read/64, error -71 (not a BUG: the hub retries)",
};

static void
noise_line(struct gen *g)
{
	unsigned r = rn(g, 100);
	char buf[1024];
	if ((g->style == ST_SYSLOG || g->style == ST_JOURNAL) && r < 20) {
		static const char *const progs[] = { "sshd", "systemd", "CRON", "xapi", "rsyslogd" };
		expand(g, PICK(g, userspace), buf, sizeof(buf));
		uline(g, PICK(g, progs), buf);
		return;
	}
	kfmt(g, r < 90 ? 6 : 4, PICK(g, chatter));
}

static void
boot(struct gen *g)
{
	g->ts = 0.0;
	for (size_t i = 0; i < sizeof(boot_lines) / sizeof(boot_lines[0]); i++) {
		kline(g, 6, boot_lines[i]);
		if (rn(g, 4) == 0)
			noise_line(g);
	}
}

/* ---- crashes ------------------------------------------------------------ */

/* A crash body: templates; level of the first line is 1 (ALERT), rest 4. */
static const char *const c_paging[] = {
	"BUG: unable to handle kernel paging request at {H}",
	"IP: [<ffffffff8{h}>] {F}+0x6/0x110",
	"PGD 1a0d067 PUD 187fc2067 PMD 187e3f067 PTE 20",
	"Oops: 0000 [#1] SMP ",
	"Modules linked in: tun nfsv3 nfs bridge stp llc enic(O) megaraid_sas(O) sd_mod",
	"CPU: {C} PID: 0 Comm: {N} Tainted: G           O 3.10.0+2 #1",
	"Hardware name: Cisco Systems Inc UCSC-C220-M3S/UCSC-C220-M3S, BIOS C220M3.2.0.4b 04/28/2015",
	"RIP: e030:[<ffffffff8{h}>]  [<ffffffff8{h}>] {F}+0x6/0x110",
	"RSP: e02b:{H}  EFLAGS: 00010286",
	"RAX: {H} RBX: {H} RCX: 00000000000005c8",
	"CR2: {H} CR3: 0000000129589000 CR4: 0000000000002660",
	"Call Trace:",
	" <IRQ> ",
	" [<ffffffff8{h}>] ? {F}+0x143/0x240",
	" [<ffffffff8{h}>] {F}+0x621/0x760",
	" [<ffffffffa{h}>] {F}+0x77/0xa0 [{M}]",
	" [<ffffffff8{h}>] {F}+0xc4/0x1f0",
	"Code: 90 90 90 90 90 90 90 90 90 48 89 f8 48 89 d1 48 c1 e9 03 83 e2 07 <f3> 48 a5 89 d1 f3 a4 c3",
	"RIP  [<ffffffff8{h}>] {F}+0x6/0x110",
	" RSP <{H}>",
	"CR2: {H}",
	"---[ end trace {h}{h} ]---",
	"Kernel panic - not syncing: Fatal exception in interrupt",
	NULL,
};
static const char *const c_null[] = {
	"BUG: kernel NULL pointer dereference, address: 0000000000000008",
	"#PF: supervisor read access in kernel mode",
	"#PF: error_code(0x0000) - not-present page",
	"PGD 0 P4D 0 ",
	"Oops: 0000 [#1] SMP NOPTI",
	"CPU: {C} PID: {P} Comm: {N} Not tainted 5.10.0-21-amd64 #1 Debian 5.10.162-1",
	"Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.14.0-2 04/01/2014",
	"RIP: 0010:{F}+0x1d/0x80 [{M}]",
	"Code: 48 8b 47 08 48 85 c0 74 0a <48> 8b 40 08 c3 cc cc cc cc",
	"RSP: 0018:ffffb7{h}3e08 EFLAGS: 00010246",
	"Call Trace:",
	" <TASK>",
	" {F}+0x55/0x120 [{M}]",
	" {F}+0x1f2/0x3c0",
	" ? {F}+0x10/0x10",
	" {F}+0x32/0x40",
	" </TASK>",
	"---[ end trace {h}{h} ]---",
	NULL,
};
static const char *const c_gpf[] = {
	"general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP PTI",
	"CPU: {C} PID: {P} Comm: {N} Not tainted 6.1.0-13-amd64 #1 Debian 6.1.55-1",
	"RIP: 0010:{F}+0x2a/0x90",
	"Code: 0f 1f 44 00 00 48 8b 07 48 8b 57 08 <48> 89 42 08 48 89 10 c3",
	"Call Trace:",
	" <TASK>",
	" {F}+0x8d/0x140",
	" {F}+0x1b5/0x2a0",
	" </TASK>",
	NULL,
};
static const char *const c_bug[] = {
	"------------[ cut here ]------------",
	"kernel BUG at net/core/skbuff.c:{D}!",
	"invalid opcode: 0000 [#1] SMP PTI",
	"CPU: {C} PID: {P} Comm: {N} Tainted: G        W         5.4.0-150-generic #167-Ubuntu",
	"RIP: 0010:{F}+0x2b3/0x2c0",
	"Call Trace:",
	" {F}+0x3e/0x90",
	" {F}+0x120/0x2f0 [{M}]",
	"---[ end trace {h}{h} ]---",
	NULL,
};
static const char *const c_warn[] = {
	"------------[ cut here ]------------",
	"refcount_t: underflow; use-after-free.",
	"WARNING: CPU: {C} PID: {P} at lib/refcount.c:28 refcount_warn_saturate+0xec/0x140",
	"Modules linked in: {M} bridge stp llc",
	"CPU: {C} PID: {P} Comm: {N} Tainted: G        W  5.15.0 #1",
	"RIP: 0010:refcount_warn_saturate+0xec/0x140",
	"Call Trace:",
	" <TASK>",
	" {F}+0x41/0x70 [{M}]",
	" {F}+0x12/0x20",
	" </TASK>",
	"---[ end trace 0000000000000000 ]---",
	NULL,
};
static const char *const c_softlockup[] = {
	"watchdog: BUG: soft lockup - CPU#{C} stuck for 22s! [{N}:{P}]",
	"Modules linked in: {M}",
	"CPU: {C} PID: {P} Comm: {N} Tainted: G             L    5.10.0 #1",
	"RIP: 0010:{F}+0x20/0x40",
	"Call Trace:",
	" {F}+0x91/0x100",
	" {F}+0x2ba/0x3a0",
	NULL,
};
static const char *const c_rcu[] = {
	"rcu: INFO: rcu_sched self-detected stall on CPU",
	"rcu: \t{C}-....: (5249 ticks this GP) idle=ba2/1/0x4000000000000002 softirq=1/2 fqs=2621",
	"\t(t=5250 jiffies g=1234 q=567)",
	"NMI backtrace for cpu {C}",
	"CPU: {C} PID: {P} Comm: {N} Not tainted 4.19.0 #1",
	"Call Trace:",
	" <IRQ>",
	" {F}+0x5c/0x80",
	" {F}+0x32/0x70",
	" </IRQ>",
	" {F}+0x22/0x30",
	NULL,
};
static const char *const c_hung[] = {
	"INFO: task {N}:{P} blocked for more than 120 seconds.",
	"      Not tainted 5.10.0-21-amd64 #1",
	"\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
	"task:{N}    state:D stack:    0 pid:{P} ppid:     2 flags:0x00004000",
	"Call Trace:",
	" __schedule+0x282/0x880",
	" schedule+0x46/0xb0",
	" {F}+0x1a/0x40 [{M}]",
	" {F}+0x11e/0x3a0",
	NULL,
};
static const char *const c_panic[] = {
	"Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
	"CPU: 0 PID: 1 Comm: swapper/0 Not tainted 4.19.0 #1",
	"Call Trace:",
	" dump_stack+0x5c/0x80",
	" panic+0xe7/0x24a",
	" mount_block_root+0x1d4/0x28b",
	"---[ end Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) ]---",
	NULL,
};
static const char *const c_kasan[] = {
	"==================================================================",
	"BUG: KASAN: use-after-free in {F}+0x1a/0x60",
	"Read of size 8 at addr {H} by task {N}/{P}",
	"",
	"CPU: {C} PID: {P} Comm: {N} Not tainted 6.6.0 #1",
	"Call Trace:",
	" <TASK>",
	" dump_stack_lvl+0x48/0x70",
	" kasan_report+0xbd/0xf0",
	" {F}+0x1a/0x60",
	" {F}+0x55/0x90",
	" </TASK>",
	"==================================================================",
	NULL,
};
static const char *const c_ubsan[] = {
	"================================================================================",
	"UBSAN: array-index-out-of-bounds in drivers/net/ethernet/cisco/enic/enic_main.c:{D}:12",
	"index 8 is out of range for type 'vnic_rq [8]'",
	"CPU: {C} PID: {P} Comm: {N} Not tainted 5.15.0 #1",
	"Call Trace:",
	" <TASK>",
	" dump_stack_lvl+0x34/0x48",
	" __ubsan_handle_out_of_bounds.cold+0x44/0x49",
	" {F}+0x2d5/0x300 [enic]",
	" </TASK>",
	"================================================================================",
	NULL,
};
static const char *const c_sleep[] = {
	"BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580",
	"in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: {P}, name: {N}",
	"CPU: {C} PID: {P} Comm: {N} Not tainted 5.10.0 #1",
	"Call Trace:",
	" dump_stack+0x6d/0x88",
	" ___might_sleep.cold+0xa6/0xb6",
	" mutex_lock+0x1c/0x40",
	" {F}+0x3a/0xb0 [{M}]",
	NULL,
};

static const char *const c_oom[] = {
	"{N} invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
	"CPU: {C} PID: {P} Comm: {N} Not tainted 5.10.0 #1",
	"Call Trace:",
	" dump_stack+0x6d/0x88",
	" dump_header+0x4a/0x1f0",
	" oom_kill_process.cold+0xb/0x10",
	" out_of_memory+0x1bd/0x4e0",
	" __alloc_pages_slowpath.constprop.0+0xb6c/0xc50",
	"Mem-Info:",
	"active_anon:1995336 inactive_anon:13712 isolated_anon:0",
	"Out of memory: Killed process {P} ({N}) total-vm:8316860kB, anon-rss:7945164kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:15628kB oom_score_adj:0",
	NULL,
};

static const char *const *const crash_kinds[] = {
	c_paging, c_null, c_gpf, c_bug, c_warn, c_softlockup, c_rcu, c_hung, c_panic,
	c_kasan, c_ubsan, c_sleep, c_oom,
};

static void
crash(struct gen *g)
{
	const char *const *c = PICK(g, crash_kinds);
	/* Most crashes print a few lines of unrelated chatter just before. */
	for (unsigned i = rn(g, 3); i > 0; i--)
		noise_line(g);
	for (size_t i = 0; c[i]; i++)
		kfmt(g, i == 0 ? 1 : 4, c[i]);
	g->crashes++;
}

/* ---- main -------------------------------------------------------------- */

static bool
parse_size(const char *s, uint64_t *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return false;
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end)
		return false;
	*ret = (uint64_t)v;
	return true;
}

static int
usage(void)
{
	fprintf(stderr, "usage: gen_log [--size N[k|M|G]] [--seed N] [--crash-every N[k|M|G]]\n"
		"               [--style mixed|dmesg|syslog|journal|ring] [-o FILE]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	uint64_t size = 64ull << 20, seed = 1, every = 16ull << 20;
	int style = ST_MIXED;
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--size") && v && parse_size(v, &size))
			i++;
		else if (!strcmp(a, "--seed") && v)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--crash-every") && v && parse_size(v, &every) && every > 0)
			i++;
		else if (!strcmp(a, "--style") && v) {
			style = -1;
			for (int s = 0; s <= ST_MIXED; s++)
				if (!strcmp(v, style_names[s]))
					style = s;
			if (style < 0)
				return usage();
			i++;
		} else if (!strcmp(a, "-o") && v)
			path = argv[++i];
		else
			return usage();
	}

	struct gen g = { .rng = seed, .out = stdout, .host = "xs-host-07" };
	if (path && !(g.out = fopen(path, "w"))) {
		fprintf(stderr, "gen_log: %s: %s\n", path, strerror(errno));
		return 1;
	}
	static char obuf[1 << 20];
	setvbuf(g.out, obuf, _IOFBF, sizeof(obuf));

	uint64_t next_crash = every / 2 + rnd(&g) % every, next_boot = 0;
	while (g.written < size) {
		if (g.written >= next_boot) {
			g.style = style == ST_MIXED ? (enum style)rn(&g, ST_COUNT) : (enum style)style;
			boot(&g);
			/* A new boot (and maybe a new style) every ~1/4 of the file. */
			next_boot = g.written + size / 4 + rnd(&g) % (size / 4 + 1);
		}
		if (g.written >= next_crash) {
			crash(&g);
			next_crash = g.written + every / 2 + rnd(&g) % every;
		} else if (rn(&g, 200000) == 0) {
			kfmt(&g, 4, PICK(&g, near_misses));
		} else {
			noise_line(&g);
		}
	}
	if (fflush(g.out) != 0 || (path && fclose(g.out) != 0)) {
		fprintf(stderr, "gen_log: write error: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "gen_log: %" PRIu64 " bytes, %" PRIu64 " lines, %" PRIu64 " crashes\n",
		g.written, g.lines, g.crashes);
	return 0;
}
