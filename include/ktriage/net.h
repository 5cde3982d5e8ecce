/*
 * Network stage: NIC driver knowledge (data/net/), host network inventory
 * (live sysfs + netlink, a sysfs tree, Open vSwitch, XenServer `xe` dumps,
 * status reports), the MTU audit and the MTU change plan for a pool.
 * All system access goes through struct kt_host_ops so tests use fakes.
 * Nothing here prints; the CLI renders the strings these functions return.
 */
#ifndef KTRIAGE_NET_H
#define KTRIAGE_NET_H

#include <stdbool.h>
#include <stddef.h>

#include <ktriage/error.h>
#include <ktriage/hostfacts.h>
#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kt_arena;

/* ---- driver knowledge (data/net/drivers.tsv, data/net/pci-ids.tsv) ---- */

/* One row of data/net/drivers.tsv. Strings borrowed from the db. */
struct kt_driver_info {
	const char *driver;	/* "enic", "bridge", "vif" ... */
	const char *cls;	/* "physical" or "virtual" */
	int min_mtu;		/* -1 when device/firmware defined */
	int max_mtu;		/* -1 when device/firmware defined */
	const char *jumbo;	/* "yes", "no", "depends" */
	bool verified;		/* constant seen in public kernel source */
	const char *caveat;	/* "" when none */
	const char *source;
};

/* One row of data/net/pci-ids.tsv. */
struct kt_pci_info {
	unsigned vendor, device;
	const char *driver;
	const char *model;
	int max_mtu;		/* chip override, or -1 */
	const char *jumbo;	/* chip override, or NULL */
	const char *source;
};

struct kt_driver_db;

/* Load the driver and PCI tables (embedded, or the ctx data dir). Caller
 * owns *ret; free with kt_driver_db_free(). Returns 0, KT_EFORMAT (bad row,
 * message names file and line), KT_ENOTFOUND or KT_EIO. */
KT_API int kt_driver_db_load(struct kt_ctx *ctx, struct kt_driver_db **ret);
/* Free the db; NULL is a no-op. */
KT_API void kt_driver_db_free(struct kt_driver_db *db);
/* Look a driver up by name ("enic"); NULL when unknown. Borrowed; valid
 * until the db is freed. */
KT_API const struct kt_driver_info *kt_driver_db_find(const struct kt_driver_db *db,
						       const char *driver);
/* Look a PCI vendor:device up; NULL when unknown. Borrowed as above. */
KT_API const struct kt_pci_info *kt_driver_db_find_pci(const struct kt_driver_db *db,
						       unsigned vendor, unsigned device);
/* Validate the knowledge tables (drivers.tsv, pci-ids.tsv, platforms.tsv):
 * each row's source must be public (a URL or a kernel/project source path,
 * never a local file). Each problem goes to fn(ud, KT_SEV_ERROR,
 * "net/FILE", "ROW: reason"). Returns 0, KT_EFORMAT (problems reported, or
 * a table does not load: message on ctx) or KT_ENOTFOUND. */
KT_API int kt_driver_db_check(struct kt_ctx *ctx, kt_diag_fn fn, void *ud);
/* Number of driver rows and row i (for listing and tests). Borrowed. */
KT_API size_t kt_driver_db_count(const struct kt_driver_db *db);
KT_API const struct kt_driver_info *kt_driver_db_at(const struct kt_driver_db *db, size_t i);
KT_API size_t kt_driver_db_pci_count(const struct kt_driver_db *db);
KT_API const struct kt_pci_info *kt_driver_db_pci_at(const struct kt_driver_db *db, size_t i);

/* ---- the system seam ---- */

/* Every read of /sys, every command and every netlink query of the net
 * stage goes through these callbacks. Paths are absolute as on a live host
 * ("/sys/class/net/eth0/mtu"); an implementation may map them under a root.
 * Results are heap memory the caller frees with free() (arrays: each
 * element, then the array). Callbacks return 0, KT_ENOTFOUND or KT_EIO and
 * write their out parameters only on success. */
struct kt_host_ops {
	void *userdata;
	/* Whole file, NUL-terminated (at most `limit` bytes kept). */
	int (*read_file)(void *userdata, const char *path, size_t limit, char **ret,
			 size_t *ret_len);
	/* Entry names of a directory, sorted, without "." and "..". */
	int (*list_dir)(void *userdata, const char *path, char ***ret, size_t *ret_n);
	/* Target of a symbolic link. */
	int (*read_link)(void *userdata, const char *path, char **ret);
	/* Run argv[0] (looked up on PATH, no shell) and collect its stdout and
	 * stderr (at most `limit` bytes). KT_ENOTFOUND when the program does not exist.
	 * *ret_status is the exit status (128+N for signal N). May be NULL. */
	int (*run)(void *userdata, const char *const *argv, size_t limit, char **ret_out,
		   int *ret_status);
	/* IFLA_MIN_MTU / IFLA_MAX_MTU (-1 when absent) and the IFLA_INFO_KIND
	 * (NULL when absent) of a live interface. May be NULL. */
	int (*link_info)(void *userdata, const char *ifname, int *ret_min, int *ret_max,
			 char **ret_kind);
};

/* The real system. `sysfs_root` NULL or "/": this host -- files as they
 * are, commands through fork/execvp, link_info through rtnetlink. Else a
 * directory laid out like /sys (ROOT/class/net/IF/...): "/sys/..." paths
 * map under it, and run/link_info are NULL (an offline tree describes
 * another host). Caller owns the result; free with
 * kt_host_ops_system_free(). The argument is copied. */
KT_API struct kt_host_ops *kt_host_ops_system_new(const char *sysfs_root);
/* Free ops made by kt_host_ops_system_new(); NULL is a no-op. */
KT_API void kt_host_ops_system_free(struct kt_host_ops *ops);

/* ---- inventory ---- */

enum kt_net_kind {
	KT_NET_PHYSICAL,
	KT_NET_BOND,
	KT_NET_BRIDGE,
	KT_NET_VLAN,
	KT_NET_VETH,
	KT_NET_VIF,
	KT_NET_TUN,
	KT_NET_OVS,
	KT_NET_LOOPBACK,
	KT_NET_OTHER,
	KT_NET_KIND_COUNT
};

/* "physical", "bond", "bridge", "vlan", "veth", "vif", "tun", "ovs",
 * "loopback", "other". Static string. */
KT_API const char *kt_net_kind_name(enum kt_net_kind kind);
/* Inverse of kt_net_kind_name(); KT_NET_OTHER when unknown. */
KT_API enum kt_net_kind kt_net_kind_from_name(const char *name);

enum kt_net_sev {
	KT_NET_SEV_LOW,
	KT_NET_SEV_MEDIUM,
	KT_NET_SEV_HIGH,
	KT_NET_SEV_COUNT
};

/* "low", "medium", "high". Static string. */
KT_API const char *kt_net_sev_name(enum kt_net_sev sev);

/* One interface: a Linux netdev, or a XenServer PIF (then uuid is set and
 * `name` is the PIF's device). All strings live in the inventory arena. */
struct kt_net_iface {
	const char *host;	/* host name-label (pools), NULL for one host */
	const char *host_uuid;	/* xe only */
	const char *name;
	enum kt_net_kind kind;
	const char *driver;	/* NULL when unknown */
	const char *driver_from; /* "sysfs", "ethtool", "pci-id", "kind", "ovs" */
	const char *pci_id;	/* "1137:0071" or NULL */
	int mtu;		/* -1 unknown */
	int min_mtu;		/* -1 unknown */
	int max_mtu;		/* -1 unknown or unlimited */
	const char *max_mtu_from; /* "netlink", "driver-table", "pci-table" */
	const char *jumbo;	/* driver verdict: yes/no/depends/unknown */
	const char *caveat;	/* driver caveat or NULL */
	const char *caveat_source;
	const char *master;	/* bond/bridge/ovs bridge it belongs to */
	const char *lower;	/* VLAN parent */
	const char **members;	/* bond slaves, bridge ports */
	size_t n_members;
	const char *operstate;
	int speed;		/* Mb/s, -1 unknown */
	bool management;
	/* XenServer PIF fields (NULL/-1/false elsewhere). */
	const char *uuid;
	const char *network_uuid;
	int vlan;		/* -1 untagged */
	const char *ip_mode;	/* None/DHCP/Static */
	const char *ip, *netmask, *gateway, *dns;
	bool attached;
	bool disallow_unplug;
	int other_config_mtu;	/* other-config:mtu override, -1 none */
	const char *bond_master_of;	/* bond uuid when this PIF is a bond master */
	const char *bond_slave_of;	/* bond uuid when this PIF is a bond member */
	enum kt_net_sev jumbo_sev;	/* audit severity of a depends/no verdict on this
					 * platform (data/net/platforms.tsv); low by default */
	int port_mtu;		/* what the NIC's port carries per the driver's own log
				 * (enic: vNIC MTU, port MTU warnings), -1 unknown */
	const char *port_mtu_from;	/* that log line (data/net/log-evidence.tsv) */
	const char *port_mtu_source;	/* public source of the message format */
	bool tunnel;		/* tunnel access PIF (cross-host private network) */
	bool sriov;		/* SR-IOV logical PIF */
};

/* A XenServer network (or a Linux bridge seen as one). */
struct kt_net_network {
	const char *uuid;	/* NULL for a Linux bridge */
	const char *name;
	const char *bridge;
	int mtu;
	const char **pif_uuids;
	size_t n_pifs;
};

struct kt_net_host {
	const char *uuid;
	const char *name;
	bool pool_master;
};

/* A VM network interface attached to a network (xe vif-list). */
struct kt_net_vif {
	const char *uuid;
	const char *vm_name;
	const char *network_uuid;
	bool attached;
	const char *vm_uuid;
	int mtu;		/* VIF MTU (RO), -1 unknown */
	int other_config_mtu;	/* other-config:mtu override, -1 none */
};

/* A VM (xe vm-list), control domains excluded. */
struct kt_net_vm {
	const char *uuid;
	const char *name;
	const char *host_uuid;	/* resident-on, NULL when not running */
	bool running;
	bool pv_drivers;	/* PV-drivers-detected: VIFs can be hot-(un)plugged */
};

/* A storage connection of a host (xe pbd-list), with the address it uses. */
struct kt_net_pbd {
	const char *uuid;
	const char *host_uuid;
	const char *sr_uuid;
	const char *target;	/* IPv4 of target/server from device-config, or NULL */
	bool attached;
	/* every storage address of device-config (target, multihomelist,
	 * server, the host of an SMB UNC path), port stripped; hostnames as given */
	const char **addrs;
	size_t n_addrs;
	const char *sr_name, *sr_type;	/* from sr-list, NULL when absent */
	bool sr_shared;
};


struct kt_net_finding {
	const char *id;		/* "jumbo-unsupported", "mtu-above-max" ... */
	enum kt_net_sev sev;
	const char *host;	/* NULL for a single host */
	const char *subject;	/* interface or network */
	const char *summary;
	const char *remedy;
	const char *source;	/* citation for the fact behind it, or NULL */
};

struct kt_net_inventory {
	struct kt_arena *arena;
	const char *source;	/* "sysfs:/", "xe-dir:DIR", "status-report:FILE" ... */
	struct kt_net_host *hosts;
	size_t n_hosts;
	struct kt_net_iface *ifaces;
	size_t n_ifaces;
	struct kt_net_network *networks;
	size_t n_networks;
	struct kt_net_vif *vifs;
	size_t n_vifs;
	struct kt_net_pbd *pbds;
	size_t n_pbds;
	bool ha_enabled;
	bool redo_log_enabled;
	bool is_xe;		/* filled from xe records (PIFs, networks) */
	const char *platform;	/* "xenserver", "xen-dom0", "linux"; NULL = unknown
				 * (selects rows of data/net/platforms.tsv) */
	const char *hostname;	/* the host a status report was taken on (its
				 * inventory.xml); NULL = not said */
	struct kt_net_finding *findings;
	size_t n_findings;
	/* growth bookkeeping and the name index (private) */
	size_t cap_hosts, cap_ifaces, cap_networks, cap_vifs, cap_pbds, cap_findings;
	size_t *name_slots;	/* open addressing: iface index + 1, 0 = empty */
	size_t name_cap, name_indexed;
	/* XenServer pool facts for the MTU plan (xe only) */
	struct kt_net_vm *vms;
	size_t n_vms, cap_vms;
	const char *pool_uuid;	/* xe pool-list, or a status report's xapi-db.xml */
	const char *ha_sr_uuid;	/* SR of the HA statefile VDI, NULL unknown */
	int ha_ntol;		/* ha-host-failures-to-tolerate, -1 unknown */
	const char **cluster_pifs; /* PIFs used by GFS2 clustering (cluster-host-list) */
	size_t n_cluster_pifs;
};

/* Create an empty inventory. Caller owns *ret; free with
 * kt_net_inventory_free(). Returns 0. */
KT_API int kt_net_inventory_new(struct kt_ctx *ctx, struct kt_net_inventory **ret);
/* Free an inventory and everything in it; NULL is a no-op. */
KT_API void kt_net_inventory_free(struct kt_net_inventory *inv);

/* Add every interface of /sys/class/net (as seen through ops): MTU, driver,
 * PCI id, master, bond slaves, bridge ports, VLAN parent, operstate, speed,
 * and netlink min/max MTU and kind when ops->link_info works. Then adds
 * Open vSwitch bridges and ports when `ovs-vsctl` runs. Returns 0,
 * KT_ENOTFOUND (no /sys/class/net) or KT_EIO. */
KT_API int kt_net_inventory_sysfs(struct kt_ctx *ctx, const struct kt_host_ops *ops,
				  struct kt_net_inventory *inv);

/* Add a XenServer pool from `xe ... params=all` outputs: from files
 * host-list.txt, network-list.txt, pif-list.txt, bond-list.txt, vlan-list.txt
 * (and optional pool-list.txt, vif-list.txt, pbd-list.txt) in `dir`, or when
 * dir is NULL by running `xe` through ops->run. pif-list and network-list
 * are required. Returns 0, KT_ENOTFOUND, KT_EIO or KT_EFORMAT. */
KT_API int kt_net_inventory_xe(struct kt_ctx *ctx, const struct kt_host_ops *ops,
			       const char *dir, struct kt_net_inventory *inv);

/* On a XenServer host (live --xe): fill the driver (from sysfs, preferred
 * over the PCI-id table) and netlink MTU limits of this host's PIFs. This
 * host is INSTALLATION_UUID in /etc/xensource-inventory. Returns 0, or
 * KT_ENOTFOUND when that file or uuid is absent (nothing changed). */
KT_API int kt_net_inventory_xe_local(struct kt_ctx *ctx, const struct kt_host_ops *ops,
				     struct kt_net_inventory *inv);

/* Add the network state in a XenServer status report (bug-report-*.tar.bz2,
 * .tar, .zip): `ip -s addr`/`ip -d link` outputs, `ethtool -i IF` outputs,
 * /proc/net/bonding and /proc/net/vlan files, OVS list-ports and bond/show,
 * and inv->hostname from inventory.xml (set even when the call then fails
 * with KT_EFORMAT for want of network state). Returns 0, KT_EIO or
 * KT_EFORMAT (not an archive / no network state). */
KT_API int kt_net_inventory_status_report(struct kt_ctx *ctx, const char *path,
					  struct kt_net_inventory *inv);

/* Fill driver (from PCI ids when missing), max MTU, jumbo verdict and
 * caveat of every interface from the driver db. Idempotent. */
KT_API void kt_net_inventory_resolve(struct kt_net_inventory *inv,
				     const struct kt_driver_db *db);

/* Find an interface by host (NULL matches any) and name; NULL if absent.
 * Borrowed; valid until the inventory is freed. */
KT_API const struct kt_net_iface *kt_net_inventory_find(const struct kt_net_inventory *inv,
							const char *host, const char *name);

/* Host facts (what the diagnose rules read) from an inventory: the same
 * data `net audit --format json` writes, without the JSON round trip.
 * Caller owns *ret; free with kt_host_facts_free(). Returns 0. */
KT_API int kt_host_facts_from_inventory(const struct kt_net_inventory *inv,
					struct kt_host_facts **ret);

/* ---- audit ---- */

/* Run every audit check over the inventory (resolve first) and store the
 * findings in inv->findings, most severe first. Returns 0. */
KT_API int kt_net_audit(struct kt_ctx *ctx, struct kt_net_inventory *inv,
			const struct kt_driver_db *db);

struct kt_probe_result;
/* Add the findings a path-MTU probe result implies (black hole, path below
 * the interface MTU, no reply) to inv->findings. */
KT_API void kt_net_audit_add_probe(struct kt_net_inventory *inv,
				   const struct kt_probe_result *result);

/* Render the inventory and findings as text / JSON ({interfaces, networks,
 * findings, ...}; loadable by kt_host_facts_load_json). Caller owns the
 * result; free with free(). */
KT_API char *kt_net_audit_text(const struct kt_net_inventory *inv);
KT_API char *kt_net_audit_json(const struct kt_net_inventory *inv);

/* ---- MTU change plan ---- */

enum kt_plan_kind {
	KT_PLAN_RUN,		/* a command (argv) --apply runs */
	KT_PLAN_MANUAL,		/* an action for a human (no command) */
	KT_PLAN_WARN,		/* (unused in steps: see plan->warnings) */
	KT_PLAN_VERIFY,		/* a check after the change (command shown, not run) */
	KT_PLAN_CHECK,		/* a state check --apply makes (before/after a host) */
	KT_PLAN_KIND_COUNT
};

/* What --apply checks at a KT_PLAN_CHECK step (re-reading the pool). */
struct kt_plan_check {
	bool after;		/* false: before the host's steps, true: after them */
	const char *host_uuid;
	const char *pif_uuid;	/* this network's PIF on the host */
	int pif_mtu;		/* the MTU that PIF must have now */
	bool ha_enabled;	/* HA state expected now */
	const char **pbds;	/* PBDs that must be plugged now */
	size_t n_pbds;
	const char **vifs;	/* before: the running VIFs on the network on this host */
	size_t n_vifs;
	const char **pings;	/* after: DF ping targets (MTU-28 passes, MTU-27 fails) */
	size_t n_pings;
};

struct kt_plan_step {
	enum kt_plan_kind kind;
	const char *host;	/* host the step concerns, or NULL (pool-wide) */
	const char *text;	/* explanation */
	const char **argv;	/* NULL-terminated, for RUN and VERIFY; NULL otherwise */
	/* Commands that undo a RUN step, in order (each NULL-terminated):
	 * run in reverse step order they restore the state before the step. */
	const char ***undo;
	size_t n_undo;
	const struct kt_plan_check *check;	/* KT_PLAN_CHECK only */
	bool cosmetic;		/* changes no MTU (disallow-unplug back, HA back ...):
				 * when it fails, resume rather than roll back */
};

/* A reason the plan is unsafe or pointless (refused without --force), or
 * a warning, with the public source behind it. */
struct kt_plan_note {
	const char *id;		/* "management-jumbo", "above-nic-max" ... */
	const char *host;	/* or NULL */
	const char *text;
	const char *source;
};

struct kt_net_plan {
	struct kt_arena *arena;
	const char *network_uuid;
	const char *network_name;
	int old_mtu;
	int new_mtu;
	bool forced;		/* refusals were overridden (--force) */
	struct kt_plan_step *steps;	/* numbered 1..n_steps in every output */
	size_t n_steps, cap_steps;
	struct kt_plan_note *refusals;
	size_t n_refusals, cap_refusals;
	struct kt_plan_note *warnings;
	size_t n_warnings, cap_warnings;
};

/* Plan options; zero-initialise. */
struct kt_net_plan_opts {
	const char *network;	/* uuid or exact name-label */
	int mtu;
	bool force;		/* keep the refusals as warnings */
	/* Resolve a storage hostname to IPv4 addresses (dotted quads, ','
	 * separated, heap string). NULL: getaddrinfo(). Return 0 or KT_ENOTFOUND. */
	int (*resolve)(void *userdata, const char *name, char **ret);
	void *resolve_userdata;
};

/* Build the ordered steps that change network opts->network of an xe
 * inventory to MTU opts->mtu. Resolve the inventory first
 * (kt_net_inventory_resolve) so NIC limits are known; `db` may be NULL.
 * Unsafe or pointless targets are not errors: they are listed in
 * plan->refusals (kt_net_plan_refused() says whether they block).
 * Caller owns *ret; free with kt_net_plan_free(). Returns 0, KT_EINVAL
 * (bad MTU, no xe data, ambiguous name) or KT_ENOTFOUND (no such network). */
KT_API int kt_net_plan_build2(struct kt_ctx *ctx, const struct kt_net_inventory *inv,
			      const struct kt_driver_db *db, const struct kt_net_plan_opts *opts,
			      struct kt_net_plan **ret);
/* kt_net_plan_build2 with only network and mtu (no --force). */
KT_API int kt_net_plan_build(struct kt_ctx *ctx, const struct kt_net_inventory *inv,
			     const struct kt_driver_db *db, const char *network, int mtu,
			     struct kt_net_plan **ret);
/* True when the plan has refusals and was not forced. */
KT_API bool kt_net_plan_refused(const struct kt_net_plan *plan);
/* Free a plan; NULL is a no-op. */
KT_API void kt_net_plan_free(struct kt_net_plan *plan);
/* The plan as numbered text / as JSON ({network, old_mtu, new_mtu,
 * direction, forced, refusals, warnings, steps: [{n, kind, host, text,
 * argv, undo, check}]}). Caller owns the result; free with free(). */
KT_API char *kt_net_plan_text(const struct kt_net_plan *plan);
KT_API char *kt_net_plan_json(const struct kt_net_plan *plan);
/* Read a plan back from kt_net_plan_json() output. Returns 0 or KT_EFORMAT. */
KT_API int kt_net_plan_from_json(struct kt_ctx *ctx, const char *json, struct kt_net_plan **ret);

/* Called before (status < 0) and after (status = exit status, 0 for a
 * passed check) each RUN and CHECK step; `output` is what the command
 * printed (stdout and stderr), or the check's complaint, or NULL. */
typedef void (*kt_plan_progress_fn)(void *userdata, size_t index,
				    const struct kt_plan_step *step, int status,
				    const char *output);

struct kt_net_apply_opts {
	kt_plan_progress_fn progress;
	void *userdata;
	const char *journal;	/* journal file (appended, created when absent) */
	size_t first;		/* first step index to run (resume) */
	bool resume;		/* the journal is this plan's: append to it (else it
				 * must be new or empty) */
	int timeout;		/* seconds per xe call (0: 300; host-evacuate 10x) */
	volatile const int *stop; /* set (by a signal handler): stop after the step */
	/* A MANUAL step is reached: return true when it is done (NULL: the
	 * operator confirmed the whole plan, go on). */
	bool (*manual)(void *userdata, size_t index, const struct kt_plan_step *step);
};

/* Run the plan from step opts->first: RUN steps through ops->run (under
 * `timeout` when it is on PATH), CHECK steps by re-reading the pool with
 * `xe` (kt_net_inventory_xe) and DF-pinging. Writes the journal (the plan
 * first, then one line before and after each step, fsync'ed). Stops at the
 * first failure, at a check that finds the pool not as planned, or when
 * *stop is set (after finishing and recording the current step).
 * *ret_done = index after the last completed step. Returns 0, KT_EIO (a
 * step or check failed, or interrupted: message on ctx) or KT_EINVAL (the
 * plan is refused). */
KT_API int kt_net_plan_apply2(struct kt_ctx *ctx, const struct kt_host_ops *ops,
			      const struct kt_net_plan *plan, const struct kt_net_apply_opts *opts,
			      size_t *ret_done);
/* Run the RUN steps only (no checks, no journal): the old entry point. */
KT_API int kt_net_plan_apply(struct kt_ctx *ctx, const struct kt_host_ops *ops,
			     const struct kt_net_plan *plan, kt_plan_progress_fn progress,
			     void *userdata, size_t *ret_done);

/* A journal read back: the plan and how far it got. */
struct kt_net_journal {
	struct kt_net_plan *plan;
	size_t n_steps;
	unsigned char *state;	/* per step: 0 not started, 1 begun (no result),
				 * 2 ok, 3 failed, 4 undone */
	bool complete;
};
/* Load a journal file. Caller frees with kt_net_journal_free(). Returns 0,
 * KT_ENOTFOUND, KT_EIO or KT_EFORMAT. */
KT_API int kt_net_journal_load(struct kt_ctx *ctx, const char *path, struct kt_net_journal **ret);
KT_API void kt_net_journal_free(struct kt_net_journal *j);
/* Index of the step a resume starts at (the first not ok). */
KT_API size_t kt_net_journal_resume_index(const struct kt_net_journal *j);
/* Undo, in reverse order, every step the journal records as ok (and, with
 * failures tolerated, the ones begun or failed, which may have half-run);
 * appends "undone" lines to the journal so a second rollback continues.
 * Stops at the first undo of an ok step that fails. Returns 0 or KT_EIO. */
KT_API int kt_net_plan_rollback(struct kt_ctx *ctx, const struct kt_host_ops *ops,
				const char *path, struct kt_net_journal *j,
				const struct kt_net_apply_opts *opts);
/* How to undo the first `done` steps of a plan, as text (reverse order).
 * Caller owns the result; free with free(). */
KT_API char *kt_net_plan_rollback_text(const struct kt_net_plan *plan, size_t done);

/* A command line shell-quoted for display. Caller frees with free(). */
KT_API char *kt_net_argv_text(const char *const *argv);

/* Syntax checks used before anything runs: a XenServer UUID
 * (8-4-4-4-12 hex) and an xe name-label we are willing to pass as an
 * argument (printable, no control characters, at most 255 bytes). */
KT_API bool kt_net_valid_uuid(const char *s);
KT_API bool kt_net_valid_name(const char *s);

#ifdef __cplusplus
}
#endif
#endif
