/*
 * net: the real implementation of struct kt_host_ops -- files and symlinks
 * under a root directory (/ for the live host, a sysfs tree for offline
 * analysis), commands through fork/execvp (never a shell), and rtnetlink
 * (libmnl) for IFLA_MIN_MTU/IFLA_MAX_MTU/IFLA_INFO_KIND on the live host.
 * Tests replace the whole struct with fakes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <ktriage/net.h>

#include "util/mem.h"
#include "util/str.h"

struct sys_ops {
	struct kt_host_ops ops;
	char *root;	/* "" for the live host, else the root without trailing '/' */
	bool live;
};

/* "/sys/class/net/eth0" -> "ROOT/class/net/eth0" for a --sysfs-root tree
 * (laid out like /sys); other paths -> "ROOT/path". */
static int
full_path(const struct sys_ops *s, const char *path, char *buf, size_t size)
{
	int n;

	if (!s->live && (strncmp(path, "/sys/", 5) == 0 || strcmp(path, "/sys") == 0))
		path += 4;
	n = snprintf(buf, size, "%s%s", s->root, path);

	return n < 0 || (size_t)n >= size ? KT_EINVAL : 0;
}

static int
sys_read_file(void *ud, const char *path, size_t limit, char **ret, size_t *ret_len)
{
	char full[PATH_MAX];
	struct kt_buf b;
	char chunk[4096];
	int fd;

	if (full_path(ud, path, full, sizeof(full)))
		return KT_EINVAL;
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? KT_ENOTFOUND : KT_EIO;
	kt_buf_init(&b);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* sysfs attributes of a device that is down (speed) fail
			 * with EINVAL: treat as absent. */
			close(fd);
			kt_buf_deinit(&b);
			return KT_ENOTFOUND;
		}
		if (n == 0)
			break;
		if (b.len < limit)
			kt_buf_add(&b, chunk, (size_t)n < limit - b.len ? (size_t)n : limit - b.len);
		else
			break;
	}
	close(fd);
	if (!b.p)
		kt_buf_add(&b, "", 0);
	*ret_len = b.len;
	*ret = b.p;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
sys_list_dir(void *ud, const char *path, char ***ret, size_t *ret_n)
{
	char full[PATH_MAX];
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;
	DIR *d;

	if (full_path(ud, path, full, sizeof(full)))
		return KT_EINVAL;
	d = opendir(full);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? KT_ENOTFOUND : KT_EIO;
	while ((de = readdir(d)) != NULL && n < 100000) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = kt_realloc(v, cap * sizeof(*v));
		}
		v[n++] = kt_strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}

static int
sys_read_link(void *ud, const char *path, char **ret)
{
	char full[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	if (full_path(ud, path, full, sizeof(full)))
		return KT_EINVAL;
	n = readlink(full, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EINVAL ? KT_ENOTFOUND : KT_EIO;
	target[n] = '\0';
	*ret = kt_strdup(target);
	return 0;
}

/* Is `prog` an executable on PATH (or a path)? Checked before fork so that
 * a missing program is KT_ENOTFOUND rather than exit status 127. */
static bool
on_path(const char *prog, const char *path_env)
{
	char buf[PATH_MAX];
	const char *p = path_env;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	if (!p)
		p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		int n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? p : ".", prog);

		if (n > 0 && (size_t)n < sizeof(buf) && access(buf, X_OK) == 0)
			return true;
		if (!colon)
			break;
		p = colon + 1;
	}
	return false;
}

static int
collect_child(int fd, pid_t pid, size_t limit, char **ret_out, int *ret_status)
{
	struct kt_buf b;
	char chunk[8192];
	int status;

	kt_buf_init(&b);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b.len < limit)
			kt_buf_add(&b, chunk, (size_t)n < limit - b.len ? (size_t)n : limit - b.len);
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			kt_buf_deinit(&b);
			return KT_EIO;
		}
	}
	if (!b.p)
		kt_buf_add(&b, "", 0);
	*ret_out = b.p;
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

static int
sys_run(void *ud, const char *const *argv, size_t limit, char **ret_out, int *ret_status)
{
	extern char **environ;
	const char *path_env = NULL;
	int pfd[2];
	pid_t pid;

	(void)ud;
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path_env = *e + 5;
	if (!argv || !argv[0] || !on_path(argv[0], path_env))
		return KT_ENOTFOUND;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return KT_EIO;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return KT_EIO;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			(void)dup2(devnull, STDIN_FILENO);
		(void)dup2(pfd[1], STDOUT_FILENO);
		/* errors become part of the output (the caller shows them on
		 * failure and ignores the output then), never our stderr */
		(void)dup2(pfd[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	return collect_child(pfd[0], pid, limit, ret_out, ret_status);
}

struct link_attrs {
	int min_mtu, max_mtu;
	char *kind;
};

static int
linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct link_attrs *la = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND && !la->kind &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
		la->kind = kt_strdup(mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int
link_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_attrs *la = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_MIN_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			la->min_mtu = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_MAX_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			la->max_mtu = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		(void)mnl_attr_parse_nested(attr, linkinfo_cb, data);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int
link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_attr_cb, data);
}

static int
sys_link_info(void *ud, const char *ifname, int *ret_min, int *ret_max, char **ret_kind)
{
	const struct sys_ops *s = ud;
	char buf[32768];
	struct link_attrs la = { -1, -1, NULL };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	unsigned seq = (unsigned)time(NULL), portid;
	ssize_t n;
	int rc = KT_EIO;

	if (!s->live || strlen(ifname) >= IFNAMSIZ)
		return KT_EUNSUPPORTED;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return KT_EIO;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n <= 0)
		goto out;
	if (mnl_cb_run(buf, (size_t)n, seq, portid, link_msg_cb, &la) < 0) {
		rc = errno == ENODEV ? KT_ENOTFOUND : KT_EIO;
		goto out;
	}
	*ret_min = la.min_mtu;
	*ret_max = la.max_mtu;
	*ret_kind = la.kind;
	la.kind = NULL;
	rc = 0;
out:
	free(la.kind);
	mnl_socket_close(nl);
	return rc;
}

struct kt_host_ops *
kt_host_ops_system_new(const char *root)
{
	struct sys_ops *s = kt_calloc(1, sizeof(*s));
	size_t len;

	if (!root || strcmp(root, "/") == 0)
		root = "";
	s->root = kt_strdup(root);
	len = strlen(s->root);
	while (len > 0 && s->root[len - 1] == '/')
		s->root[--len] = '\0';
	s->live = len == 0;
	s->ops.userdata = s;
	s->ops.read_file = sys_read_file;
	s->ops.list_dir = sys_list_dir;
	s->ops.read_link = sys_read_link;
	/* An offline tree describes another host: never run commands or ask
	 * this kernel about it. */
	s->ops.run = s->live ? sys_run : NULL;
	s->ops.link_info = s->live ? sys_link_info : NULL;
	return &s->ops;
}

void
kt_host_ops_system_free(struct kt_host_ops *ops)
{
	struct sys_ops *s;

	if (!ops)
		return;
	s = ops->userdata;
	free(s->root);
	free(s);
}
