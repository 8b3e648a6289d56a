#include "collector.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "pdtt_exit.h"
#include "table.h"
#include "upgrade.h"
#include "pdtt_compat.skel.h"
#include "pdtt_full.skel.h"
#include "pdtt_kctx.skel.h"

/* The three skeletons differ only in their programs' code; everything past
 * open goes through the generic bpf_object API. */
#define SKEL_OPS(n)                                     \
	static struct bpf_object *open_##n(void **skel) \
	{                                               \
		struct n *s = n##__open();              \
		*skel = s;                              \
		return s ? s->obj : NULL;               \
	}                                               \
	static void destroy_##n(void *skel)             \
	{                                               \
		n##__destroy(skel);                     \
	}
SKEL_OPS(pdtt_full)
SKEL_OPS(pdtt_kctx)
SKEL_OPS(pdtt_compat)

static const struct {
	const char *name;
	const char *caveat;
	struct bpf_object *(*open)(void **skel);
	void (*destroy)(void *skel);
} variants[PDTT_VARIANT_COUNT] = {
	[PDTT_VARIANT_FULL] = { "full", NULL, open_pdtt_full, destroy_pdtt_full },
	[PDTT_VARIANT_KCTX] = { "kctx",
				"kernel lacks bpf_get_netns_cookie for cgroup_skb (added in 6.15); "
				"reading the netns cookie from the socket instead, same guarantees",
				open_pdtt_kctx, destroy_pdtt_kctx },
	[PDTT_VARIANT_COMPAT] = { "compat",
				  "kernel lacks bpf_cast_to_kern_ctx (added in 6.2): uids are as "
				  "seen "
				  "from the socket's user namespace (root in a container counts as "
				  "0) "
				  "and -i IFACE also counts interfaces with the same index in "
				  "other "
				  "network namespaces",
				  open_pdtt_compat, destroy_pdtt_compat },
};

const char *pdtt_variant_name(enum pdtt_variant v)
{
	return v < PDTT_VARIANT_COUNT ? variants[v].name : "?";
}

const char *pdtt_variant_caveat(enum pdtt_variant v)
{
	return v < PDTT_VARIANT_COUNT ? variants[v].caveat : NULL;
}

static bool kernel_has_kfunc(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return found;
}

int pdtt_collector_probe(enum pdtt_variant *out)
{
	const char *forced = getenv("PDTT_BPF_VARIANT");

	if (forced && *forced) {
		for (int v = 0; v < PDTT_VARIANT_COUNT; v++)
			if (!strcmp(forced, variants[v].name)) {
				*out = (enum pdtt_variant)v;
				return 0;
			}
		return -EINVAL;
	}
	if (!kernel_has_kfunc("bpf_cast_to_kern_ctx"))
		*out = PDTT_VARIANT_COMPAT;
	else if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SKB, BPF_FUNC_get_netns_cookie,
					 NULL) == 1)
		*out = PDTT_VARIANT_FULL;
	else
		*out = PDTT_VARIANT_KCTX;
	return 0;
}

static const char *const pinned_maps[] = { "pdtt_stats", "pdtt_ifaces", "pdtt_config", "pdtt_lost",
					   "pdtt_owners" };
#define N_PINNED_MAPS (sizeof(pinned_maps) / sizeof(pinned_maps[0]))
#define MAP_PIN_BIT(i) (1u << (PDTT_LINKS + (i)))

/* Every program and the pin of its link.  The cgroup ones attach to the
 * cgroup v2 root; the others are tp_btf programs on a tracepoint that must
 * be in the kernel's BTF.  The owner programs exist in full and kctx only. */
static const struct prog_desc {
	const char *prog;
	const char *pin;
	bool owner;	     /* keeps the socket's user (bpf/pdtt.bpf.c) */
	const char *tp;	     /* tracepoint of a tp_btf program, NULL: cgroup */
	const char *without; /* NULL: owners need it; else what is weaker without it */
} prog_descs[PDTT_LINKS] = {
	{ "pdtt_ingress", "link_ingress", false, NULL, NULL },
	{ "pdtt_egress", "link_egress", false, NULL, NULL },
	{ "pdtt_sock_release", "link_sock_release", true, NULL, NULL },
	{ "pdtt_send_length", "link_send_length", true, "sock_send_length", NULL },
	{ "pdtt_recv_length", "link_recv_length", true, "sock_recv_length", NULL },
	{ "pdtt_tcp_destroy", "link_tcp_destroy", true, "tcp_destroy_sock", NULL },
	{ "pdtt_tcp_sendmsg", "link_tcp_sendmsg", true, "tcp_sendmsg_locked",
	  "a new user's first TCP send call on a socket counts for the socket's previous user" },
	{ "pdtt_tcp_rcv_space", "link_tcp_rcv_space", true, "tcp_rcv_space_adjust",
	  "TCP data read with splice() counts for the socket's previous user" },
};

#define CREATOR_ONLY                                                                          \
	"sockets count for the user who created them (or accepted the connection): servers "  \
	"that accept as root and then serve a logged-in user (sshd: scp, sftp, rsync) count " \
	"as root"

const char *pdtt_collector_owner_caveat(const struct pdtt_collector *c)
{
	return c->owner_caveat[0] ? c->owner_caveat : NULL;
}

static bool kernel_has_tracepoint(const struct btf *btf, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) >= 0;
}

/* The packets' programs keep their owner code only when owners run. */
static int set_owner_code(struct bpf_object *obj, bool on)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, ".rodata.owners");
	__u32 code = on;

	return m ? bpf_map__set_initial_value(m, &code, sizeof(code)) : 0;
}

/* Decides which owner programs this kernel can run; the rest do not load.
 * owners=false: none (compat, PDTT_OWNER=creator, or a refused load). */
static void plan_owners(struct pdtt_collector *c, bool owners, const char *why_not)
{
	struct btf *btf = owners ? btf__load_vmlinux_btf() : NULL;
	size_t off = 0;

	c->owners = owners;
	c->owner_caveat[0] = '\0';
	for (int i = 0; owners && i < PDTT_LINKS; i++)
		if (prog_descs[i].owner && prog_descs[i].tp && !prog_descs[i].without &&
		    !kernel_has_tracepoint(btf, prog_descs[i].tp)) {
			snprintf(c->owner_caveat, sizeof(c->owner_caveat),
				 "kernel lacks the tracepoint %s (Linux 6.3+): " CREATOR_ONLY,
				 prog_descs[i].tp);
			c->owners = false;
			break;
		}
	if (!owners)
		snprintf(c->owner_caveat, sizeof(c->owner_caveat), "%s: " CREATOR_ONLY, why_not);
	for (int i = 0; i < PDTT_LINKS; i++) {
		struct bpf_program *p =
			bpf_object__find_program_by_name(c->obj, prog_descs[i].prog);
		bool run = !prog_descs[i].owner || c->owners;

		if (run && prog_descs[i].owner && prog_descs[i].tp &&
		    !kernel_has_tracepoint(btf, prog_descs[i].tp)) {
			run = false;
			off += (size_t)snprintf(
				c->owner_caveat + off, sizeof(c->owner_caveat) - off,
				"%skernel lacks the tracepoint %s: %s", off ? "; " : "",
				prog_descs[i].tp, prog_descs[i].without);
			if (off >= sizeof(c->owner_caveat))
				off = sizeof(c->owner_caveat) - 1;
		}
		if (p)
			bpf_program__set_autoload(p, run);
	}
	btf__free(btf);
}

static bool prog_runs(const struct pdtt_collector *c, int i)
{
	struct bpf_program *p = bpf_object__find_program_by_name(c->obj, prog_descs[i].prog);

	return p && bpf_program__autoload(p);
}

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* bpffs is usually mounted at /sys/fs/bpf; mount it when it is not. */
static int ensure_bpffs(const char *pin_dir, char *err, size_t errlen)
{
	struct statfs fs;

	if (!statfs("/sys/fs/bpf", &fs) && fs.f_type == BPF_FS_MAGIC)
		return 0;
	if (strncmp(pin_dir, "/sys/fs/bpf/", 12) != 0)
		return 0; /* a pin directory elsewhere is the admin's business */
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		snprintf(err, errlen,
			 "bpffs: cannot mount it at /sys/fs/bpf: %s; mount it "
			 "(mount -t bpf bpf /sys/fs/bpf) or use --no-db",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int mkdirs(const char *path)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0700) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
}

static int lock_pins(struct pdtt_collector *c, const char *pin_dir, char *err, size_t errlen)
{
	if (ensure_bpffs(pin_dir, err, errlen))
		return PDTT_EXIT_UNSUPPORTED;
	if (mkdirs(pin_dir)) {
		snprintf(err, errlen, "pin directory %s: %s", pin_dir, strerror(errno));
		return PDTT_EXIT_UNSUPPORTED;
	}
	c->lock_fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->lock_fd < 0 || flock(c->lock_fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen, "pin directory %s: %s; another pdtt daemon is running on it",
			 pin_dir, strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	return 0;
}

/* Takes over the maps an earlier run pinned, so counting goes on where it was. */
static int reuse_maps(struct pdtt_collector *c, const char *pin_dir, const char *old_dir,
		      bool keep_old_owners, char *err, size_t errlen)
{
	for (size_t i = 0; i < N_PINNED_MAPS; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(c->obj, pinned_maps[i]);
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		char path[4096];
		int fd;

		if (!m)
			continue; /* compat has no owner records */
		snprintf(path, sizeof(path), "%s/%s", pin_dir, pinned_maps[i]);
		fd = bpf_obj_get(path);
		if (fd < 0 && old_dir && !strcmp(pinned_maps[i], "pdtt_owners") &&
		    !keep_old_owners) {
			snprintf(path, sizeof(path), "%s/%s", old_dir, pinned_maps[i]);
			c->owners_renewed = c->owners && !access(path, F_OK);
		} else if (fd < 0 && old_dir && !strcmp(pinned_maps[i], "pdtt_owners")) {
			/* An upgrade: sockets' waiting counts carry over when the
			 * record's layout is the same. */
			snprintf(path, sizeof(path), "%s/%s", old_dir, pinned_maps[i]);
			fd = bpf_obj_get(path);
			if (fd >= 0 && (bpf_obj_get_info_by_fd(fd, &info, &len) ||
					info.type != bpf_map__type(m) ||
					info.key_size != bpf_map__key_size(m) ||
					info.value_size != bpf_map__value_size(m) ||
					info.map_flags != bpf_map__map_flags(m))) {
				c->owners_renewed = c->owners;
				close(fd);
				continue;
			}
			/* Shared with the older layout's programs: from here on
			 * this run's programs may move counts out of them, so a
			 * failed start keeps every pin (pdtt_collector_abort). */
			if (fd >= 0)
				c->took_over = true;
		}
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != bpf_map__type(m) ||
		    info.key_size != bpf_map__key_size(m) ||
		    info.value_size != bpf_map__value_size(m) ||
		    info.map_flags != bpf_map__map_flags(m)) {
			snprintf(err, errlen,
				 "pinned map %s: another layout; run 'pdtt_xdp_user stop' to "
				 "remove it",
				 path);
			close(fd);
			return PDTT_EXIT_RUNTIME;
		}
		if (info.max_entries != bpf_map__max_entries(m)) {
			if (!strcmp(pinned_maps[i], "pdtt_stats") && c->sized_by_admin)
				fprintf(stderr,
					"pdtt: warning: the pinned table keeps its size of %u "
					"entries; "
					"'pdtt_xdp_user stop' and a restart apply --max-entries\n",
					info.max_entries);
			bpf_map__set_max_entries(m, info.max_entries);
		}
		if (bpf_map__reuse_fd(m, fd)) {
			snprintf(err, errlen, "pinned map %s: cannot reuse it: %s", path,
				 strerror(errno));
			close(fd);
			return PDTT_EXIT_RUNTIME;
		}
		close(fd);
		c->reused = true;
	}
	return 0;
}

static int pin_new_maps(struct pdtt_collector *c, const char *pin_dir, char *err, size_t errlen)
{
	for (size_t i = 0; i < N_PINNED_MAPS; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(c->obj, pinned_maps[i]);
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", pin_dir, pinned_maps[i]);
		if (!m || !access(path, F_OK))
			continue;
		if (bpf_map__pin(m, path)) {
			snprintf(err, errlen,
				 "pinning %s: %s; check that bpffs is mounted and "
				 "writable, or use --no-db",
				 path, strerror(errno));
			return PDTT_EXIT_RUNTIME;
		}
		c->pinned_now |= MAP_PIN_BIT(i);
	}
	return 0;
}

static int fill_filters(struct pdtt_collector *c, const struct pdtt_collector_config *cfg,
			char *err, size_t errlen)
{
	struct bpf_map *ifaces = bpf_object__find_map_by_name(c->obj, "pdtt_ifaces");
	struct bpf_map *config = bpf_object__find_map_by_name(c->obj, "pdtt_config");
	struct pdtt_config conf = { 0 };
	__u32 zero = 0;
	__u8 one = 1;
	/* The compat programs cannot see network namespaces: they key on 0. */
	__u64 netns = c->variant == PDTT_VARIANT_COMPAT ? 0 : cfg->netns_cookie;

	c->filter_netns = netns;

	struct pdtt_iface_key k, next;

	if (!ifaces || !config) {
		snprintf(err, errlen, "BPF object: filter maps missing; rebuild pdtt");
		return PDTT_EXIT_RUNTIME;
	}
	/* A reused filter map still holds the last run's selection: drop what
	 * is no longer selected, keep (never remove, then re-add) what still is. */
	for (int more = !bpf_map_get_next_key(bpf_map__fd(ifaces), NULL, &next); more;) {
		bool wanted = false;

		k = next;
		more = !bpf_map_get_next_key(bpf_map__fd(ifaces), &k, &next);
		for (int i = 0; i < cfg->n_ifaces; i++)
			wanted |= k.netns_cookie == netns && k.ifindex == cfg->ifaces[i].ifindex;
		if (!wanted)
			bpf_map_delete_elem(bpf_map__fd(ifaces), &k);
	}
	for (int i = 0; i < cfg->n_ifaces; i++) {
		struct pdtt_iface_key k = { .netns_cookie = netns,
					    .ifindex = cfg->ifaces[i].ifindex };

		if (bpf_map_update_elem(bpf_map__fd(ifaces), &k, &one, BPF_ANY)) {
			snprintf(err, errlen, "interface filter '%s': %s", cfg->ifaces[i].name,
				 strerror(errno));
			return PDTT_EXIT_RUNTIME;
		}
	}
	/* Owners are switched on only once every owner program is attached
	 * (set_owners), unless an earlier run's owner programs still run:
	 * they stay pinned until this run's replace them. */
	if (bpf_map_lookup_elem(bpf_map__fd(config), &zero, &conf))
		conf.owners = 0;
	conf.all_ifaces = cfg->all_ifaces;
	conf.owners = conf.owners && c->owners;
	if (bpf_map_update_elem(bpf_map__fd(config), &zero, &conf, BPF_ANY)) {
		snprintf(err, errlen, "BPF config map: %s", strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	return 0;
}

/* A tracing link cannot swap its program: attach the new one first, then
 * let it take the old one's pin, so no send or receive goes unseen. */
static int attach_trace(struct pdtt_collector *c, int i, struct bpf_program *p, const char *path,
			char *err, size_t errlen)
{
	bool had_pin = path[0] && !access(path, F_OK);

	c->links[i] = bpf_program__attach_trace(p);
	if (!c->links[i]) {
		snprintf(err, errlen,
			 "BPF program %s: cannot attach to the tracepoint %s: %s; "
			 "PDTT_OWNER=creator runs without it%s",
			 prog_descs[i].prog, prog_descs[i].tp, strerror(errno),
			 c->took_over ? " (both map layouts stay pinned: the next start goes on)"
				      : "");
		return PDTT_EXIT_UNSUPPORTED;
	}
	if (!path[0])
		return 0;
	if (had_pin && unlink(path) && errno != ENOENT) {
		snprintf(err, errlen, "pinned link %s: cannot replace it: %s", path,
			 strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	if (bpf_link__pin(c->links[i], path)) {
		snprintf(err, errlen, "pinning %s: %s", path, strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	if (!had_pin)
		c->pinned_now |= 1u << i;
	return 0;
}

static int attach_cgroup(struct pdtt_collector *c, int i, struct bpf_program *p, int cg,
			 const struct pdtt_collector_config *cfg, const char *path,
			 const char *old_path, char *err, size_t errlen)
{
	bool mine = path[0] && !access(path, F_OK);

	if (mine || (old_path[0] && !access(old_path, F_OK))) {
		/* An earlier run's link (or an older layout's): swap in this
		 * run's program atomically, so not a packet goes uncounted. */
		const char *from = mine ? path : old_path;

		c->links[i] = bpf_link__open(from);
		if (!c->links[i] || bpf_link__update_program(c->links[i], p)) {
			snprintf(err, errlen, "pinned link %s: cannot update its program: %s; %s",
				 from, strerror(errno),
				 mine ? "run 'pdtt_xdp_user stop' and start again"
				      : "the older layout stays pinned and counting; check the "
					"kernel log, then start again");
			return PDTT_EXIT_RUNTIME;
		}
		if (mine)
			return 0;
		/* The older layout's link moves here: same link, new pin.  From
		 * now on a failed start keeps every pin (pdtt_collector_abort). */
		c->took_over = true;
		if (bpf_obj_pin(bpf_link__fd(c->links[i]), path)) {
			snprintf(err, errlen,
				 "pinning %s: %s; both layouts stay pinned, the next start goes on",
				 path, strerror(errno));
			return PDTT_EXIT_RUNTIME;
		}
		return 0;
	}
	c->links[i] = bpf_program__attach_cgroup(p, cg);
	if (!c->links[i]) {
		snprintf(err, errlen,
			 "Failed to attach program to cgroup %s (%s): %s; check root "
			 "privileges, kernel eBPF cgroup support and the cgroup v2 mount",
			 cfg->cgroup_path, prog_descs[i].prog, strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	if (path[0] && bpf_link__pin(c->links[i], path)) {
		snprintf(err, errlen, "pinning %s: %s", path, strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	if (path[0])
		c->pinned_now |= 1u << i;
	return 0;
}

/* The packets' programs hand counts to the owner programs only once those
 * all run: a half-done start must not leave counts waiting for nobody. */
static int set_owners(struct pdtt_collector *c, bool on)
{
	struct bpf_map *m = bpf_object__find_map_by_name(c->obj, "pdtt_config");
	struct pdtt_config conf = { 0 };
	__u32 zero = 0;

	if (!m || bpf_map_lookup_elem(bpf_map__fd(m), &zero, &conf))
		return -1;
	conf.owners = on;
	return bpf_map_update_elem(bpf_map__fd(m), &zero, &conf, BPF_ANY);
}

static int attach(struct pdtt_collector *c, const struct pdtt_collector_config *cfg, char *err,
		  size_t errlen)
{
	int cg = open(cfg->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char old_paths[PDTT_LINKS][4096];
	int rc = 0;

	if (cg < 0) {
		snprintf(err, errlen, "cgroup %s: %s; is cgroup v2 mounted there?",
			 cfg->cgroup_path, strerror(errno));
		return PDTT_EXIT_UNSUPPORTED;
	}
	/* The owner programs first: the packets' programs rely on them. */
	for (int n = 0; n < PDTT_LINKS && !rc; n++) {
		int i = (n + 2) % PDTT_LINKS;
		struct bpf_program *p =
			bpf_object__find_program_by_name(c->obj, prog_descs[i].prog);
		char path[4096], *old_path = old_paths[i];

		path[0] = old_path[0] = '\0';
		if (cfg->pin_dir)
			snprintf(path, sizeof(path), "%s/%s", cfg->pin_dir, prog_descs[i].pin);
		if (cfg->pin_dir && cfg->old_pin_dir)
			snprintf(old_path, sizeof(old_paths[i]), "%s/%s", cfg->old_pin_dir,
				 prog_descs[i].pin);
		if (!prog_runs(c, i)) {
			/* An earlier run's owner program that this run goes without. */
			if (path[0] && unlink(path) && errno != ENOENT) {
				snprintf(err, errlen, "pinned link %s: cannot remove it: %s", path,
					 strerror(errno));
				rc = PDTT_EXIT_RUNTIME;
			}
		} else {
			rc = prog_descs[i].tp
				     ? attach_trace(c, i, p, path, err, errlen)
				     : attach_cgroup(c, i, p, cg, cfg, path, old_path, err, errlen);
		}
	}
	close(cg);
	/* The older layout's links go once every new one runs: its owner
	 * programs hand what sockets hold to its map until then (old and new
	 * ones take a socket's waiting counts with one exchange, never twice). */
	for (int i = 0; !rc && cfg->old_pin_dir && i < PDTT_LINKS; i++)
		if (unlink(old_paths[i]) && errno != ENOENT) {
			snprintf(err, errlen,
				 "pinned link %s: cannot remove it: %s; both layouts stay pinned, "
				 "remove it and start again",
				 old_paths[i], strerror(errno));
			rc = PDTT_EXIT_RUNTIME;
		}
	return rc;
}

static int read_map_id(struct pdtt_collector *c)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(c->stats_fd, &info, &len))
		return -errno;
	c->map_id = info.id;
	return 0;
}

/* Opens and loads the variant's object, with or without the owner programs. */
static int load_object(struct pdtt_collector *c, const struct pdtt_collector_config *cfg,
		       bool owners, const char *why_not, char *err, size_t errlen)
{
	enum pdtt_variant v = c->variant;
	struct bpf_map *stats;
	int rc;

	c->obj = variants[v].open(&c->skel);
	if (!c->obj) {
		snprintf(err, errlen, "BPF object (%s): cannot open: %s", variants[v].name,
			 strerror(errno ? errno : ENOMEM));
		return PDTT_EXIT_RUNTIME;
	}
	stats = bpf_object__find_map_by_name(c->obj, "pdtt_stats");
	if (!stats || !bpf_object__find_map_by_name(c->obj, "pdtt_lost") ||
	    bpf_map__set_max_entries(stats, cfg->max_entries
						    ? cfg->max_entries
						    : pdtt_table_default_entries(c->ncpus))) {
		snprintf(err, errlen, "BPF object: cannot size the stats map; rebuild pdtt");
		return PDTT_EXIT_RUNTIME;
	}
	plan_owners(c, owners, why_not);
	if (set_owner_code(c->obj, c->owners)) {
		snprintf(err, errlen, "BPF object: cannot set its owner switch; rebuild pdtt");
		return PDTT_EXIT_RUNTIME;
	}
	if (cfg->pin_dir) {
		rc = reuse_maps(c, cfg->pin_dir, cfg->old_pin_dir, cfg->keep_old_owners, err,
				errlen);
		if (rc)
			return rc;
	}
	if (bpf_object__load(c->obj)) {
		snprintf(err, errlen,
			 "BPF programs (%s variant): the kernel refused to load them: %s; "
			 "a kernel with eBPF, BTF and cgroup_skb support is needed",
			 variants[v].name, strerror(errno));
		return PDTT_EXIT_UNSUPPORTED;
	}
	return 0;
}

int pdtt_collector_start(struct pdtt_collector *c, enum pdtt_variant v,
			 const struct pdtt_collector_config *cfg, char *err, size_t errlen)
{
	const char *by_key, *owner_env = getenv("PDTT_OWNER");
	bool owners = v != PDTT_VARIANT_COMPAT;
	const char *why_not = "kernel lacks bpf_cast_to_kern_ctx (6.2+)";
	int rc;

	memset(c, 0, sizeof(*c));
	c->variant = v;
	c->stats_fd = c->lost_fd = c->lock_fd = -1;
	c->ncpus = libbpf_num_possible_cpus();
	c->sized_by_admin = cfg->max_entries != 0;
	/* PDTT_READ_BY_KEY=1 takes the path of kernels without batch lookups (tests). */
	by_key = getenv("PDTT_READ_BY_KEY");
	c->no_batch = by_key && !strcmp(by_key, "1");
	if (owner_env && !strcmp(owner_env, "creator") && owners) {
		owners = false;
		why_not = "PDTT_OWNER=creator";
	}
	if (c->ncpus <= 0) {
		snprintf(err, errlen, "possible CPUs: %s", strerror(-c->ncpus));
		return PDTT_EXIT_RUNTIME;
	}
	c->percpu_buf = calloc((size_t)c->ncpus, sizeof(struct pdtt_value));
	if (!c->percpu_buf) {
		snprintf(err, errlen, "memory: %s", strerror(ENOMEM));
		rc = PDTT_EXIT_RUNTIME;
		goto cleanup;
	}
	if (cfg->pin_dir) {
		rc = lock_pins(c, cfg->pin_dir, err, errlen);
		if (rc)
			goto cleanup;
	}
	rc = load_object(c, cfg, owners, why_not, err, errlen);
	if (rc == PDTT_EXIT_UNSUPPORTED && c->owners) {
		/* A kernel that refuses only the owner programs still counts,
		 * for the sockets' creators, as before they existed. */
		char first[256];

		snprintf(first, sizeof(first), "the kernel refused the owner programs (%s)",
			 strerror(errno));
		variants[v].destroy(c->skel);
		c->skel = NULL;
		c->obj = NULL;
		rc = load_object(c, cfg, false, first, err, errlen);
	}
	if (rc)
		goto cleanup;
	c->stats_fd = bpf_map__fd(bpf_object__find_map_by_name(c->obj, "pdtt_stats"));
	c->max_entries = bpf_map__max_entries(bpf_object__find_map_by_name(c->obj, "pdtt_stats"));
	c->lost_fd = bpf_map__fd(bpf_object__find_map_by_name(c->obj, "pdtt_lost"));
	if (read_map_id(c)) {
		snprintf(err, errlen, "stats map: %s", strerror(errno));
		rc = PDTT_EXIT_RUNTIME;
		goto cleanup;
	}
	rc = fill_filters(c, cfg, err, errlen);
	if (!rc && cfg->pin_dir)
		rc = pin_new_maps(c, cfg->pin_dir, err, errlen);
	if (!rc)
		rc = attach(c, cfg, err, errlen);
	if (!rc && c->owners && set_owners(c, true)) {
		snprintf(err, errlen, "BPF config map: %s", strerror(errno));
		rc = PDTT_EXIT_RUNTIME;
	}
	if (rc)
		goto cleanup;
	return 0;
cleanup:
	pdtt_collector_abort(c);
	return rc;
}

void pdtt_collector_abort(struct pdtt_collector *c)
{
	/* An older layout's links run this run's programs and write its new
	 * maps: removing those pins would lose what they count.  Keep all. */
	if (c->took_over) {
		pdtt_collector_stop(c);
		return;
	}
	/* Owner links this run pinned go away below: the packets' programs that
	 * stay pinned must stop handing counts to them. */
	for (int i = 0; c->obj && i < PDTT_LINKS; i++)
		if (prog_descs[i].owner && (c->pinned_now & (1u << i))) {
			set_owners(c, false);
			break;
		}
	/* Leave no half-made pin set behind: only what this run pinned goes. */
	for (int i = 0; i < PDTT_LINKS; i++)
		if ((c->pinned_now & (1u << i)) && c->links[i])
			bpf_link__unpin(c->links[i]);
	for (size_t i = 0; c->obj && i < N_PINNED_MAPS; i++)
		if (c->pinned_now & MAP_PIN_BIT(i))
			bpf_map__unpin(bpf_object__find_map_by_name(c->obj, pinned_maps[i]), NULL);
	c->pinned_now = 0;
	pdtt_collector_stop(c);
}

static void sum_percpu(const struct pdtt_value *pc, int ncpus, struct pdtt_value *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < ncpus; i++) {
		sum->rx_bytes += pc[i].rx_bytes;
		sum->rx_packets += pc[i].rx_packets;
		sum->tx_bytes += pc[i].tx_bytes;
		sum->tx_packets += pc[i].tx_packets;
	}
}

/* Key by key: two syscalls each, for kernels without batch lookups. */
static int read_by_key(struct pdtt_collector *c, struct pdtt_snapshot *s)
{
	struct pdtt_key key, next;
	void *prev = NULL;

	pdtt_snapshot_clear(s);
	while (!bpf_map_get_next_key(c->stats_fd, prev, &next)) {
		struct pdtt_value sum;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(c->stats_fd, &key, c->percpu_buf)) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		sum_percpu(c->percpu_buf, c->ncpus, &sum);
		if (pdtt_snapshot_append(s, &key, &sum))
			return -ENOMEM;
	}
	return errno == ENOENT ? 0 : -errno;
}

#define BATCH_KEYS 1024

/* Batches of keys per syscall: about three times faster on big maps. */
static int read_batched(struct pdtt_collector *c, struct pdtt_snapshot *s)
{
	struct pdtt_key *keys = malloc(BATCH_KEYS * sizeof(*keys));
	struct pdtt_value *vals = malloc((size_t)BATCH_KEYS * (size_t)c->ncpus * sizeof(*vals));
	__u64 in_batch = 0, out_batch = 0;
	bool first = true, done = false;
	int rc = 0;

	pdtt_snapshot_clear(s);
	if (!keys || !vals) {
		rc = -ENOMEM;
		goto out;
	}
	while (!done) {
		__u32 count = BATCH_KEYS;
		int err = bpf_map_lookup_batch(c->stats_fd, first ? NULL : &in_batch, &out_batch,
					       keys, vals, &count, NULL);

		if (err && errno != ENOENT) {
			rc = -errno;
			goto out;
		}
		done = err != 0; /* ENOENT: this was the last batch */
		for (__u32 i = 0; i < count; i++) {
			struct pdtt_value sum;

			sum_percpu(&vals[(size_t)i * (size_t)c->ncpus], c->ncpus, &sum);
			if (pdtt_snapshot_append(s, &keys[i], &sum)) {
				rc = -ENOMEM;
				goto out;
			}
		}
		in_batch = out_batch;
		first = false;
	}
out:
	free(keys);
	free(vals);
	return rc;
}

int pdtt_collector_read(struct pdtt_collector *c, struct pdtt_snapshot *s)
{
	int rc = c->no_batch ? -EINVAL : read_batched(c, s);

	/* Batch lookups on per-CPU hash maps came with 5.6; fall back for good
	 * (ENOTSUPP, 524, is the kernel's own "not supported"). */
	if (rc == -EINVAL || rc == -EOPNOTSUPP || rc == -524 || rc == -ENOSPC) {
		c->no_batch = true;
		rc = read_by_key(c, s);
	}
	if (!rc)
		pdtt_snapshot_sort(s);
	return rc;
}

int pdtt_collector_take(struct pdtt_collector *c, const struct pdtt_key *k,
			struct pdtt_value *final)
{
	/* One syscall reads and removes the key: whatever the programs add up
	 * to that instant is in final, nothing after it goes to the old entry. */
	if (bpf_map_lookup_and_delete_elem(c->stats_fd, k, c->percpu_buf))
		return -errno;
	sum_percpu(c->percpu_buf, c->ncpus, final);
	return 0;
}

int pdtt_collector_put_back(struct pdtt_collector *c, const struct pdtt_key *k,
			    const struct pdtt_value *v)
{
	struct pdtt_value *pc = c->percpu_buf;

	memset(pc, 0, (size_t)c->ncpus * sizeof(*pc));
	pc[0] = *v;
	return bpf_map_update_elem(c->stats_fd, k, pc, BPF_NOEXIST) ? -errno : 0;
}

int pdtt_collector_filter(struct pdtt_collector *c, uint32_t ifindex, bool on)
{
	struct pdtt_iface_key k = { .netns_cookie = c->filter_netns, .ifindex = ifindex };
	int fd = bpf_map__fd(bpf_object__find_map_by_name(c->obj, "pdtt_ifaces"));
	__u8 one = 1;

	if (on ? bpf_map_update_elem(fd, &k, &one, BPF_ANY) : bpf_map_delete_elem(fd, &k))
		return errno == ENOENT && !on ? 0 : -errno;
	return 0;
}

int pdtt_collector_read_lost(struct pdtt_collector *c, struct pdtt_lost_info *lost)
{
	/* percpu_buf holds ncpus values, larger than ncpus struct pdtt_lost. */
	const struct pdtt_lost *pc = c->percpu_buf;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(c->lost_fd, &zero, c->percpu_buf))
		return -errno;
	lost->bytes = lost->packets = 0;
	for (int i = 0; i < c->ncpus; i++) {
		lost->bytes += pc[i].bytes;
		lost->packets += pc[i].packets;
	}
	return 0;
}

void pdtt_collector_stop(struct pdtt_collector *c)
{
	for (int i = 0; i < PDTT_LINKS; i++) {
		bpf_link__destroy(c->links[i]);
		c->links[i] = NULL;
	}
	if (c->skel)
		variants[c->variant].destroy(c->skel);
	c->skel = NULL;
	c->obj = NULL;
	free(c->percpu_buf);
	c->percpu_buf = NULL;
	c->stats_fd = c->lost_fd = -1;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

const char *pdtt_collector_link_pin(int i, bool *cgroup)
{
	*cgroup = !prog_descs[i].tp && !prog_descs[i].owner;
	return prog_descs[i].pin;
}

int pdtt_collector_unpin(const char *pin_dir, char *err, size_t errlen)
{
	int lock = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (lock < 0) {
		if (errno == ENOENT)
			return 0; /* nothing pinned: already stopped */
		snprintf(err, errlen, "pin directory %s: %s", pin_dir, strerror(errno));
		return PDTT_EXIT_RUNTIME;
	}
	if (flock(lock, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen,
			 "pin directory %s: a pdtt daemon is running on it; stop it first "
			 "(Ctrl+C or SIGTERM), then run stop again",
			 pin_dir);
		close(lock);
		return PDTT_EXIT_RUNTIME;
	}
	rc = pdtt_remove_pins(pin_dir, false, err, errlen);
	close(lock);
	return rc;
}
