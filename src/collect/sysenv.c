#include "sysenv.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(const char *in, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		if (in[i] == '\\' && i + 3 < n && in[i + 1] >= '0' && in[i + 1] <= '3' &&
		    in[i + 2] >= '0' && in[i + 2] <= '7' && in[i + 3] >= '0' && in[i + 3] <= '7') {
			out[o++] = (char)((in[i + 1] - '0') * 64 + (in[i + 2] - '0') * 8 +
					  (in[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
}

/* Splits one mountinfo line; returns 0 when it is a cgroup2 mount. */
static int cgroup2_fields(const char *line, size_t len, const char **root, size_t *root_len,
			  const char **mnt, size_t *mnt_len)
{
	const char *f[5] = { 0 };
	size_t fl[5] = { 0 };
	const char *p = line, *end = line + len, *sep;
	int i;

	for (i = 0; i < 5 && p < end; i++) {
		const char *s = p;

		while (p < end && *p != ' ')
			p++;
		f[i] = s;
		fl[i] = (size_t)(p - s);
		if (p < end)
			p++;
	}
	if (i < 5)
		return -1;
	/* Optional fields end at " - "; the filesystem type follows. */
	sep = NULL;
	for (const char *q = p; q + 3 <= end; q++)
		if (q[0] == '-' && q[1] == ' ' && (q == line || q[-1] == ' ')) {
			sep = q + 2;
			break;
		}
	if (!sep || (size_t)(end - sep) < 8 || strncmp(sep, "cgroup2 ", 8) != 0)
		return -1;
	*root = f[3];
	*root_len = fl[3];
	*mnt = f[4];
	*mnt_len = fl[4];
	return 0;
}

int pdtt_parse_cgroup2_mount(const char *mountinfo, char *out, size_t outlen, bool *whole_tree)
{
	const char *line = mountinfo;
	bool found_sub = false;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *root, *mnt;
		size_t root_len, mnt_len;

		if (!cgroup2_fields(line, len, &root, &root_len, &mnt, &mnt_len)) {
			bool is_root = root_len == 1 && root[0] == '/';

			if (is_root || !found_sub) {
				unescape_octal(mnt, mnt_len, out, outlen);
				found_sub = true;
				*whole_tree = is_root;
				if (is_root)
					return 0;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return found_sub ? 0 : -ENOENT;
}

static int cgroup2_in(const char *mountinfo_path, char *out, size_t outlen, bool *whole_tree)
{
	FILE *f = fopen(mountinfo_path, "re");
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc;

	if (!f)
		return -errno;
	/* getdelim with NUL reads the whole file in one go. */
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(text);
		return -EIO;
	}
	rc = pdtt_parse_cgroup2_mount(text, out, outlen, whole_tree);
	free(text);
	return rc;
}

int pdtt_find_cgroup2_mount(char *out, size_t outlen, bool *whole_tree)
{
	char mnt[4096];
	int rc = cgroup2_in("/proc/self/mountinfo", out, outlen, whole_tree);

	if (rc != -ENOENT)
		return rc;
	/* 'ip netns exec' remounts /sys in a private mount namespace, hiding
	 * the cgroup mounts below it; init's namespace still has them. */
	rc = cgroup2_in("/proc/1/mountinfo", mnt, sizeof(mnt), whole_tree);
	if (rc)
		return -ENOENT;
	if ((size_t)snprintf(out, outlen, "/proc/1/root%s", mnt) >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

bool pdtt_have_bpf_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = {};
	uint64_t eff;

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	eff = (uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32);
#define HAS(cap) ((eff >> (cap)) & 1)
	return HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON) && HAS(CAP_NET_ADMIN));
#undef HAS
}

uint64_t pdtt_own_netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(fd);
	return cookie;
}
